"""A real notebook using ``%load_ext derivaml`` and ``%%derivaml``, executed by papermill
in the venv's python3 kernel, records its run in the local catalog."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow

nbformat = pytest.importorskip("nbformat")
papermill = pytest.importorskip("papermill")

CELLS = [
    "%load_ext derivaml",
    "%%derivaml analysis\ndatasets=subjects  # the two subjects\nthreshold=0.3",
    "path = execution.asset_file_path('Execution_Asset', 'threshold.txt')\n"
    "path.write_text(str(config.threshold))",
    "%derivaml upload",
]


def test_papermill_runs_a_derivaml_notebook(project, tmp_path):
    notebook = project.root / "notebooks" / "analysis.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, notebook)
    executed = tmp_path / "executed.ipynb"
    papermill.execute_notebook(str(notebook), str(executed), kernel_name="python3",
                               cwd=str(notebook.parent), progress_bar=False)

    (record,) = project.ml.find_executions()
    assert record.status == "Uploaded"
    assert [(d["rid"], d["version"]) for d in record.inputs["datasets"]] == \
        [(project.dataset, project.version)]
    assert [r["Filename"] for r in record.outputs["assets"]["Execution_Asset"]] == \
        ["threshold.txt"]
    cells = nbformat.read(executed, as_version=4).cells
    shown = "".join(o.get("data", {}).get("text/plain", "") for o in cells[1].outputs)
    assert f"Execution {record.execution_rid}" in shown and "datasets=subjects" in shown
    assert "<table>" in "".join(o.get("data", {}).get("text/html", "") for o in cells[1].outputs)
