"""End to end: deriva-ml-run-notebook runs a project notebook and records it in a local catalog."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.real_server,
    pytest.mark.skipif(
        importlib.util.find_spec("derivaml_jupyter.execution.execution") is None,
        reason="needs the execution layer (derivaml_jupyter/execution/execution.py), not "
               "landed yet"),
]

nbformat = pytest.importorskip("nbformat")

CELLS = [
    ("parameters", "title = 'default title'"),
    (None, "from derivaml_jupyter.config.run_notebook import run_notebook\n"
           "ml, execution, config = run_notebook()"),
    (None, "%matplotlib inline\nimport matplotlib.pyplot as plt\n"
           "plt.plot([0, 1, 2], [2, 0, 1])\nplt.title(title)\nplt.show()"),
    (None, "import pandas as pd\n"
           "pd.DataFrame({'metric': ['threshold', 'score'], 'value': [config.threshold, 0.25]})"),
    (None, "import logging\nlogging.getLogger('report').warning('report logged')"),
    (None, "if config.threshold > 0.95:\n    raise RuntimeError('threshold too high')"),
    (None, "execution.upload_execution_outputs()"),
]


def _write_notebook(path: Path) -> Path:
    nb = nbformat.v4.new_notebook()
    for tag, source in CELLS:
        cell = nbformat.v4.new_code_cell(source)
        if tag:
            cell.metadata["tags"] = [tag]
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                   cwd=root, check=True, capture_output=True)


@pytest.fixture
def notebook(project):
    path = _write_notebook(project / "notebooks" / "report.ipynb")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "project")
    return path


@pytest.fixture
def target(remote_catalog) -> tuple[str, str]:
    """``(host, catalog)`` the runs write to: the project's local ``nbtest``, or a fresh
    catalog of DERIVAML_TEST_HOST."""
    return remote_catalog or ("local", "nbtest")


def _run(notebook: Path, home: Path, target: tuple[str, str],
         *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DERIVAML_HOME": str(home)}
    for var in ("DERIVA_ML_NOTEBOOK_PATH", "DERIVA_ML_HYDRA_OVERRIDES",
                "DERIVA_ML_SAVE_EXECUTION_RID", "JPY_SESSION_NAME"):
        env.pop(var, None)
    cli = Path(sys.executable).with_name("deriva-ml-run-notebook")
    cmd = [str(cli)] if cli.exists() else [
        sys.executable, "-m", "derivaml_jupyter.runners.run_notebook_cli"]
    host, catalog_id = target
    return subprocess.run([*cmd, str(notebook), *args, "--host", host, "--catalog", catalog_id],
                          cwd=notebook.parent.parent, env=env,
                          capture_output=True, text=True, timeout=300)


def _rid(stdout: str) -> str:
    match = re.search(r"^Execution (\S+): (\S+)", stdout, re.M)
    assert match, stdout
    return match.group(1)


def _notebook_assets(ml, rid: str, dest: Path) -> dict[str, Path]:
    """Download the execution's Notebook_Output assets; ``{file name: local path}``."""
    rows = ml.lookup_execution(rid).outputs["assets"].get("Execution_Asset", [])
    found = {}
    for row in rows:
        types = {r["Asset_Type"] for r in ml.catalog.select(
            "deriva-ml", "Execution_Asset_Asset_Type", where={"Execution_Asset": row["RID"]})}
        if "Notebook_Output" in types:
            found[row["Filename"]] = dest / row["Filename"]
            ml.catalog.get_object(row["URL"], found[row["Filename"]])
    return found


def test_run_notebook_records_executed_notebook_and_markdown(notebook, project, monkeypatch,
                                                              target):
    home = project.parent / "home"
    result = _run(notebook, home, target, "threshold=0.75", "-p", "title", "Hello plot")
    assert result.returncode == 0, result.stdout + result.stderr
    rid = _rid(result.stdout)
    assert "Uploaded" in result.stdout

    from derivaml_jupyter.ml import DerivaML

    monkeypatch.setenv("DERIVAML_HOME", str(home))
    ml = DerivaML(*target)
    record = ml.lookup_execution(rid)
    assert record.status == "Uploaded"
    assert (record.workflow.name, record.workflow.workflow_type) == ("Report",
                                                                     ["Analysis Notebook"])
    assets = _notebook_assets(ml, rid, project.parent / "downloaded")
    assert set(assets) == {"report.ipynb", "report.md"}, assets
    text = assets["report.md"].read_text()
    png = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", text).group(1)
    assert base64.b64decode(png).startswith(b"\x89PNG")
    assert re.search(r"\|\s*metric\s*\|\s*value\s*\|", text), text[-2000:]
    assert re.search(r"\|\s*threshold\s*\|\s*0\.75\s*\|", text), text[-2000:]
    executed = json.loads(assets["report.ipynb"].read_text())
    assert "Hello plot" in json.dumps(executed)  # the -p parameter was injected
    metadata = {r["Filename"] for r in record.outputs["assets"].get("Execution_Metadata", [])}
    assert any(name.endswith("notebook.log") for name in metadata), metadata


def test_failing_notebook_is_uploaded_and_marked_failed(notebook, project, monkeypatch, target):
    home = project.parent / "home"
    result = _run(notebook, home, target, "threshold=0.99")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "RuntimeError: threshold too high" in result.stderr
    rid = _rid(result.stdout)

    from derivaml_jupyter.ml import DerivaML

    monkeypatch.setenv("DERIVAML_HOME", str(home))
    ml = DerivaML(*target)
    record = ml.lookup_execution(rid)
    assert record.status == "Failed"
    assert "threshold too high" in record.status_detail and record.stop_time
    assets = _notebook_assets(ml, rid, project.parent / "downloaded")
    assert set(assets) == {"report.ipynb", "report.md"}
    assert "threshold too high" in assets["report.ipynb"].read_text()
