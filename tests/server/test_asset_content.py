"""An asset's file over HTTP: whole or by byte range, inline or to save, never as a page that
could run scripts; clear errors for a RID that is no stored asset."""

from __future__ import annotations

import pytest
from tornado.httpclient import HTTPClientError

from .client import MISSING_RID, api, api_error

pytestmark = pytest.mark.real_server

METRICS = b"accuracy 0.9\n"


async def output(fetch, catalog, filename: str) -> dict:
    detail = await api(fetch, "executions", catalog["execution"])
    return next(a for assets in detail["outputs"]["assets"].values() for a in assets
                if a["filename"] == filename)


async def content(fetch, rid: str, **kwargs):
    return await fetch("derivaml", "api", "assets", rid, "content", **kwargs)


async def test_a_file_is_served_whole_with_its_type(fetch, catalog):
    asset = await output(fetch, catalog, "metrics.txt")
    response = await content(fetch, asset["rid"])
    assert response.code == 200 and response.body == METRICS
    assert response.headers["Content-Type"] == "text/plain"
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Content-Length"] == str(len(METRICS))
    assert response.headers["Content-Disposition"] == "inline; filename*=UTF-8''metrics.txt"
    saved = await content(fetch, asset["rid"], params={"download": "true"})
    assert saved.headers["Content-Disposition"].startswith("attachment;")
    assert saved.body == METRICS


@pytest.mark.parametrize("asked, status, served, content_range", [
    ("bytes=2-5", 206, METRICS[2:6], "bytes 2-5/13"),
    ("bytes=9-", 206, METRICS[9:], "bytes 9-12/13"),
    ("bytes=-4", 206, METRICS[-4:], "bytes 9-12/13"),
    ("bytes=0-999", 206, METRICS, "bytes 0-12/13"),
    ("bytes=0-1,4-5", 200, METRICS, None),  # several ranges: the whole file
    ("items=0-1", 200, METRICS, None),
])
async def test_a_range_is_served_alone(fetch, catalog, asked, status, served, content_range):
    asset = await output(fetch, catalog, "metrics.txt")
    response = await content(fetch, asset["rid"], headers={"Range": asked})
    assert (response.code, response.body) == (status, served)
    assert response.headers.get("Content-Range") == content_range


async def test_a_range_beyond_the_end_is_416(fetch, catalog):
    asset = await output(fetch, catalog, "metrics.txt")
    with pytest.raises(HTTPClientError) as refused:
        await content(fetch, asset["rid"], headers={"Range": "bytes=13-"})
    assert refused.value.code == 416
    assert refused.value.response.headers["Content-Range"] == "bytes */13"


async def test_markup_is_never_served_as_a_page(fetch, catalog, tmp_path):
    ml = catalog["ml"]
    exe = ml.restore_execution(catalog["execution"])
    page = tmp_path / "report.html"
    page.write_text("<script>alert(1)</script>")
    exe.asset_file_path("Execution_Asset", page, copy_file=True)
    [[uploaded]] = exe.upload_execution_outputs(progress=False).values()
    response = await content(fetch, uploaded.asset_rid)
    assert response.headers["Content-Type"] == "application/octet-stream"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


async def test_what_is_no_stored_asset_is_a_clear_error(fetch, catalog):
    code, body = await api_error(fetch, "assets", MISSING_RID, "content")
    assert code == 404 and MISSING_RID in body["message"]
    code, body = await api_error(fetch, "assets", catalog["training"], "content")
    assert code == 400 and "asset" in body["message"]
