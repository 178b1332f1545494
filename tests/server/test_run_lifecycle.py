"""Runs started from Jupyter are recorded in $DERIVAML_HOME/runs/runs.sqlite: a restarted
server (a fresh ``BackgroundRuns`` over the same file) lists them, follows those still alive
and reports those whose process vanished as lost; each belongs to the user who started it,
who alone may see and cancel it; cancelling ends the run's whole process group."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from config.project_files import CONFIGS
from jupyter_server.auth import IdentityProvider, User

from derivaml_jupyter.runners.background import BackgroundRuns
from derivaml_jupyter.runners.process_group import group_alive

from .client import api, api_error
from .test_runs_api import finished, start, write_package

# A model that starts a child process (deaf to SIGTERM), writes both pids to pids.txt beside
# src/, then waits for a file named release (the child waits with it) and ends.
WAITING_MODEL = '''
import os
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def train(learning_rate: float = 1e-3, epochs: int = 10, ml_instance=None, execution=None):
    child = subprocess.Popen(["sh", "-c", "trap '' TERM; exec sleep 600"])  # SIGKILL ends it
    (ROOT / "pids.txt").write_text(f"{os.getpid()} {child.pid}")
    print("waiting for release", flush=True)
    while not (ROOT / "release").exists():
        time.sleep(0.1)
    child.kill()
    print("released")
'''


class TwoUsers(IdentityProvider):
    """The tokens ``alice-token`` and ``bob-token`` sign in alice and bob."""

    async def get_user_token(self, handler) -> User | None:
        token = self.get_token(handler)
        return User(token[:-6]) if token in ("alice-token", "bob-token") else None


ALICE = {"headers": {"Authorization": "token alice-token"}}
BOB = {"headers": {"Authorization": "token bob-token"}}


@pytest.fixture
def jp_server_config(jp_server_config: dict, tmp_path: Path, monkeypatch) -> dict:
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))  # before the server starts
    return {"ServerApp": {**jp_server_config["ServerApp"],
                          "identity_provider_class": TwoUsers}}


@pytest.fixture
def project(jp_root_dir: Path) -> Path:
    root = jp_root_dir / "waiting"
    write_package(root / "src" / "configs", CONFIGS)
    write_package(root / "src" / "models", {"__init__.py": "", "my_model.py": WAITING_MODEL})
    return root


@pytest.fixture
def runs_folder(jp_serverapp) -> Path:
    return jp_serverapp.web_app.settings["derivaml_runs"].folder


async def started(jp_fetch, project: Path, user: dict = ALICE) -> tuple[dict, list[int]]:
    """A waiting model run of ``user``, once its model has written its pids."""
    run = await api(jp_fetch, "runs", **start({"kind": "model", "path": project.name}), **user)
    deadline = time.monotonic() + 240
    while not (project / "pids.txt").exists():
        assert time.monotonic() < deadline, await api(jp_fetch, "runs", run["id"], **user)
        await asyncio.sleep(0.2)
    await asyncio.sleep(0.2)
    return run, [int(pid) for pid in (project / "pids.txt").read_text().split()]


def gone(pid: int) -> bool:
    """Whether process ``pid`` has ended (a zombie has)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


async def test_a_run_survives_a_restart_and_is_followed_to_its_end(jp_fetch, project,
                                                                   runs_folder):
    run, _ = await started(jp_fetch, project)
    restarted = BackgroundRuns(runs_folder)
    [followed] = restarted.list("alice")
    assert followed["id"] == run["id"] and followed["status"] == "running"
    assert followed["owner"] == "alice" and followed["target"] == "waiting"
    assert "waiting for release" in followed["output"]
    (project / "release").touch()
    deadline = time.monotonic() + 120
    while (state := restarted.state("alice", run["id"]))["status"] == "running":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    assert (state["status"], state["exit_code"]) == ("succeeded", 0), state["output"]
    assert "released" in state["output"] and state["execution_rid"] and state["ended"]
    assert (await api(jp_fetch, "runs", run["id"], **ALICE))["status"] == "succeeded"


