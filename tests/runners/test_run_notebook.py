"""run_notebook(): config name, project discovery, overrides and the execution file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from derivaml_jupyter.config.run_notebook import (
    current_notebook_path,
    find_project_src,
    run_notebook,
)
from derivaml_jupyter.core.errors import DerivaMLException
from derivaml_jupyter.execution.workflow import Workflow


class FakeExecution:
    def __init__(self, configuration, dry_run):
        self.configuration = configuration
        self.dry_run = dry_run
        self.execution_rid = "1-ABCD"
        self.working_dir = Path("/tmp/exe")
        self.entered = False

    def __enter__(self):
        self.entered = True
        return self


class FakeML:
    def __init__(self, hostname, catalog_id, working_dir=None, hydra_runtime_output_dir=None):
        self.hostname, self.catalog_id = hostname, catalog_id
        self.working_dir = Path(working_dir or "/tmp/work")
        self.hydra_runtime_output_dir = hydra_runtime_output_dir

    def create_workflow(self, name, workflow_type, description=""):
        return Workflow(name=name, workflow_type=workflow_type, description=description)

    def create_execution(self, configuration, dry_run=False):
        return FakeExecution(configuration, dry_run)


def test_notebook_path_sources(monkeypatch, tmp_path):
    for var in ("DERIVA_ML_NOTEBOOK_PATH", "PAPERMILL_INPUT_PATH", "JPY_SESSION_NAME"):
        monkeypatch.delenv(var, raising=False)
    assert current_notebook_path() is None
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "b.ipynb"))
    assert current_notebook_path().name == "b.ipynb"
    monkeypatch.setenv("DERIVA_ML_NOTEBOOK_PATH", str(tmp_path / "a.ipynb"))
    assert current_notebook_path().name == "a.ipynb"


def test_config_name_required_outside_notebooks(project, monkeypatch):
    monkeypatch.chdir(project)
    with pytest.raises(DerivaMLException, match="config_name is required"):
        run_notebook(ml_class=FakeML)


def test_find_project_src(project):
    assert find_project_src(project / "notebooks") == project / "src"
    assert find_project_src(project / "src" / "configs") == project / "src"
    assert find_project_src(project.parent.parent / "nowhere-xyz") is None


def test_run_notebook_from_runner_environment(project, monkeypatch, tmp_path):
    notebook = project / "notebooks" / "report.ipynb"
    notebook.write_text("{}")
    rid_file = tmp_path / "out" / "execution.json"
    monkeypatch.setenv("DERIVA_ML_NOTEBOOK_PATH", str(notebook))
    monkeypatch.setenv("DERIVA_ML_HYDRA_OVERRIDES", json.dumps(["threshold=0.9"]))
    monkeypatch.setenv("DERIVA_ML_SAVE_EXECUTION_RID", str(rid_file))
    monkeypatch.chdir(tmp_path)
    ml, execution, config = run_notebook(ml_class=FakeML, overrides=["deriva_ml.catalog_id=x"])
    assert config.threshold == 0.9
    assert (ml.hostname, ml.catalog_id) == ("local", "x")
    assert ml.hydra_runtime_output_dir  # the Hydra job folder
    assert execution.entered and not execution.dry_run
    conf = execution.configuration
    wf = conf.workflow
    assert wf.name == "Report" and wf.workflow_type == ["Analysis Notebook"] and wf.is_notebook
    assert wf.source_path == str(notebook.resolve())
    assert conf.description.startswith("Plot and table report.")
    assert "threshold=0.9" in conf.description
    assert conf.config_choices["deriva_ml"] == "default_deriva"
    saved = json.loads(rid_file.read_text())
    assert saved["execution_rid"] == "1-ABCD" and saved["hostname"] == "local"
    assert saved["catalog_id"] == "x" and saved["ml_working_dir"] == "/tmp/work"
    assert saved["working_dir"] == "/tmp/exe"
    assert saved["hydra_run_dir"] == str(ml.hydra_runtime_output_dir)


def test_run_notebook_interactive_with_name(project, monkeypatch):
    monkeypatch.chdir(project / "notebooks")
    ml, execution, config = run_notebook("report", ml_class=FakeML, workflow_name="My Report")
    assert config.threshold == 0.5 and ml.catalog_id == "nbtest"
    assert execution.configuration.workflow.name == "My Report"
    assert execution.configuration.workflow.source_path is None
