"""With an Authorizer that grants only "read" on the resource ``derivaml``, every read route
answers and every write or run is refused with 403, before anything is written or started."""

from __future__ import annotations

import json

import pytest
from jupyter_server.auth import Authorizer

from .client import api, api_error


class ReadOnlyAuthorizer(Authorizer):
    """Lets a user read the DerivaML API and nothing else (other resources stay open so the
    test server itself works)."""

    def is_authorized(self, handler, user, action: str, resource: str) -> bool:
        return resource != "derivaml" or action == "read"


@pytest.fixture
def jp_server_config(jp_server_config: dict) -> dict:
    return {"ServerApp": {**jp_server_config["ServerApp"],
                          "authorizer_class": ReadOnlyAuthorizer}}


async def test_reads_work_for_a_read_only_user(fetch, catalog):
    assert (await api(fetch, "info"))["counts"]["executions"] == 1
    assert len(await api(fetch, "datasets")) == 2
    assert (await api(fetch, "executions", catalog["execution"]))["status"] == "Uploaded"
    assert await api(fetch, "runs") == []


async def test_writes_and_runs_are_403_for_a_read_only_user(fetch, catalog, jp_root_dir):
    (jp_root_dir / "n.ipynb").write_text(json.dumps(
        {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    code, body = await api_error(fetch, "notebooks", "upload", method="POST", body=json.dumps(
        {"path": "n.ipynb", "execution_rid": catalog["execution"]}))
    assert code == 403 and body == {
        "error": "Forbidden",
        "message": "You are not authorized to write on the resource 'derivaml' of this Jupyter "
                   "server; its admin can grant that through the server's Authorizer."}
    detail = await api(fetch, "executions", catalog["execution"])
    assert [a["filename"] for a in detail["outputs"]["assets"]["Execution_Asset"]] == [
        "metrics.txt"]
    code, body = await api_error(fetch, "runs", method="POST", body=json.dumps(
        {"kind": "notebook", "path": "n.ipynb"}))
    assert code == 403 and "not authorized to execute" in body["message"]
    assert await api(fetch, "runs") == []
    code, body = await api_error(fetch, "runs", "1", "cancel", method="POST", body="")
    assert code == 403 and "not authorized to execute" in body["message"]