async def test_a_run_whose_process_vanished_shows_as_lost(jp_fetch, project, runs_folder):
    run, pids = await started(jp_fetch, project)
    os.killpg(run["pgid"], signal.SIGKILL)  # as a machine restart would: no exit recorded
    while group_alive(run["pgid"]):
        await asyncio.sleep(0.05)
    [lost] = BackgroundRuns(runs_folder).list("alice")
    assert lost["status"] == "lost" and lost["exit_code"] is None and lost["ended"]
    assert "ended without recording an exit code" in lost["status_detail"]
    assert (await api(jp_fetch, "runs", **ALICE))[0]["status"] == "lost"
    code, error = await api_error(jp_fetch, "runs", run["id"], "cancel", method="POST",
                                  body="", **ALICE)
    assert code == 409 and "already ended (lost)" in error["message"]


async def test_a_run_whose_pid_went_to_another_process_is_neither_followed_nor_killed(
        jp_fetch, project, runs_folder):
    run, pids = await started(jp_fetch, project)
    restarted = BackgroundRuns(runs_folder)
    boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    restarted.store.update(int(run["id"]), leader=f"{boot}:1")  # its leader's number, reused
    assert restarted.state("alice", run["id"])["status"] == "lost"
    code, _ = await api_error(jp_fetch, "runs", run["id"], "cancel", method="POST", body="",
                              **ALICE)
    assert code == 409 and not any(gone(pid) for pid in [run["pid"], *pids])
    (project / "release").touch()


async def test_cancel_ends_the_whole_process_group(jp_fetch, project):
    run, pids = await started(jp_fetch, project)
    cancelled = await api(jp_fetch, "runs", run["id"], "cancel", method="POST", body="",
                          **ALICE)
    assert cancelled["status"] == "cancelled" and cancelled["ended"]
    assert cancelled["status_detail"] == "Cancelled by alice."
    assert all(gone(pid) for pid in [run["pid"], *pids])
    assert (await api(jp_fetch, "runs", **ALICE))[0]["status"] == "cancelled"
    code, error = await api_error(jp_fetch, "runs", run["id"], "cancel", method="POST",
                                  body="", **ALICE)
    assert code == 409 and error["error"] == "DerivaMLConflict"
    assert error["message"] == (f"Run {run['id']} has already ended (cancelled); only a "
                                "running run can be cancelled.")


async def test_a_user_sees_and_cancels_only_their_own_runs(jp_fetch, project):
    run, pids = await started(jp_fetch, project, ALICE)
    assert await api(jp_fetch, "runs", **BOB) == []
    for parts, method in (((run["id"],), "GET"), ((run["id"], "cancel"), "POST")):
        code, error = await api_error(jp_fetch, "runs", *parts, method=method,
                                      body="" if method == "POST" else None, **BOB)
        assert code == 404 and f"no run {run['id']} of yours" in error["message"]
    assert not any(gone(pid) for pid in pids)
    assert (await api(jp_fetch, "runs", run["id"], **ALICE))["status"] == "running"
    (project / "release").touch()
    assert (await finished(jp_fetch, run["id"], user=ALICE))["status"] == "succeeded"
    assert [r["id"] for r in await api(jp_fetch, "runs", **ALICE)] == [run["id"]]


async def test_cancelling_a_notebook_run_also_ends_its_kernel(jp_fetch, project,
                                                              jp_kernel_dir):
    # papermill starts the kernel in a session of its own; it ends when its runner is gone
    shutil.rmtree(Path(jp_kernel_dir) / "echo")  # pytest-jupyter's, so python3 runs it
    pid_file = project / "kernel.pid"
    code = (f"import os, pathlib, time\npathlib.Path({str(pid_file)!r})"
            ".write_text(str(os.getpid()))\ntime.sleep(600)")
    (project / "sleep.ipynb").write_text(json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "source": code, "outputs": [],
                   "execution_count": None}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    run = await api(jp_fetch, "runs", **start({"kind": "notebook", "path": "waiting/sleep.ipynb"}),
                    **ALICE)
    deadline = time.monotonic() + 240
    while not pid_file.exists():
        assert time.monotonic() < deadline, (await api(jp_fetch, "runs", run["id"], **ALICE))[
            "output"]
        await asyncio.sleep(0.2)
    kernel = int(pid_file.read_text())
    cancelled = await api(jp_fetch, "runs", run["id"], "cancel", method="POST", body="",
                          **ALICE)
    assert cancelled["status"] == "cancelled" and gone(run["pid"])
    deadline = time.monotonic() + 30
    while not gone(kernel):
        assert time.monotonic() < deadline, f"kernel {kernel} outlived its cancelled run"
        await asyncio.sleep(0.2)
