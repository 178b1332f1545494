"""``derivaml reproduce`` of a notebook execution: ``deriva-ml-run-notebook`` runs the
notebook of the recorded commit again with its Hydra overrides, papermill parameters and
dataset versions (local catalog and, with DERIVAML_TEST_HOST, a fresh one of that server)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .reproduce_helpers import commit_project, git, recorded_rid, reproduced_rid, run_module

pytestmark = [pytest.mark.slow, pytest.mark.real_server]
nbformat = pytest.importorskip("nbformat")

CELLS = [
    ("parameters", "title = 'default title'"),
    (None, "from derivaml_jupyter.config.run_notebook import run_notebook\n"
           "ml, execution, config = run_notebook()"),
    (None, "path = execution.asset_file_path('Execution_Asset', 'summary.txt')\n"
           "path.write_text(f'{title} {config.threshold}')"),
    (None, "execution.upload_execution_outputs()"),
]
KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}


@pytest.fixture
def target(remote_catalog) -> tuple[str, str]:
    return remote_catalog or ("local", "nbtest")


@pytest.fixture
def ml(project, target):
    """The catalog the notebook writes to (``project`` set DERIVAML_HOME)."""
    from derivaml_jupyter.ml import DerivaML

    return DerivaML(*target)


@pytest.fixture
def notebook(project, ml) -> Path:
    """``notebooks/report.ipynb`` in the project of conftest.py, committed."""
    path = project / "notebooks" / "report.ipynb"
    cells = [nbformat.v4.new_code_cell(source, metadata={"tags": [tag]} if tag else {})
             for tag, source in CELLS]
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL}), path)
    commit_project(project, ml)
    return path


def executed_notebook(ml, rid: str, dest: Path) -> dict:
    (row,) = [r for r in ml.lookup_execution(rid).outputs["assets"]["Execution_Asset"]
              if r["Filename"] == "report.ipynb"]
    ml.catalog.get_object(row["URL"], dest)
    return json.loads(dest.read_text())


def test_reproduce_a_notebook_execution(ml, project, notebook, target):
    from derivaml_jupyter.execution.experiment import read_hydra_config
    from derivaml_jupyter.runners.reproduce import reproductions_of

    first = run_module("runners.run_notebook_cli", str(notebook), "threshold=0.75",
                       "datasets=current_images", "-p", "title", "Hello", cwd=project,
                       target=target)
    assert first.returncode == 0, first.stdout + first.stderr
    original = recorded_rid(first.stdout)
    ml.increment_dataset_version(ml.images, "minor")
    notebook.write_text(notebook.read_text().replace("{title} {config.threshold}", "new code"))
    git(project, "commit", "-qam", "change the notebook")

    new = reproduced_rid(run_module("cli.main", "reproduce", original, cwd=project,
                                    target=target))

    record = ml.lookup_execution(new)
    assert record.status == "Uploaded"
    assert record.description.startswith(f"Reproduction of {original}")
    assert record.workflow.workflow_rid == ml.lookup_execution(original).workflow.workflow_rid
    assert [(d["rid"], d["version"]) for d in record.inputs["datasets"]] == [
        (ml.images, "0.1.0")]
    config = read_hydra_config(ml, new)
    assert config["threshold"] == 0.75
    assert config["config_choices"]["datasets"] == "current_images"
    executed = executed_notebook(ml, new, project.parent / "executed.ipynb")
    assert executed["metadata"]["papermill"]["parameters"] == {"title": "Hello"}
    (summary,) = [r for r in record.outputs["assets"]["Execution_Asset"]
                  if r["Filename"] == "summary.txt"]
    ml.catalog.get_object(summary["URL"], project.parent / "summary.txt")
    assert (project.parent / "summary.txt").read_text() == "Hello 0.75"
    assert reproductions_of(ml, original) == [new]
