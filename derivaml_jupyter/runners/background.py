"""Headless runs started from Jupyter: ``deriva-ml-run-notebook`` / ``deriva-ml-run`` in
child processes (each in its own process group, with its own log file), recorded in a
``RunStore`` so they outlive the server that started them, and cancellable."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from ..core.errors import DerivaMLConflict, DerivaMLNotFound, DerivaMLValidationError
from .process_group import end_group, group_alive, leader_key
from .run_store import RunStore

_EXECUTION = re.compile(r"^(?:Execution|Multirun parent execution:) (\S+?):?(?: |$)", re.M)
# The hint both runners print after an execution: where it was recorded.
_WHERE = re.compile(r"derivaml execution \S+ --host ([^\s)]+) --catalog ([^\s)]+)")
TAIL_LINES = 40
# Runs the command, then writes its exit code to the file named by $0 (read after a restart).
_RECORD_EXIT = '"$@"; echo $? > "$0"'
LOST = ("Its process ended without recording an exit code (it was killed, or the machine "
        "restarted while it ran); the output below is all it wrote.")


def _checked(overrides: list[str]) -> list[str]:
    """Hydra overrides (``group=option``, ``+key=value``, ``~key``), never command options."""
    for o in overrides:
        if not isinstance(o, str) or o.startswith("-") or not ("=" in o or o.startswith("~")):
            raise DerivaMLValidationError(
                f"{o!r} is not a Hydra override: write group=option, group.param=value or "
                "+experiment=name.")
    return list(overrides)


def _exit(log_path: Path) -> tuple[int | None, float]:
    """The exit code of an ended run and when it ended (None and now if it recorded none)."""
    path = log_path.with_suffix(".exit")
    try:
        return int(path.read_text()), path.stat().st_mtime
    except (OSError, ValueError):
        return None, time.time()


def _log_facts(log_path: Path) -> dict[str, Any]:
    """The execution a run's log names (and the host and catalog it went to), and its last
    lines."""
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    found = _EXECUTION.findall(log)
    host, catalog = (_WHERE.findall(log) or [(None, None)])[-1]
    return {"execution_rid": found[-1] if found else None, "host": host, "catalog": catalog,
            "output": "\n".join(log.splitlines()[-TAIL_LINES:])}


class BackgroundRuns:
    """Starts, follows and cancels the headless runs recorded in ``folder/runs.sqlite`` (logs
    beside it). Each run belongs to the user who started it: only they see or cancel it."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.store = RunStore(self.folder / "runs.sqlite")
        self._processes: dict[int, subprocess.Popen] = {}  # started here, reaped by poll()

    def start_notebook(self, owner: str, notebook: Path, overrides: list[str] = (),
                       parameters: dict[str, object] | None = None) -> dict[str, Any]:
        """Run a notebook headless, as ``deriva-ml-run-notebook NOTEBOOK [overrides] -p ...``."""
        notebook = Path(notebook)
        if notebook.suffix != ".ipynb" or not notebook.is_file():
            raise DerivaMLNotFound(f"There is no notebook {notebook.name} to run.")
        overrides = _checked(overrides)
        command = ["derivaml_jupyter.runners.run_notebook_cli", str(notebook), *overrides]
        for name, value in (parameters or {}).items():
            if not str(name).isidentifier():
                raise DerivaMLValidationError(f"{name!r} is not a notebook parameter name.")
            command += ["-p", str(name), str(value)]
        return self._start(owner, "notebook", notebook.name, overrides, command, notebook.parent)

    def start_model(self, owner: str, project: Path, overrides: list[str] = (),
                    multirun: bool = False, config_name: str | None = None) -> dict[str, Any]:
        """Run a project's model, as ``deriva-ml-run [--config-name NAME] [--multirun]
        [overrides]`` in the project folder."""
        project = Path(project)
        configs = project / "src" / "configs"
        if not (configs / "__init__.py").is_file():
            raise DerivaMLValidationError(
                f"{project.name or project} is not a DerivaML project: it has no "
                "src/configs/__init__.py.")
        overrides = _checked(overrides)
        command = ["derivaml_jupyter.runners.run_model_cli", "--config-dir", str(configs),
                   *(["--config-name", config_name] if config_name else []),
                   *(["--multirun"] if multirun else []), *overrides]
        return self._start(owner, "model", project.name, overrides, command, project)

    def _start(self, owner: str, kind: str, target: str, overrides: list[str],
               module_args: list[str], cwd: Path) -> dict[str, Any]:
        self.folder.mkdir(parents=True, exist_ok=True)
        log_path = self.folder / f"run-{uuid.uuid4().hex[:16]}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                ["/bin/sh", "-c", _RECORD_EXIT, str(log_path.with_suffix(".exit")),
                 sys.executable, "-m", *module_args],
                cwd=cwd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True)
        run_id = self.store.add(owner=owner, kind=kind, target=target, overrides=overrides,
                                status="running", started=time.time(), pid=process.pid,
                                pgid=process.pid, leader=leader_key(process.pid),
                                log_path=str(log_path))
        self._processes[run_id] = process
        return self.state(owner, str(run_id))

    def state(self, owner: str, run_id: str) -> dict[str, Any]:
        """Run ``run_id`` of ``owner``: status (running, succeeded, failed, cancelled or lost,
        with ``status_detail`` saying why), exit code, the execution it recorded (and its
        host and catalog), times, pid and the last lines of its output."""
        return self._followed(self._owned(owner, run_id))

    def list(self, owner: str) -> list[dict[str, Any]]:
        """``owner``'s runs, newest first."""
        return [self._followed(record) for record in self.store.list(owner)]

    def cancel(self, owner: str, run_id: str) -> dict[str, Any]:
        """End run ``run_id``'s process group (SIGTERM, then SIGKILL after a few seconds) and
        record it cancelled; a run that is not running is a conflict."""
        record = self._owned(owner, run_id)
        facts = self._followed(record)
        if not self.store.update(record["id"], when_status="running", status="cancelled",
                                 status_detail=f"Cancelled by {owner}."):
            raise DerivaMLConflict(
                f"Run {run_id} has already ended ({self.store.get(record['id'])['status']}); "
                "only a running run can be cancelled.")
        end_group(record["pgid"], record["leader"])
        if (process := self._processes.pop(record["id"], None)) is not None:
            process.poll()
        self.store.update(record["id"], ended=time.time(), **{
            k: facts[k] for k in ("execution_rid", "host", "catalog")})
        return self.state(owner, run_id)

    def _owned(self, owner: str, run_id: str) -> dict[str, Any]:
        well_formed = run_id.isascii() and run_id.isdigit() and len(run_id) < 19
        record = self.store.get(int(run_id)) if well_formed else None
        if record is None or record["owner"] != owner:
            raise DerivaMLNotFound(f"There is no run {run_id} of yours on this server.")
        return record

    def _followed(self, record: dict[str, Any]) -> dict[str, Any]:
        """``record`` as the API shows it, with its log's facts; a run that was running and
        whose processes are gone is recorded as ended (succeeded or failed by its exit code,
        else lost)."""
        log_path = Path(record["log_path"])
        facts = _log_facts(log_path)
        output = facts.pop("output")
        process = self._processes.get(record["id"])
        if process is not None:
            process.poll()  # reaps it once it has ended
        if record["status"] == "running" and not group_alive(record["pgid"], record["leader"]):
            self._processes.pop(record["id"], None)
            code, ended = _exit(log_path)
            outcome = {"status": "lost" if code is None else "succeeded" if code == 0 else
                       "failed", "status_detail": LOST if code is None else None,
                       "exit_code": code, "ended": ended, **facts}
            if self.store.update(record["id"], when_status="running", **outcome):
                record = {**record, **outcome}
            else:  # cancelled meanwhile
                record = self.store.get(record["id"])
        if record["status"] == "running":
            record = {**record, **facts}
        shown = {k: v for k, v in record.items() if k not in ("log_path", "leader")}
        return {**shown, "id": str(record["id"]), "output": output}
