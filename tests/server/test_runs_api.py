"""/derivaml/api/runs: headless runs of a project's model started from Jupyter, tracked until
they finish, with the execution they recorded."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from config.project_files import CONFIGS, MODELS

from derivaml_jupyter.ml import DerivaML

from .client import api, api_error


def write_package(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text.lstrip("\n"))


@pytest.fixture
def project(jp_root_dir: Path, tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    root = jp_root_dir / "proj"
    write_package(root / "src" / "configs", CONFIGS)
    write_package(root / "src" / "models", MODELS)
    return root


def start(body: dict) -> dict:
    return {"method": "POST", "body": json.dumps(body)}


async def finished(jp_fetch, run_id: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        state = await api(jp_fetch, "runs", run_id)
        if state["status"] != "running" or time.monotonic() > deadline:
            return state
        await asyncio.sleep(0.5)


async def test_a_model_run_records_an_uploaded_execution(jp_fetch, project):
    run = await api(jp_fetch, "runs", **start(
        {"kind": "model", "path": "proj", "overrides": ["model_config=quick"]}))
    assert run["status"] == "running" and run["kind"] == "model"
    state = await finished(jp_fetch, run["id"])
    assert state["status"] == "succeeded", state["output"]
    assert (state["host"], state["catalog"]) == ("local", "projcat")
    record = DerivaML("local", "projcat").lookup_execution(state["execution_rid"])
    assert record.status == "Uploaded"
    assert "model_config=quick" in record.description
    assert [r["id"] for r in await api(jp_fetch, "runs")] == [run["id"]]


async def test_a_failing_run_reports_failed_with_its_output(jp_fetch, project):
    run = await api(jp_fetch, "runs", **start(
        {"kind": "model", "path": "proj", "overrides": ["model_config=nope"]}))
    state = await finished(jp_fetch, run["id"])
    assert state["status"] == "failed" and state["exit_code"] != 0
    assert "nope" in state["output"]


@pytest.mark.parametrize("body, message", [
    ({"kind": "model", "path": "proj", "overrides": ["--cfg"]}, "not a Hydra override"),
    ({"kind": "model", "path": "../outside"}, "outside"),
    ({"kind": "shell", "path": "proj"}, '"kind": "notebook" | "model"'),
    ({"kind": "notebook", "path": "proj/missing.ipynb"}, "no notebook missing.ipynb"),
])
async def test_bad_requests_start_nothing(jp_fetch, project, body, message):
    code, error = await api_error(jp_fetch, "runs", **start(body))
    assert code in (400, 404)
    assert message in error["message"]
    assert await api(jp_fetch, "runs") == []


async def test_an_unknown_run_is_404(jp_fetch, project):
    code, error = await api_error(jp_fetch, "runs", "99")
    assert code == 404 and "no run 99" in error["message"]
