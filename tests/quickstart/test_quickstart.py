"""The quickstart project end to end: demo data, the analysis notebook through
``deriva-ml-run-notebook``, a training experiment and a named sweep through ``deriva-ml-run``,
each checked by what the catalog holds afterwards."""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from derivaml_jupyter.ml import DerivaML

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart"
BIN = Path(sys.executable).parent


def run(cmd: list[str], cwd: Path, env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> tuple[Path, dict]:
    """A copy of the quickstart project in a git repository, with the demo data loaded."""
    root = tmp_path_factory.mktemp("quickstart")
    project = root / "project"
    shutil.copytree(QUICKSTART, project, ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ, DERIVAML_HOME=str(root / "home"), GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@example.invalid", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.invalid")
    for cmd in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "init"]):
        run(cmd, project, env)
    run([str(BIN / "derivaml"), "demo", "--catalog", "quickstart"], project, env)
    return project, env


def catalog(env: dict) -> DerivaML:
    os.environ["DERIVAML_HOME"] = env["DERIVAML_HOME"]
    return DerivaML("local", "quickstart")


def stored_text(ml: DerivaML, row: dict, tmp_path: Path) -> str:
    dest = tmp_path / row["Filename"]
    ml.catalog.get_object(row["URL"], dest)
    return dest.read_text()


def test_demo_rids_match_the_project_configs(project, monkeypatch):
    _, env = project
    monkeypatch.setenv("DERIVAML_HOME", env["DERIVAML_HOME"])
    configs = (QUICKSTART / "src" / "configs" / "datasets.py").read_text()
    declared = re.search(r'DEMO_COMPLETE, DEMO_TRAINING, DEMO_TESTING = "([^"]+)", '
                         r'"([^"]+)", "([^"]+)"', configs)
    rids = dict(zip(["Complete", "Training", "Testing"], declared.groups()))
    datasets = {d.dataset_rid: d for d in catalog(env).find_datasets()}
    for kind, rid in rids.items():
        assert rid in datasets, f"demo dataset {kind} is not {rid}: {list(datasets)}"
        assert kind in datasets[rid].dataset_types
        assert str(datasets[rid].current_version) == "1.0.0"


def test_notebook_run_uploads_notebook_and_markdown(project, tmp_path, monkeypatch):
    cwd, env = project
    monkeypatch.setenv("DERIVAML_HOME", env["DERIVAML_HOME"])
    result = run([str(BIN / "deriva-ml-run-notebook"), "notebooks/digits_analysis.ipynb",
                  "-p", "examples_shown", "12"], cwd, env)
    rid = re.search(r"Execution (\S+): Uploaded", result.stdout).group(1)
    ml = catalog(env)
    record = ml.lookup_execution(rid)
    assert record.status == "Uploaded"
    assert [d["version"] for d in record.inputs["datasets"]] == ["1.0.0"]
    outputs = {r["Filename"]: r for r in record.outputs["assets"]["Execution_Asset"]}
    assert {"digits_analysis.ipynb", "digits_analysis.md", "digit_examples.png"} <= set(outputs)
    markdown = stored_text(ml, outputs["digits_analysis.md"], tmp_path)
    image = re.search(r"data:image/png;base64,([A-Za-z0-9+/=]+)", markdown).group(1)
    assert base64.b64decode(image).startswith(b"\x89PNG")
    assert re.search(r"^\|\s*\|\s*Label\s*\|\s*Images\s*\|", markdown, re.M)
    assert "examples_shown = 12" in stored_text(ml, outputs["digits_analysis.ipynb"], tmp_path)


def test_experiment_run_records_model_and_metrics(project, tmp_path, monkeypatch):
    cwd, env = project
    monkeypatch.setenv("DERIVAML_HOME", env["DERIVAML_HOME"])
    run([str(BIN / "deriva-ml-run"), "+experiment=quick_training"], cwd, env)
    ml = catalog(env)
    (record,) = [r for r in ml.find_executions(status="Uploaded")
                 if "quick_training" in r.description]
    assert sorted(d["version"] for d in record.inputs["datasets"]) == ["1.0.0", "1.0.0"]
    metrics = {r["Filename"]: r for r in record.outputs["assets"]["Execution_Metadata"]}
    assert '"epochs": 50' in stored_text(ml, metrics["metrics.json"], tmp_path)
    assert "digits_model.pkl" in {r["Filename"]
                                  for r in record.outputs["assets"]["Execution_Asset"]}
    assert record.workflow.url and "digits.py" in record.workflow.url


def test_named_sweep_creates_parent_and_children(project, monkeypatch):
    cwd, env = project
    monkeypatch.setenv("DERIVAML_HOME", env["DERIVAML_HOME"])
    result = run([str(BIN / "deriva-ml-run"), "+multirun=lr_sweep"], cwd, env)
    parent_rid = re.search(r"Multirun parent execution: (\S+)", result.stdout).group(1)
    parent = catalog(env).lookup_execution(parent_rid)
    assert "Learning rate sweep" in parent.description
    children = parent.list_nested_executions()
    assert len(children) == 3
    assert all(c.status == "Uploaded" for c in children)
    assert [re.search(r"learning_rate=([\d.]+)", c.description).group(1)
            for c in children] == ["0.01", "0.1", "1.0"]
