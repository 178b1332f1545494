"""``?host=``: only the hosts of ``c.DerivaMLServer.allowed_hosts`` (by default the local
catalogs and the hosts of ~/.deriva/credential.json); a host that never answers gets 503 within
``connect_timeout`` and holds up no other catalog."""

from __future__ import annotations

import asyncio
import json
import socket
import time

import pytest

from .client import api, api_error

SILENT_WAIT = 1.0


@pytest.fixture
def silent_host():
    """``127.0.0.1:<port>`` of a socket that accepts TCP connections but never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"127.0.0.1:{listener.getsockname()[1]}"


@pytest.fixture
def jp_server_config(jp_server_config: dict, request) -> dict:
    hosts = getattr(request, "param", None)
    if hosts is None:  # the trait's default, whatever the suite's conftest allows
        return {k: v for k, v in jp_server_config.items() if k != "DerivaMLServer"}
    return {**jp_server_config, "DerivaMLServer": {
        "allowed_hosts": [request.getfixturevalue(h) if h == "silent_host" else h
                          for h in hosts],
        "connect_timeout": SILENT_WAIT, "read_timeout": SILENT_WAIT}}


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    (tmp_path / "user" / ".deriva").mkdir(parents=True)
    return tmp_path / "user"


async def test_by_default_only_local_and_credential_hosts(fetch, catalog, home):
    code, body = await api_error(fetch, "info", params={"host": "deriva.example.org"})
    assert code == 403 and body["error"] == "Forbidden" and body["scope"] == "catalog"
    assert "c.DerivaMLServer.allowed_hosts" in body["message"]
    assert "'deriva.example.org'" in body["message"]
    (home / ".deriva" / "credential.json").write_text(json.dumps(
        {"deriva.example.org": {"cookie": "webauthn=x"}}))
    code, body = await api_error(fetch, "info", params={"host": "deriva.example.org"})
    assert code == 503 and body["error"] == "DerivaMLUnavailable"  # allowed, but not there
    assert body["scope"] == "catalog"
    assert "deriva.example.org" in body["message"]
    assert (await api(fetch, "info"))["host"] == "local"


@pytest.mark.parametrize("jp_server_config", [["local"]], indirect=True)
async def test_the_trait_replaces_the_default(fetch, catalog, home):
    (home / ".deriva" / "credential.json").write_text(json.dumps({"deriva.example.org": {}}))
    code, body = await api_error(fetch, "info", params={"host": "deriva.example.org"})
    assert code == 403 and "allowed_hosts" in body["message"]
    assert (await api(fetch, "info"))["host"] == "local"


@pytest.mark.parametrize("jp_server_config", [["local", "silent_host"]], indirect=True)
async def test_a_silent_host_is_503_quickly_and_blocks_no_other_catalog(
        fetch, catalog, silent_host):
    silent = {"host": silent_host, "catalog": "1"}
    began = time.monotonic()
    pending = asyncio.ensure_future(api_error(fetch, "datasets", params=silent))
    await asyncio.sleep(0.2)
    assert len(await api(fetch, "datasets")) == 2  # the local catalog, while the other waits
    assert time.monotonic() - began < SILENT_WAIT
    code, body = await pending
    assert code == 503 and body["error"] == "DerivaMLUnavailable"
    assert f"did not answer within {SILENT_WAIT:g} s" in body["message"]
    assert time.monotonic() - began < SILENT_WAIT + 2
    again = time.monotonic()  # a second request waits on the same opening, no longer
    code, _ = await api_error(fetch, "info", params=silent)
    assert code == 503 and time.monotonic() - again < SILENT_WAIT + 1
