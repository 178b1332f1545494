"""/derivaml/api/openapi.json describes exactly the registered routes; requests that break it
are 400 with a message naming what was wrong; schemathesis finds no server error and no
traceback in any answer."""

from __future__ import annotations

import asyncio
import json
import re
from collections import Counter

import pytest
from tornado.web import RequestHandler

from derivaml_jupyter.ml import DerivaML

from .client import api, api_error
from .test_auth import extension_routes

FUZZ_EXAMPLES = 15  # per operation and generation mode: about 400 requests


@pytest.fixture
def jp_server_config(jp_server_config: dict) -> dict:
    return {**jp_server_config, "DerivaMLServer": {"allowed_hosts": ["local"]}}


async def test_the_description_documents_exactly_the_routes(jp_fetch, jp_serverapp, ml):
    document = await api(jp_fetch, "openapi.json")
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": "/a%40b/derivaml/api"}]
    routed = set()
    for pattern, handler in extension_routes(jp_serverapp.web_app):
        path = "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern)
        routed |= {(path, m) for m in ("get", "post", "put", "patch", "delete")
                   if getattr(handler, m) is not getattr(RequestHandler, m)}
    documented = {(path, m) for path, methods in document["paths"].items() for m in methods}
    assert routed == documented
    for path, methods in document["paths"].items():
        named = set(re.findall(r"\{(\w+)\}", path))
        for operation in methods.values():
            assert {p["name"] for p in operation["parameters"] if p["in"] == "path"} == named


@pytest.mark.parametrize("parts, request_args, words", [
    (("info",), {"params": {"catalog": "c" * 300}}, "Query argument catalog="),
    (("info",), {"params": {"host": "h" * 300}}, "Query argument host="),
    (("datasets", "\0"), {}, "Path argument rid='\\x00' is not valid: it must be a RID"),
    (("datasets", "1-ABC", "members"), {"params": {"table": "Subject", "limit": "ten"}},
     "limit='ten' is not valid: it must be rows per page, a whole number from 1 to 1000"),
    (("runs", "x"), {}, "Path argument run_id='x' is not valid: it must be a run id"),
    (("runs",), {"method": "POST", "body": json.dumps({"kind": "model", "path": 3})},
     "field path must be the notebook or project folder"),
    (("runs",), {"method": "POST", "body": json.dumps({"kind": "model", "path": "a\0b"})},
     "field path must be the notebook or project folder"),
    (("runs",), {"method": "POST", "body": json.dumps(
        {"kind": "notebook", "path": "n.ipynb", "parameters": ["a", 1]})},
     "field parameters must be notebook parameters"),
    (("runs",), {"method": "POST", "body": json.dumps(
        {"kind": "notebook", "path": "n.ipynb", "overrides": "a=1"})}, "field overrides"),
    (("runs",), {"method": "POST", "body": "[1, 2]"}, "must be a JSON object with the fields"),
    (("runs",), {"method": "POST", "body": "{not json"}, "must be a JSON object"),
    (("notebooks", "upload"), {"method": "POST", "body": json.dumps(
        {"path": "n.ipynb", "execution_rid": "1-X", "extra": 1})}, "'extra' was unexpected"),
])
async def test_requests_breaking_the_description_are_400(
        jp_fetch, ml: DerivaML, jp_root_dir, parts, request_args, words):
    (jp_root_dir / "n.ipynb").write_text(json.dumps(
        {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    code, body = await api_error(jp_fetch, *parts, **request_args)
    assert code == 400 and body["error"] == "DerivaMLValidationError", body
    assert words in body["message"]
    assert await api(jp_fetch, "runs") == []


@pytest.mark.parametrize("parts, request_args", [
    (("configs",), {"params": {"path": "p" * 300}}),
    (("runs",), {"method": "POST", "body": json.dumps({"kind": "model", "path": "p" * 300})}),
    (("notebooks", "upload"), {"method": "POST", "body": json.dumps(
        {"path": "p" * 300 + ".ipynb", "execution_rid": "1-X"})}),
])
async def test_names_too_long_for_the_file_system_are_400(jp_fetch, ml, parts, request_args):
    code, body = await api_error(jp_fetch, *parts, **request_args)
    assert code == 400 and "cannot be a file name here (File name too long)" in body["message"]
    assert "/tmp" not in body["message"]  # the server's own folders stay private


def fuzz(document: dict, api_url: str, headers: dict) -> tuple[Counter, list[str]]:
    """Send requests generated from ``document`` (valid and invalid ones): how many got each
    status, and those answered with a server error or a traceback."""
    import schemathesis
    from hypothesis import HealthCheck, Phase, given, settings

    schema = schemathesis.openapi.from_dict(document)
    found: list[str] = []
    statuses: Counter = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            # valid requests on the local catalog (a generated host would only be refused)
            fixed = {"query": {"host": "local"}} if mode.name == "POSITIVE" else {}

            @given(case=operation.as_strategy(generation_mode=mode, **fixed))
            @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
                      phases=[Phase.generate], suppress_health_check=list(HealthCheck))
            def send(case) -> None:
                response = case.call(base_url=api_url, headers=headers, timeout=60)
                statuses[response.status_code] += 1
                if response.status_code >= 500 or "Traceback" in response.text:
                    found.append(f"{response.status_code} {case.method} {case.formatted_path} "
                                 f"{case.query} {case.body!r}: {response.text[:300]}")

            send()
    return statuses, found


async def test_schemathesis_finds_no_server_error(jp_fetch, jp_http_port, jp_auth_header,
                                                  jp_base_url, catalog, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    document = await api(jp_fetch, "openapi.json")
    api_url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}derivaml/api"
    statuses, errors = await asyncio.to_thread(fuzz, document, api_url, jp_auth_header)
    assert errors == []
    assert statuses.total() > 200 and statuses[200] and statuses[400] and statuses[404]
    assert await api(jp_fetch, "runs") == []  # nothing was started
