# ruff: noqa: F811
"""Sweeps through Hydra's submitit launcher (``hydra/launcher=submitit_local``: each job in
its own process, as on a SLURM cluster) record and upload as with the basic and joblib
launchers, on the embedded local catalog and, with DERIVAML_TEST_HOST, on a fresh catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import write_package

# test_e2e's fixtures, requested by name below (hence F811 on those parameters).
from .test_e2e import catalog, run, target  # noqa: F401

pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
pytestmark = [pytest.mark.slow, pytest.mark.real_server]

SUBMITIT = "hydra/launcher=submitit_local"

# A model whose job process is killed mid-run (as by a cluster's time limit) when epochs=0.
VANISHING_MODEL = '''
import os
import signal


def train(epochs: int = 1, ml_instance=None, execution=None):
    execution.asset_file_path("Execution_Asset", f"partial-{os.getpid()}.txt").write_text("1")
    if epochs == 0:
        os.kill(os.getpid(), signal.SIGKILL)
'''
VANISHING_CONFIG = '''
from hydra_zen import builds, store
from models.vanishing import train

store(builds(train, populate_full_signature=True, zen_partial=True),
      group="model_config", name="vanishing")
'''


def parent_of(stdout: str) -> str:
    return stdout.split("Multirun parent execution: ")[1].split()[0]


def submitit_results(tmp_path: Path) -> list[Path]:
    """The result files submitit wrote, one per job it ran."""
    return list((tmp_path / "home").rglob(".submitit/*/*_result.pkl"))


def test_submitit_sweep_nests_jobs_under_one_parent(model_project, run, catalog, tmp_path):
    r = run("+multirun=lr_sweep", SUBMITIT, cwd=model_project)
    assert r.returncode == 0, r.stderr
    assert "Submitit 'local' sweep" in r.stdout
    assert len(submitit_results(tmp_path)) == 2
    ml = catalog()
    assert len(ml.find_executions()) == 3
    parent = ml.lookup_execution(parent_of(r.stdout))
    assert parent.status == "Uploaded"
    assert parent.description.startswith("## Learning Rate Sweep")
    children = parent.list_nested_executions()
    assert [c.description.split("]")[0] for c in children] == ["[Job 0", "[Job 1"]
    assert all(c.status == "Uploaded" for c in children)
    assert "model_config.learning_rate=0.2" in children[1].description
    results = [row["Filename"] for c in children for row in c.outputs["assets"]["Execution_Asset"]]
    assert len(set(results)) == 2  # each job ran in its own process


def test_a_failed_submitit_job_leaves_its_parent_failed(model_project, run, catalog):
    r = run("--multirun", "model_config.epochs=1,-1", SUBMITIT, cwd=model_project)
    assert r.returncode != 0
    assert "epochs must not be negative" in r.stderr
    ml = catalog()
    parent = ml.lookup_execution(parent_of(r.stdout))
    children = parent.list_nested_executions()
    assert [c.status for c in children] == ["Uploaded", "Failed"]
    assert len(children[1].outputs["assets"]["Execution_Asset"]) == 1  # partial output
    assert parent.status == "Failed"
    assert f"did not succeed: {children[1].execution_rid} (Failed)" in parent.status_detail


def test_a_killed_submitit_job_is_failed_and_its_output_uploaded(model_project, run, catalog):
    write_package(model_project / "src" / "models", {"vanishing.py": VANISHING_MODEL})
    write_package(model_project / "src" / "configs", {"vanishing.py": VANISHING_CONFIG})
    r = run("--multirun", "model_config=vanishing", "model_config.epochs=1,0", SUBMITIT,
            cwd=model_project)
    assert r.returncode != 0
    ml = catalog()
    parent = ml.lookup_execution(parent_of(r.stdout))
    survivor, killed = parent.list_nested_executions()
    assert survivor.status == "Uploaded"
    assert killed.status == "Failed"
    assert killed.status_detail.startswith("SweepJobVanished: the job's process ended")
    assert len(killed.outputs["assets"]["Execution_Asset"]) == 1  # what it wrote before dying
    assert parent.status == "Failed"
    assert f"{killed.execution_rid} (Failed)" in parent.status_detail


def join_sweep(ml, sweep_dir: Path):
    """The parent of a sweep in ``sweep_dir``, as its first job makes it."""
    from derivaml_jupyter.config import sweep
    from derivaml_jupyter.config.connection import DerivaMLConfig
    from derivaml_jupyter.execution.workflow import Workflow

    return sweep.join_sweep_parent(
        sweep_dir, ml, DerivaMLConfig(hostname=ml.hostname, catalog_id=ml.catalog_id),
        Workflow(name="Sweep", workflow_type="Training"), "A sweep")


def start_job(ml, parent):
    """A running job of the sweep, nested under ``parent``, that wrote one output file."""
    job = ml.create_execution(workflow=parent.configuration.workflow, description="job")
    job.execution_start()
    parent.add_nested_execution(job, sequence=0)
    job.asset_file_path("Execution_Asset", "partial.txt").write_text("1")
    return job


def finalize_as_interrupted(sweep_dir: Path) -> None:
    """Finalize the sweep as deriva-ml-run does when Ctrl-C interrupts it."""
    from derivaml_jupyter.config.sweep import finalize_sweep_parent

    with pytest.raises(KeyboardInterrupt):
        try:
            raise KeyboardInterrupt
        finally:
            finalize_sweep_parent(sweep_dir)


def test_a_submitit_job_leaves_finalizing_its_parent_to_the_launcher(ml, tmp_path, monkeypatch,
                                                                     caplog):
    """Outside deriva-ml-run, the submitit job that made the parent must not finalize it when
    its process exits (other jobs still run); ``finalize_sweep_parent`` does, afterwards."""
    from derivaml_jupyter.config import sweep

    monkeypatch.delenv(sweep.FINALIZED_BY_CLI_ENV, raising=False)
    monkeypatch.setenv(sweep.SUBMITIT_JOB_ENV, "local")
    monkeypatch.setattr(sweep, "_FINALIZE_AT_EXIT", set())
    registered, register = [], sweep.atexit.register
    monkeypatch.setattr(sweep.atexit, "register", lambda f, *args: registered.append(f)
                        if f is sweep.finalize_sweep_parent else register(f, *args))
    sweep_dir = tmp_path / "sweep"
    parent = join_sweep(ml, sweep_dir)
    assert registered == []
    assert f"finalize_sweep_parent({str(sweep_dir)!r})" in caplog.text
    assert ml.lookup_execution(parent.execution_rid).status == "Running"
    assert sweep.finalize_sweep_parent(sweep_dir) == parent.execution_rid
    assert ml.lookup_execution(parent.execution_rid).status == "Uploaded"


@pytest.mark.parametrize("interrupted", [False, True])
def test_finalizing_fails_a_vanished_job_unless_the_launcher_was_interrupted(
        ml, tmp_path, monkeypatch, interrupted):
    """A job still Running when the sweep is finalized vanished, unless finalizing runs as
    the launcher is interrupted (Ctrl-C): then cluster jobs may still be running."""
    from derivaml_jupyter.config import sweep

    monkeypatch.setenv(sweep.FINALIZED_BY_CLI_ENV, "1")
    sweep_dir = tmp_path / "sweep"
    parent = join_sweep(ml, sweep_dir)
    job = start_job(ml, parent)
    if interrupted:
        finalize_as_interrupted(sweep_dir)
    else:
        sweep.finalize_sweep_parent(sweep_dir)
    (record,) = ml.lookup_execution(parent.execution_rid).list_nested_executions()
    assert record.status == ("Running" if interrupted else "Failed")
    if not interrupted:
        assert record.status_detail.startswith("SweepJobVanished:")
        assert len(record.outputs["assets"]["Execution_Asset"]) == 1
    parent_record = ml.lookup_execution(parent.execution_rid)
    assert parent_record.status == "Failed"
    assert f"{job.execution_rid} ({record.status})" in parent_record.status_detail
    assert ("the sweep was interrupted" in parent_record.status_detail) == interrupted


def test_a_job_joining_after_an_interrupted_launcher_nests_under_its_parent(ml, tmp_path,
                                                                            monkeypatch):
    """deriva-ml-run finalized the parent when interrupted; a job queued on the cluster that
    starts later still records under that parent, not a new one."""
    from derivaml_jupyter.config import sweep

    monkeypatch.setenv(sweep.FINALIZED_BY_CLI_ENV, "1")
    sweep_dir = tmp_path / "sweep"
    parent = join_sweep(ml, sweep_dir)
    finalize_as_interrupted(sweep_dir)
    assert ml.lookup_execution(parent.execution_rid).status_detail == \
        "SweepJobsFailed: the sweep was interrupted"
    late = join_sweep(ml, sweep_dir)
    assert late.execution_rid == parent.execution_rid
    job = ml.create_execution(workflow=parent.configuration.workflow, description="late job")
    late.add_nested_execution(job, sequence=1)
    with job.execute():
        pass
    job.upload_execution_outputs()
    (record,) = ml.lookup_execution(parent.execution_rid).list_nested_executions()
    assert (record.execution_rid, record.status) == (job.execution_rid, "Uploaded")
    assert len(ml.find_executions()) == 2  # the parent and the late job


def test_a_vanished_job_that_cannot_be_restored_still_lets_the_parent_end(ml, tmp_path,
                                                                          monkeypatch, caplog):
    from derivaml_jupyter.config import sweep
    from derivaml_jupyter.core.errors import DerivaMLException

    monkeypatch.setenv(sweep.FINALIZED_BY_CLI_ENV, "1")
    sweep_dir = tmp_path / "sweep"
    parent = join_sweep(ml, sweep_dir)
    job = start_job(ml, parent)
    restore = type(ml).restore_execution

    def restore_all_but_the_job(self, rid, *args, **kwargs):
        if rid == job.execution_rid:
            raise DerivaMLException("its working folder is gone")
        return restore(self, rid, *args, **kwargs)

    monkeypatch.setattr(type(ml), "restore_execution", restore_all_but_the_job)
    sweep.finalize_sweep_parent(sweep_dir)
    assert "its working folder is gone" in caplog.text
    parent_record = ml.lookup_execution(parent.execution_rid)
    assert parent_record.status == "Failed"
    assert f"{job.execution_rid} (Running)" in parent_record.status_detail
