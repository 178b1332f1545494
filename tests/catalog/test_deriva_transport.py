"""How the DERIVA backend copes with the transport: URL length, transient failures, logins.

The fake (fake_deriva.py) answers as the lab's server was seen to: Apache's 404 page for a path
longer than it accepts, ERMrest's 503 "Transaction aborted." under conflicting transactions,
401 without a valid login. The tests at the end run against a real server when
``DERIVAML_TEST_HOST`` is set (long RID lists, concurrent writers, a bogus login).
"""

from __future__ import annotations

import re
import threading
import uuid
from urllib.parse import unquote

import pytest
import requests
from urllib3.exceptions import NewConnectionError

from derivaml_jupyter.catalog import Column, Table, connect_catalog
from derivaml_jupyter.catalog.deriva import DerivaCatalog, retry, urls
from derivaml_jupyter.core.errors import (
    DerivaMLException,
    DerivaMLNotFound,
    DerivaMLUnavailable,
    DerivaMLValidationError,
)

from .conftest import TEST_HOST
from .fake_deriva import (
    APACHE_MAX_PATH,
    BASE,
    HOST,
    LOGIN_REQUIRED,
    SNAP,
    TRANSACTION_ABORTED,
    FakeServer,
    dropped_connection,
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


# -- transient failures -----------------------------------------------------------------------

def insert(catalog, skip: bool):
    return catalog.insert("s", "Thing", [{"Name": "t"}], on_conflict_skip=skip)


STEPS = {  # step -> (method, path, answer when it succeeds)
    "select": (lambda c: c.select("s", "Thing"), "GET", rf"{BASE}/entity/s:Thing.*",
               rows_answer([{"RID": "1-0001"}])),
    "insert": (lambda c: insert(c, False), "POST", rf"{BASE}/entity/s:Thing\?.*",
               (201, [{"RID": "1-0001"}], {})),
    "insert skipping duplicates": (lambda c: insert(c, True), "POST",
                                   rf"{BASE}/entity/s:Thing\?.*", (201, [{"RID": "1-0001"}], {})),
    "update": (lambda c: c.update("s", "Thing", [{"RID": "1-0001", "Value": 2}]), "PUT",
               rf"{BASE}/attributegroup/s:Thing/.*", (200, [{"RID": "1-0001", "Value": 2}], {})),
    "delete": (lambda c: c.delete("s", "Thing", {"RID": "1-0001"}), "DELETE",
               rf"{BASE}/entity/s:Thing/.*", (204, b"", {})),
}


@pytest.fixture
def step(request, server):
    """A step of each kind on the fake, whose other requests succeed."""
    run, method, pattern, ok = STEPS[request.param]
    serve_rids(server)
    server.route(method, pattern, ok)
    return run, method, pattern


@pytest.mark.parametrize("step", list(STEPS), indirect=True)
def test_transaction_aborted_is_sent_again_until_it_passes(fake, server, step, slept):
    run, method, pattern = step
    server.fail_first(method, pattern, TRANSACTION_ABORTED, TRANSACTION_ABORTED)
    run(fake)
    assert len(server.paths(method)) == 3 and len(slept) == 2


@pytest.mark.parametrize("step", ["select", "insert skipping duplicates", "update", "delete"],
                         indirect=True)
def test_idempotent_steps_are_sent_again_after_a_dropped_connection(fake, server, step, slept):
    run, method, pattern = step
    server.fail_first(method, pattern, dropped_connection(),
                      (504, "Gateway Timeout", {}), requests.ReadTimeout("read timed out"))
    run(fake)
    assert len(server.paths(method)) == 4


@pytest.mark.parametrize("step", ["insert"], indirect=True)
@pytest.mark.parametrize("failure", [dropped_connection(), requests.ReadTimeout("timed out"),
                                     (503, "Service Unavailable. Detail: Internal error.", {})])
def test_a_plain_insert_is_not_sent_again_when_it_may_have_been_applied(
        fake, server, step, failure, slept):
    run, method, pattern = step
    server.fail_first(method, pattern, failure)
    with pytest.raises(DerivaMLUnavailable, match="Cannot insert into s.Thing on deriva.test: "
                       ".*may or may not have applied it; it was not sent again"):
        run(fake)
    assert len(server.paths("POST")) == 1 and slept == []


def test_giving_up_names_the_step_and_the_tries_within_the_time_bound(fake, server, slept):
    server.route("GET", rf"{BASE}/entity/.*", TRANSACTION_ABORTED)
    with pytest.raises(DerivaMLUnavailable) as e:
        fake.select("s", "Thing", where={"Flag": True})
    tries = len(server.paths("GET"))
    assert tries > 3 and sum(slept) <= retry.RETRY_SECONDS
    assert f"Cannot read s.Thing on deriva.test: the server was still failing after {tries} " \
           "tries" in str(e.value) and "Transaction aborted" in str(e.value)


def test_answers_that_sending_again_cannot_change_are_reported_at_once(fake, server, slept):
    server.route("PUT", rf"{BASE}/attributegroup/.*", (409, "violates foreign key", {}))
    serve_rids(server)
    with pytest.raises(DerivaMLException, match="Cannot update s.Thing"):
        fake.update("s", "Thing", [{"RID": "1-0001", "Parent": "9-9999"}])
    refused = requests.ConnectionError(NewConnectionError(None, "Connection refused"))
    server.fail_first("GET", rf"{BASE}/entity/.*", refused)
    with pytest.raises(DerivaMLUnavailable, match="could not reach the DERIVA server deriva"):
        fake.select("s", "Thing")
    assert len(server.paths("PUT")) == 1 and slept == []


def test_ermrest_sessions_leave_retrying_to_the_backend(fake, server):
    from deriva.core import get_new_requests_session

    for binding in (fake._ermrest, fake._reader(SNAP)):
        assert binding.session_config == retry.session_config()
    session = get_new_requests_session("https://x/", retry.session_config())
    policy = session.get_adapter("https://x/").max_retries
    assert (policy.connect, policy.read, set(policy.status_forcelist)) == (0, 0, set())


# -- logins -----------------------------------------------------------------------------------

@pytest.mark.parametrize("credential, says", [
    ({"cookie": "webauthn=expired"}, "your login has expired or is not valid"),
    ({}, "you are not logged in")])
def test_a_missing_or_expired_login_says_how_to_log_in(server, credential, says):
    server.route("GET", f"{BASE}/", LOGIN_REQUIRED)
    with pytest.raises(DerivaMLException, match=f"Cannot connect to catalog 1 on deriva.test: "
                       f"not authenticated \\({says}\\): log in with `deriva-globus-auth-utils "
                       "login --host deriva.test`"):
        DerivaCatalog(HOST, "1", credential=credential)
    assert len(server.paths("GET")) == 1


# -- against a real server (DERIVAML_TEST_HOST) -----------------------------------------------
needs_server = pytest.mark.skipif(not TEST_HOST, reason="set DERIVAML_TEST_HOST to a DERIVA "
                                  "server to test the transport against it")


def test_two_thousand_rids_select_count_and_delete(catalog, schema):
    rows = catalog.insert(schema, "Thing", [{"Name": f"t{i}", "Value": i} for i in range(2000)])
    rids = [r["RID"] for r in rows]
    assert {r["RID"] for r in catalog.select(schema, "Thing", where={"RID": rids})} == set(rids)
    page = catalog.select(schema, "Thing", where={"RID": rids}, sort=["-Value"], limit=3)
    assert [r["Name"] for r in page] == ["t1999", "t1998", "t1997"]
    assert catalog.count(schema, "Thing", where={"RID": rids}) == 2000
    assert catalog.delete(schema, "Thing", {"RID": rids[:1500]}) == 1500
    assert catalog.count(schema, "Thing", where={"RID": rids}) == 500


@needs_server
def test_concurrent_writers_all_succeed_through_aborted_transactions(
        deriva_catalog_id, monkeypatch):
    waits: list[float] = []
    real_sleep = retry.sleep
    monkeypatch.setattr(retry, "sleep", lambda s: (waits.append(s), real_sleep(s)))
    catalog = connect_catalog(TEST_HOST, deriva_catalog_id)
    schema = f"transport_{uuid.uuid4().hex[:8]}"
    catalog.create_schema(schema)
    catalog.create_table(Table(schema, "Thing", [Column("Name", nullok=False),
                                                 Column("Value", "int4")], keys=[("Name",)]))
    shared = catalog.insert(schema, "Thing", [{"Name": "shared"}])[0]["RID"]
    errors: list[Exception] = []

    def write(i: int) -> None:
        mine = connect_catalog(TEST_HOST, deriva_catalog_id)
        try:
            for k in range(8):
                mine.insert(schema, "Thing", [{"Name": f"w{i}-{k}", "Value": k}])
                mine.update(schema, "Thing", [{"RID": shared, "Value": 100 * i + k}])
        except Exception as e:
            errors.append(e)

    writers = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    assert errors == []
    names = [r["Name"] for r in catalog.select(schema, "Thing", columns=["Name"])]
    assert sorted(names) == sorted(["shared"] + [f"w{i}-{k}" for i in range(8) for k in range(8)])
    assert waits  # ERMrest aborted some of the conflicting transactions; they were sent again


@needs_server
def test_a_bogus_login_on_the_real_server_says_how_to_log_in(deriva_catalog_id):
    with pytest.raises(DerivaMLException, match="login has expired or is not valid.*"
                       f"deriva-globus-auth-utils login --host {TEST_HOST}"):
        DerivaCatalog(TEST_HOST, deriva_catalog_id, credential={"cookie": "webauthn=bogus"})
