"""Calls to the extension's REST API through ``jp_fetch``, decoded from JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tornado.httpclient import HTTPClientError

MISSING_RID = "9ZZZ-ZZZZ"  # well-formed, but no row has it


async def api(jp_fetch, *parts: str, **kwargs: Any) -> Any:
    response = await jp_fetch("derivaml", "api", *parts, **kwargs)
    assert response.headers["Content-Type"] == "application/json"
    return json.loads(response.body)


async def api_error(jp_fetch, *parts: str, **kwargs: Any) -> tuple[int, dict]:
    """The status code and JSON body of a request that must fail."""
    with pytest.raises(HTTPClientError) as failed:
        await jp_fetch("derivaml", "api", *parts, **kwargs)
    return failed.value.code, json.loads(failed.value.response.body)
