"""deriva-ml-run end to end against the embedded local catalog (the project's ``projcat``)
and, with DERIVAML_TEST_HOST, against a fresh catalog of that server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.real_server]


@pytest.fixture
def target(remote_catalog) -> tuple[str, str]:
    """``(host, catalog)`` the runs write to."""
    return remote_catalog or ("local", "projcat")


@pytest.fixture
def run(run_cli, target):
    """``deriva-ml-run`` with the target's ``--host`` and ``--catalog``."""
    host, catalog_id = target
    return lambda *args, cwd: run_cli(*args, "--host", host, "--catalog", catalog_id, cwd=cwd)


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch, target):
    """Open the catalog the runs wrote to."""

    def open_catalog():
        from derivaml_jupyter.ml import DerivaML

        monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
        return DerivaML(*target)

    return open_catalog


def test_run_records_an_uploaded_execution(model_project, run, catalog):
    r = run("model_config=quick", cwd=model_project)
    assert r.returncode == 0, r.stderr
    assert "Committed 1 asset(s) to catalog:" in r.stdout
    ml = catalog()
    (record,) = ml.find_executions()
    assert record.status == "Uploaded"
    assert record.description.startswith("Tiny model run [overrides: model_config=quick")
    assert record.workflow.url.endswith("src/models/my_model.py")
    outputs = record.outputs["assets"]
    (result,) = outputs["Execution_Asset"]
    assert result["Filename"].startswith("result-")
    metadata = {row["Filename"] for row in outputs["Execution_Metadata"]}
    assert "configuration.json" in metadata
    assert any(name.endswith("-config.yaml") for name in metadata)  # Hydra's resolved config


def test_dry_run_writes_no_execution(model_project, run, catalog):
    r = run("dry_run=true", cwd=model_project)
    assert r.returncode == 0, r.stderr
    assert "Committed" not in r.stdout
    assert catalog().find_executions() == []


@pytest.mark.parametrize("launcher", ["basic", "joblib"])
def test_named_multirun_nests_jobs_under_one_parent(model_project, run, catalog, launcher):
    r = run("+multirun=lr_sweep", f"hydra/launcher={launcher}", cwd=model_project)
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


def test_a_sweep_with_a_failed_job_leaves_its_parent_failed(model_project, run, catalog):
    r = run("--multirun", "model_config.epochs=1,-1", cwd=model_project)
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


def test_eight_parallel_jobs_write_one_catalog(model_project, run, catalog):
    rates = [f"0.{i}" for i in range(1, 9)]
    r = run("--multirun", f"model_config.learning_rate={','.join(rates)}",
            "hydra/launcher=joblib", "hydra.launcher.n_jobs=8", cwd=model_project)
    assert r.returncode == 0, r.stderr
    ml = catalog()
    parent_rid = r.stdout.split("Multirun parent execution: ")[1].split()[0]
    children = ml.lookup_execution(parent_rid).list_nested_executions()
    assert len(children) == 8 and all(c.status == "Uploaded" for c in children)
    assert sorted(re.search(r"learning_rate=([0-9.]+)", c.description)[1]
                  for c in children) == rates
    results = [row for c in children for row in c.outputs["assets"]["Execution_Asset"]]
    assert len({row["Filename"] for row in results}) == 8  # one output per job process
