"""The parent execution of a multirun (sweep), shared by all its jobs.

Hydra launchers may run jobs in separate processes (joblib), so jobs coordinate through a
JSON file in the Hydra sweep directory, guarded by an exclusive file lock: the first job
creates the parent execution and records its RID; later jobs read it and link their own
execution under it. The launching process finalizes the parent (stop and upload) once all
jobs are done — ``deriva-ml-run`` does so explicitly; without the CLI an ``atexit`` hook in
the process that created the parent does it, unless that process is a submitit job (Hydra's
``submitit_local``/``submitit_slurm`` launchers), which ends before the other jobs do.
Finalizing marks Failed the jobs whose process vanished mid-run (killed, past a cluster's
time limit).
"""

from __future__ import annotations

import atexit
import fcntl
import importlib
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from functools import reduce
from pathlib import Path
from typing import Any

from ..core.errors import DerivaMLException
from ..execution.configuration import ExecutionConfiguration
from .connection import DerivaMLConfig

STATE_FILE = "derivaml-sweep-parent.json"
LOCK_FILE = "derivaml-sweep-parent.lock"
# Set by deriva-ml-run, which finalizes the parent itself after the sweep.
FINALIZED_BY_CLI_ENV = "DERIVAML_SWEEP_FINALIZED_BY_CLI"
# Set by submitit in the processes running its jobs (local and SLURM).
SUBMITIT_JOB_ENV = "SUBMITIT_EXECUTOR"
# Statuses of a job that succeeded, and of one whose end was recorded.
_SUCCEEDED = ("Uploaded", "Stopped", "Pending_Upload")
_ENDED = (*_SUCCEEDED, "Failed", "Aborted")
log = logging.getLogger("derivaml")
# Sweep directories whose parent this process finalizes at exit.
_FINALIZE_AT_EXIT: set[Path] = set()


class SweepJobsFailed(DerivaMLException):
    """Some jobs of a sweep failed; recorded on the sweep's parent execution."""


class SweepJobVanished(DerivaMLException):
    """A sweep job's process ended without recording the end of its run (killed, out of
    memory, past its time limit, or its node failed); recorded on that job's execution."""


