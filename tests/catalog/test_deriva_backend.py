"""The DERIVA backend against a fake of ERMrest/Hatrac's HTTP answers.

Only the transport is replaced: every deriva-py session gets ``FakeServer`` as its adapter,
which records each request and answers from routes the tests set. The tests check the exact
URLs, headers and bodies the backend sends and how it reads the answers. The contract tests
(test_contract.py) run against a real server when ``DERIVAML_TEST_HOST`` is set.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import unquote

import pytest

from derivaml_jupyter.catalog import Column, ForeignKey, Table
from derivaml_jupyter.catalog.deriva import DerivaCatalog, urls
from derivaml_jupyter.catalog.deriva import catalog as deriva_catalog
from derivaml_jupyter.catalog.deriva import objects as deriva_objects
from derivaml_jupyter.core.errors import (
    DerivaMLConflict,
    DerivaMLException,
    DerivaMLNotFound,
    DerivaMLValidationError,
)

from .fake_deriva import (
    BASE,
    HOST,
    SNAP,
    FakeServer,
    fake_catalog,
    install,
    request_path,
    rows_answer,
)


@pytest.fixture
def server(monkeypatch) -> FakeServer:
    return install(monkeypatch)


@pytest.fixture
def catalog(server) -> DerivaCatalog:
    return fake_catalog(server)


def test_created_tables_read_back_with_kinds_keys_foreign_keys_and_defaults(catalog, server):
    model = catalog.model()
    assert {t.name: t.kind for t in model.tables()} == {
        "Parent": "table", "Thing": "table", "Term": "vocabulary", "Image": "asset",
        "Image_Term": "association"}
    thing = model.table("s", "Thing")
    assert thing.keys == [("Name",)]
    assert thing.foreign_keys == [ForeignKey(("Parent",), "s", "Parent", ("RID",))]
    assert [(c.name, c.type, c.nullok) for c in thing.columns][:6] == [
        ("RID", "ermrest_rid", False), ("RCT", "ermrest_rct", False),
        ("RMT", "ermrest_rmt", False), ("RCB", "ermrest_rcb", True),
        ("RMB", "ermrest_rmb", True), ("Name", "text", False)]
    term = model.table("s", "Term")
    assert term.column("ID").default == "proj:{RID}" and term.column("URI").default == "/id/{RID}"
    link = model.table("s", "Image_Term")
    assert link.foreign_keys[1] == ForeignKey(("Term",), "s", "Term", ("Name",), "CASCADE")


def test_create_table_posts_the_definition_once(catalog, server):
    catalog.create_table(Table("s", "Parent", [Column("Name")]))  # exists: nothing posted
    assert server.paths("POST") == []
    catalog.create_table(Table("s", "Note", [Column("Text", "markdown")]))
    (sent,) = [r for r in server.sent if r.method == "POST"]
    assert unquote(request_path(sent)) == f"{BASE}/schema/s/table"
    body = json.loads(sent.body)
    assert [c["name"] for c in body["column_definitions"]] == [
        "RID", "RCT", "RMT", "RCB", "RMB", "Text"]
    assert body["column_definitions"][-1]["type"]["typename"] == "markdown"


def test_create_table_refuses_what_ermrest_cannot_do(catalog):
    with pytest.raises(DerivaMLValidationError, match=r"\{RID\}.*ermrest_curie"):
        catalog.create_table(Table("s", "Bad", [Column("Code", default="x-{RID}")]))
    with pytest.raises(DerivaMLValidationError, match="unknown type 'float16'"):
        catalog.create_table(Table("s", "Bad", [Column("X", "float16")]))
    with pytest.raises(DerivaMLNotFound, match="no schema 'nope'"):
        catalog.create_table(Table("nope", "Bad", [Column("X")]))


# -- reads ------------------------------------------------------------------------------------

def test_select_sends_filters_sort_paging_and_limit(catalog, server):
    server.route("GET", rf"{BASE}/entity/.*", rows_answer([]))
    catalog.select("s", "Thing", where={"Value": 3, "Flag": True, "Parent": None,
                                        "Name": ["a b", "c/d", "a b"]},
                   sort=["-Score", "Name"], limit=5, after={"Score": 2.5, "Name": None,
                                                            "RID": "1-ABCD"})
    assert server.raw_paths("GET") == [
        f"{BASE}/entity/s:Thing/Value=3/Flag=true/Parent::null::/(Name=a%20b;Name=c%2Fd)"
        "@sort(Score::desc::,Name,RID)@after(2.5,::null::,1-ABCD)?limit=5"]


def test_select_of_columns_projects_sort_columns_and_drops_them(catalog, server):
    server.route("GET", rf"{BASE}/attribute/s:Thing/Name,Score,RID@sort\(Score,RID\)",
                 rows_answer([{"Name": "a", "Score": 1.0, "RID": "1-A"}]))
    assert catalog.select("s", "Thing", columns=["Name"], sort=["Score"]) == [{"Name": "a"}]


def test_select_linked_is_one_joined_path_paged_by_rid(catalog, server, monkeypatch):
    monkeypatch.setattr(deriva_catalog, "PAGE_ROWS", 2)
    pages = [[{"RID": "1-A"}, {"RID": "1-B"}], [{"RID": "1-C"}]]
    server.route("GET", rf"{BASE}/entity/s:Thing/.*", lambda r: (200, pages.pop(0), {}))
    rows = catalog.select_linked("s", "Parent", via=("s", "Thing", "Parent"),
                                 where={"Value": [1, 2]})
    assert [r["RID"] for r in rows] == ["1-A", "1-B", "1-C"]
    join = f"{BASE}/entity/s:Thing/(Value=1;Value=2)/(Parent)=(s:Parent:RID)@sort(RID)"
    assert server.raw_paths("GET") == [f"{join}?limit=2", f"{join}@after(1-B)?limit=2"]


def test_rids_in_filters_are_normalized_and_unknown_names_refused(catalog, server):
    server.route("GET", rf"{BASE}/entity/.*", rows_answer([]))
    catalog.select("s", "Thing", where={"RID": "1abcd"})
    catalog.select("s", "Thing", where={"RID": ["1-abcd", "2BCDE"]})
    assert server.paths("GET") == [f"{BASE}/entity/s:Thing/RID=1-ABCD@sort(RID)",
                                   f"{BASE}/entity/s:Thing/(RID=1-ABCD;RID=2-BCDE)@sort(RID)"]
    with pytest.raises(DerivaMLNotFound, match="no column 'Colour'"):
        catalog.select("s", "Thing", where={"Colour": "red"})
    with pytest.raises(DerivaMLNotFound, match="Nope"):
        catalog.select("s", "Nope")
    assert catalog.select("s", "Thing", where={"Value": []}) == []
    assert catalog.count("s", "Thing", where={"Value": []}) == 0
    assert server.paths("GET")[2:] == [f"{BASE}/schema"]  # looked for Nope once more


def test_long_value_lists_are_split_and_merged_in_ermrest_order(catalog, server):
    rids = [f"1-{i:04d}" for i in range(1000, 1900)]
    score = {rid: (None if i % 10 == 0 else i % 7) for i, rid in enumerate(rids)}

    def answer(request):
        asked = re.findall(r"RID=([0-9A-Z-]+)", unquote(request_path(request)))
        rows = [{"RID": r, "Score": score[r]} for r in asked]
        rows.sort(key=lambda r: (r["Score"] is None, r["Score"] or 0, r["RID"]))
        return 200, rows[:50], {}

    server.route("GET", rf"{BASE}/entity/s:Thing/\(.*", answer)
    server.route("GET", rf"{BASE}/aggregate/s:Thing/\(.*",
                 lambda r: (200, [{"n": unquote(request_path(r)).count("RID=")}], {}))
    page = catalog.select("s", "Thing", where={"RID": rids}, sort=["Score"], limit=50)
    gets = server.raw_paths("GET")
    assert len(gets) > 1 and all(len(p) <= urls.MAX_PATH_BYTES for p in gets)
    asked = [rid for p in gets for rid in re.findall(r"RID=([0-9A-Z-]+)", p)]
    assert sorted(asked) == sorted(rids)  # each value asked for exactly once
    expected = sorted(rids, key=lambda r: (score[r] is None, score[r] or 0, r))[:50]
    assert [r["RID"] for r in page] == expected
    assert catalog.count("s", "Thing", where={"RID": rids}) == 900


def test_merge_puts_nulls_last_ascending_and_first_descending():
    pages = [[{"RID": "1-A", "V": 1}, {"RID": "1-C", "V": None}],
             [{"RID": "1-B", "V": 2}, {"RID": "1-D", "V": None}]]
    up = urls.merge(pages, urls.order_of(["V"]), None)
    down = urls.merge(pages, urls.order_of(["-V"]), 3)
    assert [r["RID"] for r in up] == ["1-A", "1-B", "1-C", "1-D"]
    assert [r["RID"] for r in down] == ["1-C", "1-D", "1-B"]


def test_reads_as_of_a_snapshot_go_to_the_snapshot_catalog(catalog, server):
    server.route("GET", rf"{BASE}@{SNAP}/entity/.*", rows_answer([{"RID": "1-A"}]))
    server.route("GET", rf"{BASE}@{SNAP}/aggregate/.*", (200, [{"n": 7}], {}))
    assert catalog.select("s", "Thing", snapshot=SNAP) == [{"RID": "1-A"}]
    assert catalog.count("s", "Thing", where={"Flag": False}, snapshot=SNAP) == 7
    assert server.paths("GET") == [f"{BASE}@{SNAP}/entity/s:Thing@sort(RID)",
                                   f"{BASE}@{SNAP}/aggregate/s:Thing/Flag=false/n:=cnt(*)"]
    with pytest.raises(DerivaMLNotFound, match="later than its latest change"):
        catalog.select("s", "Thing", snapshot="ZZZZ-ZZZZ-ZZZZ")
    assert server.paths("GET")[-1] == f"{BASE}/"  # it asked for the latest snapshot first
    assert catalog.snapshot() == SNAP


def test_resolve_rid_finds_the_table_then_the_row(catalog, server):
    server.route("GET", f"{BASE}/entity_rid/1-ABCD",
                 (200, {"schema_name": "s", "table_name": "Parent", "RID": "1-ABCD"}, {}))
    server.route("GET", f"{BASE}/entity/s:Parent/RID=1-ABCD@sort\\(RID\\)",
                 rows_answer([{"RID": "1-ABCD", "Name": "p"}]))
    found = catalog.resolve_rid("1abcd")
    assert (found.schema, found.table, found.row["Name"]) == ("s", "Parent", "p")
    with pytest.raises(DerivaMLNotFound, match="RID 2-0000 does not exist in catalog 1"):
        catalog.resolve_rid("2-0000")


# -- writes -----------------------------------------------------------------------------------

def echo_inserted(request):
    rows = json.loads(request.body)
    return 200, [{**row, "RID": f"1-{i:04d}"} for i, row in enumerate(rows)], {}


def test_insert_posts_batches_with_server_defaults(catalog, server, monkeypatch):
    monkeypatch.setattr(deriva_catalog, "BATCH_ROWS", 2)
    server.route("POST", rf"{BASE}/entity/.*", echo_inserted)
    rows = catalog.insert("s", "Thing", [{"Name": f"t{i}", "Meta": {"i": i}} for i in range(4)]
                          + [{"Name": "t4", "Flag": True}])
    assert [r["Name"] for r in rows] == ["t0", "t1", "t2", "t3", "t4"]
    posts = [r for r in server.sent if r.method == "POST"]
    assert [request_path(r) for r in posts] == [
        f"{BASE}/entity/s:Thing?defaults=RID,RCT,RMT,RCB,RMB"] * 3
    assert json.loads(posts[2].body) == [{"Name": "t4", "Meta": None, "Flag": True}]
    assert posts[0].headers["Content-Type"] == "application/json"
    catalog.insert("s", "Term", [{"Name": "x", "Description": "d"}], on_conflict_skip=True)
    assert request_path(server.sent[-1]) == (
        f"{BASE}/entity/s:Term?defaults=RID,RCT,RMT,RCB,RMB,ID,URI&onconflict=skip")


def test_insert_refuses_system_and_unknown_columns_before_sending(catalog, server):
    with pytest.raises(DerivaMLValidationError, match="RID is a system column"):
        catalog.insert("s", "Thing", [{"Name": "x", "RID": "1-0000"}])
    with pytest.raises(DerivaMLNotFound, match="Colour"):
        catalog.insert("s", "Thing", [{"Name": "x", "Colour": "red"}])
    with pytest.raises(DerivaMLValidationError, match="cannot be stored"):
        catalog.insert("s", "Thing", [{"Name": object()}])
    assert server.paths("POST") == []


def test_update_checks_the_rids_then_puts_attribute_groups(catalog, server):
    stored = {"1-0001", "1-0002"}
    server.route("GET", rf"{BASE}/attribute/s:Thing/\(.*\)/RID@sort\(RID\)", lambda r: (
        200, [{"RID": rid} for rid in re.findall(r"RID=([0-9A-Z-]+)", request_path(r))
              if rid in stored], {}))
    server.route("GET", rf"{BASE}/entity/s:Thing/.*", rows_answer([{"RID": "1-0001"}]))
    server.route("PUT", rf"{BASE}/attributegroup/.*", lambda r: (200, json.loads(r.body), {}))
    catalog.update("s", "Thing", [{"RID": "10001", "Value": 5},
                                  {"RID": "1-0002", "Value": 6, "Flag": False}])
    puts = [r for r in server.sent if r.method == "PUT"]
    assert [unquote(request_path(r)) for r in puts] == [
        f"{BASE}/attributegroup/s:Thing/RID;Value",
        f"{BASE}/attributegroup/s:Thing/RID;Value,Flag"]
    assert json.loads(puts[0].body) == [{"RID": "1-0001", "Value": 5}]
    server.sent.clear()
    with pytest.raises(DerivaMLNotFound, match="no rows with RID 1-0003"):
        catalog.update("s", "Thing", [{"RID": "1-0001", "Value": 1},
                                      {"RID": "1-0003", "Value": 2}])
    assert server.paths("PUT") == []


def test_update_of_one_row_is_one_put_and_an_empty_answer_means_unknown(catalog, server):
    """ERMrest's attributegroup PUT answers the rows it found, so one row needs no check
    first; as on the real server, a RID it does not find comes back as an empty answer."""
    server.route("PUT", rf"{BASE}/attributegroup/.*", lambda r: (
        200, [row for row in json.loads(r.body) if row["RID"] == "1-0001"], {}))
    server.route("GET", rf"{BASE}/attribute/s:Thing/\(.*\)/RID@sort\(RID\)",
                 rows_answer([]))
    assert catalog.update("s", "Thing", [{"RID": "1-0001", "Value": 5}]) == 1
    assert [r.method for r in server.sent] == ["PUT"]
    with pytest.raises(DerivaMLNotFound, match="no rows with RID 1-0009"):
        catalog.update("s", "Thing", [{"RID": "1-0009", "Value": 5}])


def test_delete_counts_then_deletes_and_skips_empty_matches(catalog, server):
    counts = {"Flag=true": 3, "Flag=false": 0}
    server.route("GET", rf"{BASE}/aggregate/s:Thing/(.*)/n:=cnt\(\*\)",
                 lambda r: (200, [{"n": counts[unquote(request_path(r)).split("/")[-2]]}], {}))
    server.route("DELETE", rf"{BASE}/entity/.*", (204, b"", {}))
    assert catalog.delete("s", "Thing", {"Flag": True}) == 3
    assert catalog.delete("s", "Thing", {"Flag": False}) == 0
    assert server.paths("DELETE") == [f"{BASE}/entity/s:Thing/Flag=true"]
    with pytest.raises(DerivaMLValidationError, match="give a filter"):
        catalog.delete("s", "Thing", {})


# -- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("status, detail, error, message", [
    (409, 'duplicate key value violates unique constraint "Thing_Name_key" DETAIL: Key '
          '("Name")=(t1) already exists.', DerivaMLConflict, r"same key.*\"Name\""),
    (409, 'insert or update on table "Thing" violates foreign key constraint DETAIL: Key '
          '(Parent)=(ZZZZ) is not present in table "Parent".', DerivaMLNotFound,
     "Parent = ZZZZ does not match any row of table Parent"),
    (409, 'update or delete on table "Parent" violates foreign key constraint on table '
          '"Thing" DETAIL: Key is still referenced', DerivaMLConflict, "still refer"),
    (400, "Bad value", DerivaMLValidationError, "refused the request: Bad value"),
    (401, "no session", DerivaMLException, "deriva-globus-auth-utils login --host deriva.test"),
    (403, "denied", DerivaMLException, "permission denied"),
])
def test_server_errors_become_derivaml_errors(catalog, server, status, detail, error, message):
    server.route("POST", rf"{BASE}/entity/.*", (status, detail, {}))
    with pytest.raises(error, match=message):
        catalog.insert("s", "Thing", [{"Name": "t1"}])


def test_anonymous_forbidden_asks_to_log_in_and_whoami_reads_the_session(server):
    cat = DerivaCatalog(HOST, "1", credential={})
    server.add_schema("s")
    cat.create_table(Table("s", "T", [Column("X")]))
    server.route("POST", rf"{BASE}/entity/.*", (403, "forbidden", {}))
    with pytest.raises(DerivaMLException, match="not authenticated.*login --host deriva.test"):
        cat.insert("s", "T", [{"X": "1"}])
    with pytest.raises(DerivaMLException, match="Not authenticated to deriva.test"):
        cat.whoami()
    server.route("GET", "/authn/session", (200, {"client": {"id": "https://idp/u1"}}, {}))
    assert cat.whoami() == "https://idp/u1"
    assert cat.url_for("1abcd") == "https://deriva.test/id/1/1-ABCD"
    assert cat.url_for("1-ABCD", SNAP) == f"https://deriva.test/id/1/1-ABCD@{SNAP}"


def test_missing_catalog_and_unreachable_host_say_which(server):
    server.route("GET", "/ermrest/catalog/99/", (404, "Catalog 99 not found", {}))
    with pytest.raises(DerivaMLNotFound, match="connect to catalog 99 on deriva.test"):
        DerivaCatalog(HOST, "99", credential={})


def test_derivaml_on_an_unknown_host_names_the_host(tmp_path, monkeypatch):
    from derivaml_jupyter.ml import DerivaML

    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    with pytest.raises(DerivaMLException, match="could not reach the DERIVA server "
                                                "example.invalid"):
        DerivaML("example.invalid", "1")


# -- objects ----------------------------------------------------------------------------------

def test_put_object_hashes_then_puts_with_content_md5(catalog, server, tmp_path):
    source = tmp_path / "w eights.bin"
    content = bytes(range(256)) * 100
    source.write_bytes(content)
    md5 = hashlib.md5(content).hexdigest()
    server.route("PUT", r"/hatrac/.*", (201, "/hatrac/s/Image/x:1", {}))
    seen = []
    info = catalog.put_object("s/Image", "w eights.bin", source, progress=seen.append)
    assert (info.url, info.md5, info.length) == (
        f"/hatrac/s/Image/{md5}.w%20eights.bin", md5, len(content))
    # the object is looked up, then put: its namespace is made only when a PUT answers 404
    assert [r.method for r in server.sent] == ["HEAD", "PUT"]
    put = server.sent[1]
    assert request_path(put) == f"/hatrac/s/Image/{md5}.w%20eights.bin"
    assert put.headers["Content-MD5"] == base64.b64encode(hashlib.md5(content).digest()).decode()
    assert put.headers["Content-Length"] == str(len(content))
    assert sum(seen) == len(content)


def test_put_object_skips_an_object_already_stored(catalog, server, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("hello")
    md5 = hashlib.md5(b"hello")
    server.route("HEAD", r"/hatrac/ns/.*", (200, b"", {
        "Content-MD5": base64.b64encode(md5.digest()).decode(), "Content-Length": "5"}))
    seen = []
    info = catalog.put_object("ns", "a.txt", source, md5=md5.hexdigest(), progress=seen.append)
    assert info.md5 == md5.hexdigest() and info.length == 5 and seen == [5]
    assert [r.method for r in server.sent] == ["HEAD"]


def test_put_object_with_a_wrong_md5_is_refused(catalog, server, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("hello")
    server.route("HEAD", "/hatrac/ns", (200, b"", {"Content-Type": "application/json"}))
    server.route("PUT", r"/hatrac/ns/.*", (400, "Content-MD5 mismatch", {}))
    with pytest.raises(DerivaMLValidationError, match="do not have the MD5"):
        catalog.put_object("ns", "a.txt", source, md5="0" * 32)
    with pytest.raises(DerivaMLValidationError, match="not a valid"):
        catalog.put_object("ns/..", "a.txt", source)


def test_get_object_and_object_info(catalog, server, tmp_path):
    content = b"payload"
    md5 = base64.b64encode(hashlib.md5(content).digest()).decode()
    server.route("GET", "/hatrac/ns/x.bin", (200, content, {"Content-MD5": md5}))
    seen = []
    info = catalog.get_object("/hatrac/ns/x.bin", tmp_path / "d" / "x.bin", progress=seen.append)
    assert (tmp_path / "d" / "x.bin").read_bytes() == content and sum(seen) == len(content)
    assert info.md5 == hashlib.md5(content).hexdigest() and info.length == len(content)
    assert catalog.object_info("/hatrac/ns/missing.bin") is None
    with pytest.raises(DerivaMLNotFound):
        catalog.get_object("/hatrac/ns/missing.bin", tmp_path / "m")
    assert not (tmp_path / "m").exists()
    with pytest.raises(DerivaMLValidationError):
        catalog.get_object("/hatrac/../x", tmp_path / "y")


def test_large_objects_go_up_in_chunks_of_an_upload_job(catalog, server, tmp_path, monkeypatch):
    monkeypatch.setattr(deriva_objects, "CHUNKED_ABOVE", 1000)
    monkeypatch.setattr(deriva_objects, "UPLOAD_CHUNK", 64 * 1024)
    content = bytes(range(256)) * 1000  # 256000 bytes: 4 chunks of 64 KiB
    source = tmp_path / "big.bin"
    source.write_bytes(content)
    md5 = hashlib.md5(content)
    url = f"/hatrac/ns/{md5.hexdigest()}.big.bin"
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))  # where jobs are recorded
    server.route("HEAD", "/hatrac/ns", (200, b"", {"Content-Type": "application/json"}))
    server.route("POST", rf"{url};upload", (201, f"{url};upload/J1\n", {}))
    server.route("PUT", rf"{url};upload/J1/\d", (204, b"", {}))
    server.route("POST", rf"{url};upload/J1", (201, f"{url}:V1", {}))
    seen = []
    info = catalog.put_object("ns", "big.bin", source, progress=seen.append)
    assert (info.url, info.length) == (url, len(content)) and sum(seen) == len(content)
    job = json.loads(next(r for r in server.sent if r.method == "POST").body)
    assert job["content-md5"] == base64.b64encode(md5.digest()).decode()
    assert job["chunk-length"] == 64 * 1024 and job["content-length"] == len(content)
    chunks = [r for r in server.sent if r.method == "PUT"]
    assert [unquote(request_path(r)) for r in chunks] == [f"{url};upload/J1/{i}" for i in range(4)]
    assert b"".join(r.body for r in chunks) == content
    assert unquote(request_path(server.sent[-1])) == f"{url};upload/J1"  # finalized
