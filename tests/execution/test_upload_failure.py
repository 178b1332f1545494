"""Honest upload status: an upload that fails (a full disk, a staged file never written) leaves
the execution Failed with a clear error, and a resume that completes ends it Uploaded with the
failure kept in its status history."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from derivaml_jupyter.core.definitions import Status
from derivaml_jupyter.core.errors import DerivaMLUploadError
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML

SIZE = 64 * 1024  # each output; the full disk below holds 4 KB


def can_mount_tmpfs() -> bool:
    """Whether this process may mount a tmpfs in a private mount namespace (root, unshare)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


def derivaml(home: Path, *args: str, full_disk: Path | None = None
             ) -> subprocess.CompletedProcess:
    """Run ``derivaml ARGS``; with ``full_disk``, that folder is a 4 KB tmpfs the process sees
    (in its own mount namespace, gone when it exits), so writing there fails with ENOSPC."""
    command = [sys.executable, "-m", "derivaml_jupyter.cli.main", *args]
    if full_disk is not None:
        command = ["unshare", "-m", "sh", "-c", 'mount -t tmpfs -o size=4k tmpfs "$0" && '
                   'exec "$@"', str(full_disk), *command]
    return subprocess.run(command, env={**os.environ, "DERIVAML_HOME": str(home)},
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def finished_run(ml: DerivaML) -> tuple[DerivaML, str]:
    """An execution that ran and staged two Model files, not uploaded yet."""
    ml.create_asset("Model")
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Train", "Training")))
    with exe:
        for name in ("a.bin", "b.bin"):
            exe.asset_file_path("Model", name).write_bytes(os.urandom(SIZE))
    return ml, exe.execution_rid


@pytest.mark.skipif(not can_mount_tmpfs(), reason="needs root and unshare to mount a tmpfs")
def test_resume_after_a_full_disk_ends_uploaded_keeping_the_failure(finished_run, tmp_path):
    ml, rid = finished_run
    store = ml.catalog.path / "hatrac" / "domain" / "Model"
    store.mkdir(parents=True, exist_ok=True)

    failed = derivaml(tmp_path, "upload", rid, "--quiet", full_disk=store)

    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert failed.stderr.startswith("derivaml upload: error: Uploading the outputs of "
                                    f"execution {rid} failed: [Errno 28] No space left")
    assert f"`derivaml upload {rid}`" in failed.stderr and len(failed.stderr.splitlines()) == 1
    record = ml.lookup_execution(rid)
    assert record.status == Status.failed
    assert record.status_detail.startswith("Upload failed: OSError: [Errno 28]")
    assert ml.catalog.count("domain", "Model") == 0
    assert not any(store.iterdir())  # nothing half-written left in the store

    resumed = derivaml(tmp_path, "upload", rid, "--quiet")

    assert resumed.returncode == 0, resumed.stderr
    assert f"Execution {rid}: Uploaded, 2 file(s) uploaded" in resumed.stdout
    record = ml.lookup_execution(rid)
    assert record.status == Status.uploaded
    assert record.status_detail.startswith(
        "Uploaded 2 file(s), resuming after: Upload failed: OSError: [Errno 28]")
    history = ml.restore_execution(rid).status_history
    assert [h["status"] for h in history] == [
        "Running", "Stopped", "Pending_Upload", "Failed", "Pending_Upload", "Uploaded"]
    assert "No space left on device" in history[3]["detail"]
    assert record.status_history == history
    assert sorted(r["Filename"] for r in ml.catalog.select("domain", "Model")) == \
        ["a.bin", "b.bin"]


@pytest.mark.real_server
def test_a_staged_file_never_written_keeps_the_upload_from_reporting_uploaded(ml):
    ml.create_asset("Model")
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Train", "Training")))
    with exe:
        exe.asset_file_path("Model", "written.bin").write_bytes(b"w" * 100)
        forgotten = exe.asset_file_path("Model", "forgotten.bin")

    with pytest.raises(DerivaMLUploadError, match=r"never written.*assets/Model/forgotten\.bin"):
        exe.upload_execution_outputs(progress=False)

    assert exe.status is Status.failed
    assert [r["Filename"] for r in ml.catalog.select("domain", "Model")] == ["written.bin"]
    forgotten.write_bytes(b"f" * 100)
    uploaded = exe.upload_execution_outputs(progress=False)
    assert [p.name for p in uploaded["domain/Model"]] == ["forgotten.bin"]
    assert exe.status is Status.uploaded
    assert [h["status"] for h in exe.status_history][-3:] == ["Failed", "Pending_Upload",
                                                               "Uploaded"]
    record = ml.lookup_execution(exe.execution_rid)
    record.update_status(Status.aborted, "superseded")
    assert record.status_history == exe.status_history
    assert exe.status_history[-1]["status"] == "Aborted"


@pytest.mark.real_server
def test_a_failed_run_stays_failed_after_its_outputs_are_uploaded(ml):
    ml.create_asset("Model")
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Train", "Training")))
    with pytest.raises(RuntimeError), exe:
        exe.asset_file_path("Model", "partial.bin").write_bytes(b"p")
        raise RuntimeError("diverged")
    exe.upload_execution_outputs(progress=False)
    assert exe.status is Status.failed
    assert ml.lookup_execution(exe.execution_rid).status_detail == "RuntimeError: diverged"