@contextmanager
def _locked(sweep_dir: Path) -> Iterator[Path]:
    """Hold the sweep's lock; yield the state file path."""
    sweep_dir.mkdir(parents=True, exist_ok=True)
    with open(sweep_dir / LOCK_FILE, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield sweep_dir / STATE_FILE
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _read(state_file: Path) -> dict[str, Any]:
    return json.loads(state_file.read_text()) if state_file.is_file() else {}


def _class_path(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def _connection_fields(config: Any) -> dict[str, Any]:
    """Connection settings safe to write to disk (never the credential)."""
    fields = asdict(config) if isinstance(config, DerivaMLConfig) else dict(config)
    fields.pop("credential", None)
    fields.pop("hydra_runtime_output_dir", None)
    if isinstance(fields.get("domain_schemas"), set | frozenset):
        fields["domain_schemas"] = sorted(fields["domain_schemas"])
    return fields


def join_sweep_parent(sweep_dir: Path, ml: Any, deriva_ml: Any, workflow: Any,
                      description: str) -> Any:
    """Return the sweep's parent execution, creating and starting it for the first job."""
    with _locked(sweep_dir) as state_file:
        state = _read(state_file)
        # deriva-ml-run gives every sweep its own folder, so a job that joins after the parent
        # was finalized (the launcher was interrupted while jobs were queued) still belongs to it.
        if state and (not state.get("finalized") or os.environ.get(FINALIZED_BY_CLI_ENV)):
            return ml.restore_execution(state["rid"])
        parent = ml.create_execution(
            ExecutionConfiguration(workflow=workflow, description=description))
        parent.execution_start()
        state_file.write_text(json.dumps({
            "rid": parent.execution_rid,
            "ml_class": _class_path(type(ml)),
            "deriva_ml": _connection_fields(deriva_ml),
            "finalized": False,
        }, indent=2))
    if not os.environ.get(FINALIZED_BY_CLI_ENV) and sweep_dir not in _FINALIZE_AT_EXIT:
        _FINALIZE_AT_EXIT.add(sweep_dir)
        if os.environ.get(SUBMITIT_JOB_ENV):
            log.warning(
                "Sweep parent execution %s stays Running: this submitit job ends before the "
                "sweep's other jobs, so it cannot finalize the parent. Run the sweep with "
                "deriva-ml-run, or call finalize_sweep_parent(%r) once all jobs are done.",
                parent.execution_rid, str(sweep_dir))
        else:
            atexit.register(finalize_sweep_parent, sweep_dir)
    return parent


def reset_multirun_state() -> None:
    """Forget the sweeps this process joined: the parent executions it would finalize at
    exit are left to their launcher (or to ``finalize_sweep_parent``), and the next sweep
    starts afresh. For tests and long-lived processes (a notebook kernel) that run several
    multiruns."""
    atexit.unregister(finalize_sweep_parent)
    _FINALIZE_AT_EXIT.clear()


def finalize_sweep_parent(sweep_dir: Path) -> str | None:
    """Stop and upload the sweep's parent execution; return its RID (None if there is none).

    The parent ends Failed, naming the failed jobs, when any of its jobs failed or never
    finished. Call it once all jobs are done: a job whose process ended without recording the
    end of its run (killed, or past a cluster's time limit) is then marked Failed and what it
    wrote is uploaded, as for a job that raised. Called while a ``KeyboardInterrupt``
    propagates (the launcher was interrupted, and cluster jobs may still run), it leaves
    unfinished jobs as they are and the parent ends Failed. Safe to call more than once and
    from any process: only the first call acts.
    """
    sweep_dir = Path(sweep_dir)
    if not (sweep_dir / STATE_FILE).is_file():
        return None
    with _locked(sweep_dir) as state_file:
        state = _read(state_file)
        if not state or state.get("finalized"):
            return state.get("rid")
        module, _, qualname = state["ml_class"].partition(":")
        ml_class = reduce(getattr, qualname.split("."), importlib.import_module(module))
        ml = ml_class.instantiate(DerivaMLConfig(**state["deriva_ml"]))
        parent = ml.restore_execution(state["rid"])
        interrupted = isinstance(sys.exc_info()[1], KeyboardInterrupt)
        if not interrupted:
            for child in parent.list_nested_executions():
                if child.status not in _ENDED:
                    _fail_vanished_job(ml, child.execution_rid)
        unfinished = [f"{c.execution_rid} ({c.status})" for c in parent.list_nested_executions()
                      if c.status not in _SUCCEEDED]
        reasons = ["the sweep was interrupted"] if interrupted else []
        if unfinished:
            reasons.append(f"{len(unfinished)} job(s) of the sweep did not succeed: "
                           f"{', '.join(unfinished)}")
        if reasons:
            parent.execution_stop(SweepJobsFailed("; ".join(reasons)))
        parent.upload_execution_outputs()
        state["finalized"] = True
        state_file.write_text(json.dumps(state, indent=2))
        return state["rid"]


def _fail_vanished_job(ml: Any, rid: str) -> None:
    """Mark Failed a job whose process vanished mid-run, and upload what it wrote; an error
    is logged, never keeping the parent from being finalized."""
    try:
        job = ml.restore_execution(rid)
        job.execution_stop(SweepJobVanished(
            "the job's process ended without recording the end of its run (killed, out of "
            "memory, past its time limit, or its node failed)"))
        job.upload_execution_outputs()
    except Exception as e:  # the sweep's own outcome is what matters here
        log.error("Recording the end of vanished sweep job %s failed: %s: %s", rid,
                  type(e).__name__, e)
