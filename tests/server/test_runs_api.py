"""/derivaml/api/runs: headless runs of a project's model started from Jupyter, tracked until
they finish, with the execution they recorded."""

from __future__ import annotations

import asyncio
import getpass
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
    write_package(root / "notebooks", {"n.ipynb": json.dumps(
        {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})})
    return root


def start(body: dict) -> dict:
    return {"method": "POST", "body": json.dumps(body)}


async def finished(jp_fetch, run_id: str, timeout: float = 240, user: dict | None = None
                   ) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        state = await api(jp_fetch, "runs", run_id, **(user or {}))
        if state["status"] != "running" or time.monotonic() > deadline:
            return state
        await asyncio.sleep(0.5)


async def test_a_model_run_records_an_uploaded_execution(jp_fetch, project):
    run = await api(jp_fetch, "runs", **start(
        {"kind": "model", "path": "proj", "overrides": ["model_config=quick"]}))
    assert run["status"] == "running" and run["kind"] == "model"
    assert run["owner"] == getpass.getuser()  # Jupyter's token: the server's account
    state = await finished(jp_fetch, run["id"])
    assert state["status"] == "succeeded", state["output"]
    assert (state["host"], state["catalog"]) == ("local", "projcat")
    record = DerivaML("local", "projcat").lookup_execution(state["execution_rid"])
    assert record.status == "Uploaded"
    assert "model_config=quick" in record.description
    assert [r["id"] for r in await api(jp_fetch, "runs")] == [run["id"]]


async def test_a_model_run_of_a_named_config_runs_again_with_it(jp_fetch, project):
    run = await api(jp_fetch, "runs", **start(
        {"kind": "model", "path": "proj", "overrides": ["model_config=quick"],
         "config_name": "deriva_model"}))
    state = await finished(jp_fetch, run["id"])
    assert state["status"] == "succeeded", state["output"]
    recorded = await api(jp_fetch, "executions", state["execution_rid"], "overrides",
                         params={"catalog": "projcat"})
    assert (recorded["config_name"], recorded["overrides"]) == ("deriva_model",
                                                                ["model_config=quick"])


@pytest.mark.parametrize("body, code, message", [
    ({"kind": "model", "path": "proj", "config_name": "no_such_model"}, 404,
     "no top-level config named 'no_such_model'. Known: deriva_model"),
    ({"kind": "notebook", "path": "proj/notebooks/n.ipynb", "config_name": "deriva_model"},
     400, "a notebook names its own"),
    ({"kind": "model", "path": "proj", "config_name": "--help"}, 400, "config_name"),
])
async def test_a_config_name_the_project_lacks_starts_nothing(jp_fetch, project, body, code,
                                                              message):
    status, error = await api_error(jp_fetch, "runs", **start(body))
    assert status == code and message in error["message"], error
    assert await api(jp_fetch, "runs") == []


async def test_a_failing_run_reports_failed_with_its_output(jp_fetch, project):
    run = await api(jp_fetch, "runs", **start(
        {"kind": "model", "path": "proj", "overrides": ["model_config=nope"]}))
    state = await finished(jp_fetch, run["id"])
    assert state["status"] == "failed" and state["exit_code"] != 0
    assert "nope" in state["output"]


@pytest.mark.parametrize("body, message", [
    ({"kind": "model", "path": "proj", "overrides": ["--cfg"]}, "not a Hydra override"),
    ({"kind": "model", "path": "../outside"}, "outside"),
    ({"kind": "shell", "path": "proj"}, "field kind must be 'notebook' or 'model'"),
    ({"kind": "notebook", "path": "proj/missing.ipynb"}, "no notebook missing.ipynb"),
])
async def test_bad_requests_start_nothing(jp_fetch, project, body, message):
    code, error = await api_error(jp_fetch, "runs", **start(body))
    assert code in (400, 404)
    assert message in error["message"]
    assert await api(jp_fetch, "runs") == []


@pytest.mark.parametrize("overrides", [
    ["+hydra.callbacks.c._target_=shutil.copyfile", "+hydra.callbacks.c.src=/etc/hostname",
     "+hydra.callbacks.c.dst=copied"],
    ["hydra.run.dir=/tmp/elsewhere"],
    ["~hydra"],
    ["model_config@hydra.callbacks.c=quick"],
    ["model_config={_target_:shutil.rmtree,path:src}"],
    ["model_config._partial_=false"],
    ["model_config.epochs=${oc.env:HOME}"],
    ["+model_config.undeclared=1"],
    ["model_config.undeclared=1"],
    ["+anything=1"],
    ["model_config=quick", "nosuchgroup.x=1"],
])
async def test_overrides_outside_the_project_configs_start_nothing(jp_fetch, project, overrides):
    for kind, path in (("model", "proj"), ("notebook", "proj/notebooks/n.ipynb")):
        code, error = await api_error(jp_fetch, "runs", **start(
            {"kind": kind, "path": path, "overrides": overrides}))
        assert code == 400 and error["error"] == "DerivaMLValidationError", error
        assert "over HTTP" in error["message"]
        assert any(repr(o) in error["message"] for o in overrides), error
    assert await api(jp_fetch, "runs") == []
    assert not (project / "copied").exists()


async def test_group_options_and_their_fields_pass_the_allow_list(jp_fetch, project):
    overrides = ["model_config=quick", "model_config.epochs=2", "+experiment=quick_training",
                 "datasets=training_data", "description=allowed", "~assets"]
    run = await api(jp_fetch, "runs", **start({"kind": "model", "path": "proj",
                                               "overrides": overrides, "multirun": False}))
    assert run["status"] == "running"
    assert run["id"] in [r["id"] for r in await api(jp_fetch, "runs")]
    await finished(jp_fetch, run["id"])  # (its dataset 1-ABCD is not in the catalog)


async def test_an_unknown_run_is_404(jp_fetch, project):
    code, error = await api_error(jp_fetch, "runs", "99")
    assert code == 404 and "no run 99" in error["message"]
