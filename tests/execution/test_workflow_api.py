"""deriva-ml's ``Workflow`` methods: its types (in the catalog once the workflow is recorded),
``get_url_and_checksum`` and ``get_dynamic_version`` on real git repositories, and
``ExecutionConfiguration.load_configuration``."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import pytest

from derivaml.execution import ExecutionConfiguration, Workflow
from derivaml_jupyter.core.errors import (
    DerivaMLDirtyWorkflowError,
    DerivaMLInvalidTerm,
    DerivaMLWorkflowError,
)
from derivaml_jupyter.dataset.spec import DatasetSpec

from .test_provenance import git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "train.py").write_text("print('training')\n")
    git(repo, "init", "-q")
    git(repo, "remote", "add", "origin", "git@example.org:lab/project.git")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    return repo


def test_description_defaults_to_none():
    assert Workflow(name="W", workflow_type="Training").description is None


def test_types_of_a_workflow_not_yet_recorded(ml):
    wf = ml.create_workflow("W", "Training")
    wf.add_workflow_types(["Training", "Analysis Notebook"])
    assert wf.workflow_type == ["Training", "Analysis Notebook"]
    wf.remove_workflow_type("Training")
    assert wf.workflow_type == ["Analysis Notebook"]
    with pytest.raises(DerivaMLInvalidTerm):
        wf.add_workflow_type("No such type")


@pytest.mark.real_server
def test_types_of_a_recorded_workflow_are_written_to_the_catalog(ml, backend):
    ml.add_term("Workflow_Type", "Inference", description="Runs a model.")
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    wf = ml.lookup_workflow(exe.workflow_rid)
    wf.add_workflow_type("Inference")
    wf.add_workflow_type("Inference")  # no change
    assert sorted(ml.lookup_workflow(exe.workflow_rid).workflow_type) == ["Inference", "Training"]
    wf.remove_workflow_type("Training")
    assert ml.lookup_workflow(exe.workflow_rid).workflow_type == ["Inference"]
    assert wf.workflow_type == ["Inference"]
    # A workflow made here is bound to the catalog once an execution records it.
    made = Workflow(name="Made", workflow_type="Training", url="https://x/made.py",
                    checksum="made")
    ml.create_execution(ExecutionConfiguration(workflow=made))
    made.add_workflow_type("Inference")
    assert sorted(ml.lookup_workflow(made.workflow_rid).workflow_type) == [
        "Inference", "Training"]


def test_url_and_checksum_of_a_committed_file(repo):
    url, checksum = Workflow.get_url_and_checksum(repo / "train.py")
    commit = git(repo, "rev-parse", "HEAD")
    assert url == f"https://example.org/lab/project/blob/{commit}/train.py"
    assert checksum == git(repo, "hash-object", "train.py")


def test_uncommitted_changes_raise_unless_allowed(repo, caplog):
    (repo / "train.py").write_text("print('changed')\n")
    with pytest.raises(DerivaMLDirtyWorkflowError) as raised:
        Workflow.get_url_and_checksum(repo / "train.py")
    assert raised.value.dirty_paths == [" M train.py"]
    with caplog.at_level(logging.WARNING, logger="derivaml"):
        url, checksum = Workflow.get_url_and_checksum(repo / "train.py", allow_dirty=True)
    assert "uncommitted changes" in caplog.text
    assert checksum == git(repo, "hash-object", "train.py")


def test_outside_git(tmp_path):
    script = tmp_path / "loose.py"
    script.write_text("pass\n")
    with pytest.raises(DerivaMLWorkflowError, match="not in a git repository"):
        Workflow.get_url_and_checksum(script)
    assert Workflow.get_url_and_checksum(script, allow_dirty=True) == ("", "")
    with pytest.raises(DerivaMLWorkflowError, match="no version"):
        Workflow.get_dynamic_version(tmp_path)


def test_dynamic_version_in_setuptools_scm_form(repo):
    sha = git(repo, "rev-parse", "--short", "HEAD")
    assert Workflow.get_dynamic_version(repo) == f"0.1.dev1+g{sha}"
    git(repo, "tag", "v1.2.3")
    assert Workflow.get_dynamic_version(str(repo)) == "1.2.3"
    (repo / "more.py").write_text("pass\n")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "second")
    sha = git(repo, "rev-parse", "--short", "HEAD")
    assert Workflow.get_dynamic_version(repo) == f"1.2.4.dev1+g{sha}"
    (repo / "more.py").write_text("changed\n")
    assert Workflow.get_dynamic_version(repo) == \
        f"1.2.4.dev1+g{sha}.d{date.today():%Y%m%d}"


def test_load_configuration_reads_what_an_execution_records(tmp_path):
    wf = Workflow(name="W", workflow_type=["Training"], description="d", url="https://x/y",
                  checksum="abc", workflow_rid="1-WF")
    config = ExecutionConfiguration(workflow=wf, description="run",
                                    datasets=[DatasetSpec(rid="1-ABC", version="0.2.0")],
                                    assets=["2-XYZ"], config_choices={"model": "cnn"})
    path = tmp_path / "configuration.json"
    path.write_text(json.dumps(config.to_dict()))
    loaded = ExecutionConfiguration.load_configuration(path)
    assert loaded.to_dict() == config.to_dict()
    assert loaded.workflow.workflow_rid == "1-WF"
