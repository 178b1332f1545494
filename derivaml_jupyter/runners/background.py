"""Headless runs started from Jupyter: ``deriva-ml-run-notebook`` / ``deriva-ml-run`` in
child processes, each with its own log file, tracked until they finish."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import DerivaMLNotFound, DerivaMLValidationError

_EXECUTION = re.compile(r"^(?:Execution|Multirun parent execution:) (\S+?):?(?: |$)", re.M)
# The hint both runners print after an execution: where it was recorded.
_WHERE = re.compile(r"derivaml execution \S+ --host ([^\s)]+) --catalog ([^\s)]+)")
TAIL_LINES = 40


@dataclass
class Run:
    """One headless run: its command, working directory, log file and process."""

    run_id: str
    kind: str
    target: str
    command: list[str]
    cwd: Path
    log_path: Path
    process: subprocess.Popen
    started: float = field(default_factory=time.time)

    def state(self) -> dict:
        """Status (running, succeeded, failed), exit code, the execution it recorded (and the
        host and catalog it went to) and the last lines of its output."""
        code = self.process.poll()
        log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        found = _EXECUTION.findall(log)
        host, catalog = (_WHERE.findall(log) or [(None, None)])[-1]
        return {
            "id": self.run_id, "kind": self.kind, "target": self.target,
            "status": "running" if code is None else "succeeded" if code == 0 else "failed",
            "exit_code": code, "execution_rid": found[-1] if found else None,
            "host": host, "catalog": catalog,
            "started": self.started, "output": "\n".join(log.splitlines()[-TAIL_LINES:]),
        }


def _checked(overrides: list[str]) -> list[str]:
    """Hydra overrides (``group=option``, ``+key=value``, ``~key``), never command options."""
    for o in overrides:
        if not isinstance(o, str) or o.startswith("-") or not ("=" in o or o.startswith("~")):
            raise DerivaMLValidationError(
                f"{o!r} is not a Hydra override: write group=option, group.param=value or "
                "+experiment=name.")
    return list(overrides)


class BackgroundRuns:
    """Starts and tracks headless runs; logs go to ``log_dir``."""

    def __init__(self, log_dir: Path):
        self.log_dir = Path(log_dir)
        self._runs: dict[str, Run] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def start_notebook(self, notebook: Path, overrides: list[str] = (),
                       parameters: dict[str, object] | None = None) -> Run:
        """Run a notebook headless, as ``deriva-ml-run-notebook NOTEBOOK [overrides] -p ...``."""
        notebook = Path(notebook)
        if notebook.suffix != ".ipynb" or not notebook.is_file():
            raise DerivaMLNotFound(f"There is no notebook {notebook.name} to run.")
        command = ["derivaml_jupyter.runners.run_notebook_cli", str(notebook),
                   *_checked(overrides)]
        for name, value in (parameters or {}).items():
            if not str(name).isidentifier():
                raise DerivaMLValidationError(f"{name!r} is not a notebook parameter name.")
            command += ["-p", str(name), str(value)]
        return self._start("notebook", notebook.name, command, notebook.parent)

    def start_model(self, project: Path, overrides: list[str] = (), multirun: bool = False
                    ) -> Run:
        """Run a project's model, as ``deriva-ml-run [--multirun] [overrides]`` in the project
        folder."""
        project = Path(project)
        configs = project / "src" / "configs"
        if not (configs / "__init__.py").is_file():
            raise DerivaMLValidationError(
                f"{project.name or project} is not a DerivaML project: it has no "
                "src/configs/__init__.py.")
        command = ["derivaml_jupyter.runners.run_model_cli", "--config-dir", str(configs),
                   *(["--multirun"] if multirun else []), *_checked(overrides)]
        return self._start("model", project.name, command, project)

    def _start(self, kind: str, target: str, module_args: list[str], cwd: Path) -> Run:
        with self._lock:
            run_id = str(next(self._ids))
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log_path = self.log_dir / f"run-{run_id}.log"
            with open(log_path, "wb") as log:
                process = subprocess.Popen([sys.executable, "-m", *module_args], cwd=cwd,
                                           stdout=log, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL)
            run = Run(run_id, kind, target, [sys.executable, "-m", *module_args], cwd,
                      log_path, process)
            self._runs[run_id] = run
            return run

    def get(self, run_id: str) -> Run:
        try:
            return self._runs[run_id]
        except KeyError:
            raise DerivaMLNotFound(f"There is no run {run_id} on this server.") from None

    def list(self) -> list[Run]:
        return sorted(self._runs.values(), key=lambda r: r.started, reverse=True)
