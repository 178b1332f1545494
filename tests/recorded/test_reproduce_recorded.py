"""``derivaml reproduce`` against a DERIVA server's recorded answers: a model run recorded
by ``deriva-ml-run`` (and a notebook run by ``deriva-ml-run-notebook``) in a fresh catalog is
run again from its commit (after the code and the dataset changed), by ``derivaml reproduce``
in a subprocess, and the new execution is checked here."""

from __future__ import annotations

import json

import pytest
from config.project_files import CONFIGS, MODELS
from runners.reproduce_helpers import (
    commit_project,
    git,
    recorded_rid,
    reproduced_rid,
    run_module,
)

from .conftest import SITE

# The model writes an output of the same name and content in every run, so the recorded
# requests do not depend on the process.
MODEL = '''
def train(learning_rate: float = 1e-3, epochs: int = 10, ml_instance=None, execution=None):
    path = execution.asset_file_path("Execution_Asset", "result.txt")
    path.write_text(f"lr={learning_rate} epochs={epochs}\\n")
'''
COMMIT_DATE = "2026-01-01T00:00:00+00:00"  # fixed, so each commit's hash is the same
# A notebook project: its config (threshold), and a notebook writing one output.
NOTEBOOK_CONFIGS = {
    "__init__.py": "",
    "deriva.py": """
from hydra_zen import builds, store
from derivaml_jupyter.config import DerivaMLConfig

store(builds(DerivaMLConfig, populate_full_signature=True)(
    hostname="local", catalog_id="nbtest"), group="deriva_ml", name="default_deriva")
store([], group="datasets", name="default_dataset")
store([], group="assets", name="default_asset")
""",
    "report.py": """
from dataclasses import dataclass
from derivaml_jupyter.config import BaseConfig, notebook_config

@dataclass
class ReportConfig(BaseConfig):
    threshold: float = 0.5

notebook_config("report", config_class=ReportConfig, description="A report.")
""",
}
CELLS = [
    ("parameters", "title = 'default title'"),
    (None, "from derivaml_jupyter.config.run_notebook import run_notebook\n"
           "ml, execution, config = run_notebook()"),
    (None, "path = execution.asset_file_path('Execution_Asset', 'summary.txt')\n"
           "path.write_text(f'{title} {config.threshold}')\n"
           "execution.upload_execution_outputs()"),
]


@pytest.fixture
def ml(recorded, tmp_path, monkeypatch):
    """A DerivaML on a fresh catalog of the recorded server."""
    from derivaml_jupyter.ml import DerivaML

    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    with recorded.new_catalog() as catalog_id:
        yield DerivaML(recorded.host, catalog_id)


def commit(root, files: dict[str, dict[str, str]], ml, monkeypatch):
    """Write ``files`` (folder -> name -> text) under ``root`` and commit them with
    ``commit_project`` (at a fixed date)."""
    for name in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(name, COMMIT_DATE)
    for folder, texts in files.items():
        (root / folder).mkdir(parents=True)
        for name, text in texts.items():
            (root / folder / name).write_text(text.lstrip("\n"))
    return commit_project(root, ml)


@pytest.fixture
def project(tmp_path, ml, monkeypatch):
    """The model project of tests/config, committed to a new git repository."""
    return commit(tmp_path / "project", {"src/configs": CONFIGS,
                                         "src/models": {**MODELS, "my_model.py": MODEL}},
                  ml, monkeypatch)


def cli(module: str, *args: str, cwd, ml):
    """``python -m derivaml_jupyter.<module> ARGS`` on ``ml``'s catalog, through the layer."""
    return run_module(module, *args, cwd=cwd, target=(ml.hostname, ml.catalog_id),
                      extra_path=SITE)


