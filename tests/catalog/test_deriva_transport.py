"""How the DERIVA backend copes with the transport: URL length.

The fake (fake_deriva.py) answers as the lab's server was seen to: Apache's 404 page for a path
longer than it accepts. The test at the end runs against a real server too when
``DERIVAML_TEST_HOST`` is set.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
import requests

from derivaml_jupyter.catalog.deriva import DerivaCatalog, urls
from derivaml_jupyter.core.errors import (
    DerivaMLNotFound,
    DerivaMLValidationError,
)

from .fake_deriva import (
    APACHE_MAX_PATH,
    BASE,
    HOST,
    SNAP,
    FakeServer,
    fake_catalog,
    install,
    request_path,
    rows_answer,
)

RIDS = [f"1-{i:04X}" for i in range(2000)]


@pytest.fixture
def server(monkeypatch) -> FakeServer:
    return install(monkeypatch)


@pytest.fixture
def fake(server) -> DerivaCatalog:
    return fake_catalog(server)


def rids_in(request) -> list[str]:
    return re.findall(r"RID=([0-9A-Z-]+)", unquote(request_path(request)))


def serve_rids(server: FakeServer) -> None:
    """Rows, counts and deletes of s.Thing for every RID a request names."""
    server.route("GET", rf"{BASE}(@{SNAP})?/(entity|attribute)/s:Thing/.*",
                 lambda r: rows_answer([{"RID": rid} for rid in rids_in(r)]))
    server.route("GET", rf"{BASE}(@{SNAP})?/aggregate/s:Thing/.*",
                 lambda r: (200, [{"n": len(rids_in(r))}], {}))
    server.route("DELETE", rf"{BASE}/entity/s:Thing/.*", (204, b"", {}))


# -- URL length -------------------------------------------------------------------------------

def test_the_fake_refuses_long_paths_as_apache_does(server):
    server.route("GET", rf"{BASE}/entity/.*", rows_answer([]))
    session = requests.Session()
    session.mount("https://", server)
    prefix = f"https://{HOST}{BASE}/entity/s:T/Name="
    fits = prefix + "a" * (APACHE_MAX_PATH - len(f"{BASE}/entity/s:T/Name="))
    assert session.get(fits + "?limit=1").status_code == 200  # the query string does not count
    refused = session.get(fits + "a")
    assert refused.status_code == 404 and "<title>404 Not Found</title>" in refused.text
    assert session.get(prefix + "%C3%A9" * 1000).status_code == 200  # counted decoded...
    assert session.get(prefix + "%C3%A9" * 2100).status_code == 404  # ... in bytes


def test_long_rid_lists_are_packed_into_as_few_urls_as_fit(fake, server):
    serve_rids(server)
    assert [r["RID"] for r in fake.select("s", "Thing", where={"RID": RIDS})] == RIDS
    assert fake.count("s", "Thing", where={"RID": RIDS}, snapshot=SNAP) == 2000
    assert fake.delete("s", "Thing", {"RID": RIDS, "Flag": True}) == 2000
    gets = server.raw_paths("GET")
    for paths in ([p for p in gets if "/entity/" in p], [p for p in gets if "@" + SNAP in p],
                  [p for p in gets if "Flag" in p], server.raw_paths("DELETE")):
        assert sorted(rid for p in paths for rid in re.findall(r"RID=([0-9A-Z-]+)", p)) == RIDS
        assert all(len(p) <= urls.MAX_PATH_BYTES for p in paths)
        assert len(paths) == 12  # 2000 RIDs of 11 bytes ("RID=1-0000;"): 12 paths of 2000


def test_every_combination_of_two_long_lists_is_asked_once(fake, server):
    serve_rids(server)
    names = [f"name {i}" for i in range(300)]
    fake.select("s", "Thing", where={"RID": RIDS, "Name": names}, sort=["-Name"], limit=3)
    gets = server.paths("GET")
    assert all(len(p) <= urls.MAX_PATH_BYTES for p in server.raw_paths("GET"))
    pairs = [(rid, name) for p in gets for rid in re.findall(r"RID=([0-9A-Z-]+)", p)
             for name in re.findall(r"Name=([^;)]+)", p)]
    assert len(pairs) == len(set(pairs)) == len(RIDS) * len(names)


def test_a_filter_too_long_for_any_url_is_refused_before_sending(fake, server):
    with pytest.raises(DerivaMLValidationError, match="filter on 'Name' is too long.*URL"):
        fake.select("s", "Thing", where={"Name": "x" * urls.MAX_PATH_BYTES})
    with pytest.raises(DerivaMLValidationError, match="filter on 'Name' is too long"):
        fake.count("s", "Thing", where={"Name": ["short", "x" * urls.MAX_PATH_BYTES]})
    assert server.paths("GET") == []


def test_a_path_the_web_server_refuses_is_named_as_such(fake, server, monkeypatch):
    serve_rids(server)
    monkeypatch.setattr(urls, "MAX_PATH_BYTES", 10_000)
    with pytest.raises(DerivaMLNotFound, match=r"Cannot read s.Thing on deriva.test: not found "
                       r"\(the web server answered '404 Not Found' for a request path of \d+ "
                       r"bytes.*lower derivaml_jupyter.catalog.deriva.urls.MAX_PATH_BYTES"):
        fake.select("s", "Thing", where={"RID": RIDS})


# -- against a real server (DERIVAML_TEST_HOST) -----------------------------------------------


def test_two_thousand_rids_select_count_and_delete(catalog, schema):
    rows = catalog.insert(schema, "Thing", [{"Name": f"t{i}", "Value": i} for i in range(2000)])
    rids = [r["RID"] for r in rows]
    assert {r["RID"] for r in catalog.select(schema, "Thing", where={"RID": rids})} == set(rids)
    page = catalog.select(schema, "Thing", where={"RID": rids}, sort=["-Value"], limit=3)
    assert [r["Name"] for r in page] == ["t1999", "t1998", "t1997"]
    assert catalog.count(schema, "Thing", where={"RID": rids}) == 2000
    assert catalog.delete(schema, "Thing", {"RID": rids[:1500]}) == 1500
    assert catalog.count(schema, "Thing", where={"RID": rids}) == 500

