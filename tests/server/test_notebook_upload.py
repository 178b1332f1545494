"""POST /derivaml/api/notebooks/upload: an executed notebook and its Markdown become
``Notebook_Output`` assets of an execution."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from .client import MISSING_RID, api, api_error


@pytest.fixture
def notebook(jp_root_dir: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Analysis of the run"),
                nbformat.v4.new_code_cell("print(6 * 7)", execution_count=1, outputs=[
                    nbformat.v4.new_output("stream", name="stdout", text="42\n")])]
    path = jp_root_dir / "work" / "analysis.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, path)
    return path


def upload(rid: str, path: str) -> dict:
    return {"method": "POST", "body": json.dumps({"path": path, "execution_rid": rid})}


async def test_upload_adds_the_notebook_and_its_markdown(jp_fetch, catalog, notebook, tmp_path):
    ml, rid = catalog["ml"], catalog["execution"]
    answer = await api(jp_fetch, "notebooks", "upload", **upload(rid, "work/analysis.ipynb"))
    assert answer["execution_rid"] == rid
    assert sorted(f["filename"] for f in answer["files"]) == ["analysis.ipynb", "analysis.md"]
    outputs = {r["Filename"]: r for r in
               ml.lookup_execution(rid).outputs["assets"]["Execution_Asset"]}
    assert set(outputs) == {"metrics.txt", "analysis.ipynb", "analysis.md"}
    assert {f["rid"] for f in answer["files"]} == {outputs["analysis.ipynb"]["RID"],
                                                   outputs["analysis.md"]["RID"]}
    ml.catalog.get_object(outputs["analysis.md"]["URL"], tmp_path / "got.md")
    markdown = (tmp_path / "got.md").read_text()
    assert "# Analysis of the run" in markdown and "42" in markdown
    ml.catalog.get_object(outputs["analysis.ipynb"]["URL"], tmp_path / "got.ipynb")
    assert (tmp_path / "got.ipynb").read_bytes() == notebook.read_bytes()
    tagged = {r["Execution_Asset"] for r in ml.catalog.select(
        "deriva-ml", "Execution_Asset_Asset_Type", where={"Asset_Type": "Notebook_Output"})}
    assert tagged == {f["rid"] for f in answer["files"]}
    assert not (notebook.parent / "analysis.md").exists()  # nothing written next to it


async def test_upload_to_an_unknown_execution_is_404(jp_fetch, catalog, notebook):
    code, body = await api_error(jp_fetch, "notebooks", "upload",
                                 **upload(MISSING_RID, "work/analysis.ipynb"))
    assert code == 404 and MISSING_RID in body["message"]


async def test_upload_refuses_paths_outside_the_root_and_missing_notebooks(
        jp_fetch, catalog, notebook):
    rid = catalog["execution"]
    code, body = await api_error(jp_fetch, "notebooks", "upload",
                                 **upload(rid, "../outside.ipynb"))
    assert code == 400 and "outside the Jupyter server's root directory" in body["message"]
    code, body = await api_error(jp_fetch, "notebooks", "upload", **upload(rid, "work/no.ipynb"))
    assert code == 404 and "No notebook at 'no.ipynb'" in body["message"]
    code, body = await api_error(jp_fetch, "notebooks", "upload", method="POST", body="{}")
    assert code == 400 and "'path' is a required property" in body["message"]
    assert "the fields path, execution_rid" in body["message"]
    files = catalog["ml"].lookup_execution(rid).outputs["assets"]["Execution_Asset"]
    assert [f["Filename"] for f in files] == ["metrics.txt"]
