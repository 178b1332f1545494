"""deriva-ml-run end to end against the embedded local catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch):
    """Open the test project's local catalog (``projcat``) after the CLI wrote it."""

    def open_catalog():
        from derivaml_jupyter.ml import DerivaML

        monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
        return DerivaML("local", "projcat")

    return open_catalog


def test_run_records_an_uploaded_execution(model_project, run_cli, catalog):
    r = run_cli("model_config=quick", cwd=model_project)
    assert r.returncode == 0, r.stderr
    assert "Committed 1 asset(s) to catalog:" in r.stdout
    ml = catalog()
    (rid,) = ml.find_executions().RID
    record = ml.lookup_execution(rid)
    assert record.status == "Uploaded"
    assert record.description == "Tiny model run [overrides: model_config=quick]"
    assert record.workflow.url.endswith("src/models/my_model.py")
    outputs = record.outputs["assets"]
    (result,) = outputs["Execution_Asset"]
    assert result["Filename"].startswith("result-")
    metadata = {row["Filename"] for row in outputs["Execution_Metadata"]}
    assert "configuration.json" in metadata
    assert any(name.endswith("-config.yaml") for name in metadata)  # Hydra's resolved config


def test_dry_run_writes_no_execution(model_project, run_cli, catalog):
    r = run_cli("dry_run=true", cwd=model_project)
    assert r.returncode == 0, r.stderr
    assert "Committed" not in r.stdout
    assert catalog().find_executions().empty


@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_named_multirun_nests_jobs_under_one_parent(model_project, run_cli, catalog, launcher):
    r = run_cli("+multirun=lr_sweep", f"hydra/launcher={launcher}", cwd=model_project)
    assert r.returncode == 0, r.stderr
    ml = catalog()
    executions = ml.find_executions()
    assert len(executions) == 3
    parent_rid = r.stdout.split("Multirun parent execution: ")[1].split()[0]
    parent = ml.lookup_execution(parent_rid)
    assert parent.status == "Uploaded"
    assert parent.description.startswith("## Learning Rate Sweep")
    children = ml.restore_execution(parent_rid).list_nested_executions()
    assert [c.description.split("]")[0] for c in children] == ["[Job 0", "[Job 1"]
    assert all(c.status == "Uploaded" for c in children)
    assert "model_config.learning_rate=0.2" in children[1].description


def test_a_sweep_with_a_failed_job_leaves_its_parent_failed(model_project, run_cli, catalog):
    r = run_cli("--multirun", "model_config.epochs=1,-1", cwd=model_project)
    assert r.returncode != 0
    assert "epochs must not be negative" in r.stderr
    ml = catalog()
    parent_rid = r.stdout.split("Multirun parent execution: ")[1].split()[0]
    children = ml.lookup_execution(parent_rid).list_nested_executions()
    assert [c.status for c in children] == ["Uploaded", "Failed"]
    # the failed job's partial output is uploaded all the same
    assert len(children[1].outputs["assets"]["Execution_Asset"]) == 1
    parent = ml.lookup_execution(parent_rid)
    assert parent.status == "Failed"
    assert f"did not succeed: {children[1].execution_rid} (Failed)" in parent.status_detail
