"""``derivaml reproduce`` of a notebook execution: ``deriva-ml-run-notebook`` runs the
notebook of the recorded commit again with its Hydra overrides, papermill parameters and
dataset versions (local catalog and, with DERIVAML_TEST_HOST, a fresh one of that server)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from derivaml_jupyter.core.definitions import MLVocab

pytestmark = [pytest.mark.slow, pytest.mark.real_server]
nbformat = pytest.importorskip("nbformat")

REPO_ROOT = Path(__file__).resolve().parents[2]
CELLS = [
    ("parameters", "title = 'default title'"),
    (None, "from derivaml_jupyter.config.run_notebook import run_notebook\n"
           "ml, execution, config = run_notebook()"),
    (None, "path = execution.asset_file_path('Execution_Asset', 'summary.txt')\n"
           "path.write_text(f'{title} {config.threshold}')"),
    (None, "execution.upload_execution_outputs()"),
]
PINNED_DATASETS = '''
from hydra_zen import store
from derivaml.dataset import DatasetSpecConfig

store([DatasetSpecConfig(rid="{rid}")], group="datasets", name="current_images")
'''


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def target(remote_catalog) -> tuple[str, str]:
    return remote_catalog or ("local", "nbtest")


@pytest.fixture
def ml(project, target):
    """The catalog the notebook writes to (``project`` set DERIVAML_HOME), with a dataset."""
    from derivaml_jupyter.ml import DerivaML

    ml = DerivaML(*target)
    ml.add_term(MLVocab.dataset_type, "Images", "Images to report on")
    ml.images = ml.create_dataset("Images", description="images").dataset_rid
    return ml


@pytest.fixture
def notebook(project, ml) -> Path:
    """``notebooks/report.ipynb`` and a datasets choice of ``ml``'s dataset, committed."""
    (project / "src/configs/pinned.py").write_text(PINNED_DATASETS.format(rid=ml.images))
    nb = nbformat.v4.new_notebook()
    for tag, source in CELLS:
        cell = nbformat.v4.new_code_cell(source)
        if tag:
            cell.metadata["tags"] = [tag]
        nb.cells.append(cell)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = project / "notebooks" / "report.ipynb"
    nbformat.write(nb, path)
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "report project")
    return path


def run(module: str, *args: str, cwd: Path, target: tuple[str, str]
        ) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DERIVA_ML_") and k != "JPY_SESSION_NAME"}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return subprocess.run([sys.executable, "-m", f"derivaml_jupyter.{module}", *args,
                           "--host", target[0], "--catalog", target[1]],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=400)


def executed_notebook(ml, rid: str, dest: Path) -> dict:
    (row,) = [r for r in ml.lookup_execution(rid).outputs["assets"]["Execution_Asset"]
              if r["Filename"] == "report.ipynb"]
    ml.catalog.get_object(row["URL"], dest)
    return json.loads(dest.read_text())


def test_reproduce_a_notebook_execution(ml, project, notebook, target):
    from derivaml_jupyter.execution.experiment import read_hydra_config
    from derivaml_jupyter.runners.reproduce import reproductions_of

    first = run("runners.run_notebook_cli", str(notebook), "threshold=0.75",
                "datasets=current_images", "-p", "title", "Hello", cwd=project, target=target)
    assert first.returncode == 0, first.stdout + first.stderr
    original = re.search(r"^Execution (\S+): ", first.stdout, re.M)[1]
    ml.increment_dataset_version(ml.images, "minor")
    notebook.write_text(notebook.read_text().replace("{title} {config.threshold}", "new code"))
    git(project, "commit", "-qam", "change the notebook")

    result = run("cli.main", "reproduce", original, cwd=project, target=target)
    assert result.returncode == 0, result.stdout + result.stderr
    new = re.search(r"^Reproduction of \S+: execution (\S+),", result.stdout, re.M)[1]

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