def test_reproduce_reruns_the_recorded_commit_and_dataset_version(ml, project):
    from derivaml_jupyter.execution.experiment import read_hydra_config
    from derivaml_jupyter.runners.reproduce import reproductions_of

    run = cli("runners.run_model_cli", "model_config=quick", "datasets=current_images",
              "model_config.epochs=4", cwd=project, ml=ml)
    assert run.returncode == 0, run.stderr
    original = recorded_rid(run.stdout)
    commit = git(project, "rev-parse", "HEAD").strip()
    (project / "src/models/my_model.py").write_text("raise ImportError('new code')\n")
    git(project, "commit", "-qam", "break the model")
    ml.increment_dataset_version(ml.images, "minor")

    result = cli("cli.main", "reproduce", original, cwd=project, ml=ml)
    new = reproduced_rid(result)
    assert f"Reproducing execution {original}" in result.stdout
    assert f"at commit {commit[:12]} of {project}" in result.stdout

    record = ml.lookup_execution(new)
    assert record.status == "Uploaded"
    assert record.description.startswith(f"Reproduction of {original} at commit {commit[:12]}")
    assert record.workflow.workflow_rid == ml.lookup_execution(original).workflow.workflow_rid
    assert [(d["rid"], d["version"]) for d in record.inputs["datasets"]] == \
        [(ml.images, "0.1.0")]
    assert str(ml.current_dataset_version(ml.images)) == "0.2.0"
    assert read_hydra_config(ml, new)["model_config"]["epochs"] == 4
    assert reproductions_of(ml, original) == [new]

    outputs = {r["Filename"]: r for r in record.outputs["assets"]["Execution_Metadata"]}
    dest = project.parent / "reproduction.json"
    ml.catalog.get_object(outputs["reproduction.json"]["URL"], dest)
    recorded = json.loads(dest.read_text())
    assert (recorded["reproduces"], recorded["commit"]) == (original, commit)
    assert recorded["dataset_versions"] == {ml.images: "0.1.0"}
    assert "environment_diff" in recorded
    (result_file,) = record.outputs["assets"]["Execution_Asset"]
    ml.catalog.get_object(result_file["URL"], project.parent / "result.txt")
    assert (project.parent / "result.txt").read_text() == "lr=0.01 epochs=4\n"


def test_reproduce_reruns_a_notebook_with_its_parameters(ml, tmp_path, monkeypatch):
    from derivaml_jupyter.execution.experiment import read_hydra_config

    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.v4.new_notebook(cells=[  # cell ids fixed: the same file, commit
        nbformat.v4.new_code_cell(source, id=f"cell-{i}",
                                  metadata={"tags": [tag]} if tag else {})
        for i, (tag, source) in enumerate(CELLS)], metadata={"kernelspec": {
            "name": "python3", "display_name": "Python 3", "language": "python"}})
    project = commit(tmp_path / "nbproject", {
        "src/configs": NOTEBOOK_CONFIGS,
        "notebooks": {"report.ipynb": nbformat.writes(notebook)}}, ml, monkeypatch)
    path = project / "notebooks" / "report.ipynb"
    first = cli("runners.run_notebook_cli", str(path), "threshold=0.75",
                "datasets=current_images", "-p", "title", "Hello", cwd=project, ml=ml)
    assert first.returncode == 0, first.stdout + first.stderr
    original = recorded_rid(first.stdout)
    ml.increment_dataset_version(ml.images, "minor")
    path.write_text(path.read_text().replace("{title} {config.threshold}", "new code"))
    git(project, "commit", "-qam", "change the notebook")

    new = reproduced_rid(cli("cli.main", "reproduce", original, cwd=project, ml=ml))

    record = ml.lookup_execution(new)
    assert record.status == "Uploaded"
    assert record.description.startswith(f"Reproduction of {original}")
    assert [(d["rid"], d["version"]) for d in record.inputs["datasets"]] == \
        [(ml.images, "0.1.0")]
    assert read_hydra_config(ml, new)["threshold"] == 0.75
    (summary,) = [r for r in record.outputs["assets"]["Execution_Asset"]
                  if r["Filename"] == "summary.txt"]
    ml.catalog.get_object(summary["URL"], tmp_path / "summary.txt")
    assert (tmp_path / "summary.txt").read_text() == "Hello 0.75"
