"""The catalog contract, run against every configured backend (see conftest.py)."""

from __future__ import annotations

import hashlib

import pytest

from derivaml_jupyter.catalog.contract import SYSTEM_COLUMNS, Column, ForeignKey, Table
from derivaml_jupyter.core.errors import (
    DerivaMLConflict,
    DerivaMLNotFound,
    DerivaMLValidationError,
)
from derivaml_jupyter.core.rid import is_rid, normalize_rid

THING = "Thing"


def things(n: int, start: int = 0) -> list[dict]:
    return [{"Name": f"t{i:06d}", "Value": i % 97, "Score": i / 4, "Tags": [f"tag{i % 3}"],
             "Flag": i % 2 == 0, "Meta": {"i": i}} for i in range(start, start + n)]


def names(rows) -> list[str]:
    return [r["Name"] for r in rows]


def test_insert_returns_rows_with_system_columns(catalog, schema):
    rows = catalog.insert(schema, THING, things(3))
    assert names(rows) == ["t000000", "t000001", "t000002"]
    for row in rows:
        assert set(SYSTEM_COLUMNS) <= set(row)
        assert is_rid(row["RID"]) and row["RID"] == normalize_rid(row["RID"])
        assert row["RCB"] == catalog.whoami()
    assert len({r["RID"] for r in rows}) == 3
    stored = catalog.select(schema, THING, sort=["Name"])
    assert [(r["Tags"], r["Flag"], r["Meta"]) for r in stored] == [
        (["tag0"], True, {"i": 0}), (["tag1"], False, {"i": 1}), (["tag2"], True, {"i": 2})]


def test_create_model_makes_what_is_missing_tables_referencing_each_other(catalog, schema):
    other = f"{schema}_other"
    owner = Table(other, "Owner", [Column("Name", nullok=False)], keys=[("Name",)])
    pet = Table(other, "Pet", [Column("Owner", nullok=False)],
                foreign_keys=[ForeignKey(("Owner",), other, "Owner", ("Name",))])
    catalog.create_model({schema: "exists", other: "new"}, [pet, owner])
    catalog.create_model({other: "new"}, [owner, pet])  # a second time: nothing to do
    model = catalog.model()
    assert model.has_table(other, "Owner") and model.has_table(other, "Pet")
    assert model.table(other, "Pet").references(other, "Owner")[0].pk_columns == ("Name",)
    (owner_row,) = catalog.insert(other, "Owner", [{"Name": "ann"}])
    assert catalog.insert(other, "Pet", [{"Owner": "ann"}])[0]["Owner"] == owner_row["Name"]


def test_select_filters_columns_sort_and_limit(catalog, schema):
    catalog.insert(schema, THING, things(10) + [{"Name": "none"}])
    assert names(catalog.select(schema, THING, where={"Value": 3})) == ["t000003"]
    assert names(catalog.select(schema, THING, where={"Value": [1, 4, 400]},
                                sort=["Name"])) == ["t000001", "t000004"]
    assert names(catalog.select(schema, THING, where={"Value": None})) == ["none"]
    assert catalog.select(schema, THING, where={"Value": []}) == []
    assert names(catalog.select(schema, THING, where={"Flag": True, "Value": [2, 3, 4]},
                                sort=["Name"])) == ["t000002", "t000004"]
    desc = catalog.select(schema, THING, where={"Value": list(range(10))}, sort=["-Score"],
                          limit=3, columns=["Name", "Score"])
    assert desc == [{"Name": "t000009", "Score": 2.25}, {"Name": "t000008", "Score": 2.0},
                    {"Name": "t000007", "Score": 1.75}]
    assert catalog.count(schema, THING) == 11
    assert catalog.count(schema, THING, where={"Flag": False}) == 5


def test_unknown_table_and_column_are_clear_errors(catalog, schema):
    with pytest.raises(DerivaMLNotFound, match="Nope"):
        catalog.select(schema, "Nope")
    with pytest.raises(DerivaMLNotFound, match="no column 'Colour'.*Value"):
        catalog.select(schema, THING, where={"Colour": "red"})
    with pytest.raises(DerivaMLNotFound, match="Colour"):
        catalog.insert(schema, THING, [{"Name": "x", "Colour": "red"}])
    with pytest.raises(DerivaMLValidationError, match="RID is a system column"):
        catalog.insert(schema, THING, [{"Name": "x", "RID": "1-0000"}])
    assert catalog.count(schema, THING) == 0


def test_select_linked_follows_a_link_table_as_of_a_snapshot(catalog, schema):
    """Things point to Parents; the Parents that Things with Value < 3 point to, each once,
    now and as of a snapshot taken before one more link."""
    parents = catalog.insert(schema, "Parent", [{"Name": f"p{i}"} for i in range(4)])
    catalog.insert(schema, THING, [{**row, "Parent": parents[i % 3]["RID"]}
                                   for i, row in enumerate(things(300))])
    before = catalog.snapshot()
    catalog.insert(schema, THING, [{"Name": "late", "Value": 1, "Parent": parents[3]["RID"]}])
    via = (schema, THING, "Parent")
    linked = catalog.select_linked(schema, "Parent", via=via, where={"Value": [0, 1, 2]})
    assert [r["RID"] for r in linked] == sorted(p["RID"] for p in parents)
    assert linked == sorted(catalog.select(schema, "Parent"), key=lambda r: r["RID"])
    old = catalog.select_linked(schema, "Parent", via=via, where={"Value": 1}, snapshot=before)
    assert [r["Name"] for r in old] == sorted(["p0", "p1", "p2"], key=lambda n: next(
        p["RID"] for p in parents if p["Name"] == n))
    assert catalog.select_linked(schema, "Parent", via=via, where={"Value": 500}) == []


def test_update_changes_only_given_columns(catalog, schema):
    a, b = catalog.insert(schema, THING, things(2))
    assert catalog.update(schema, THING, [{"RID": a["RID"], "Value": 500}]) == 1
    updated = catalog.select(schema, THING, where={"RID": a["RID"]})
    assert updated[0]["Value"] == 500 and updated[0]["Name"] == a["Name"]
    assert updated[0]["Meta"] == a["Meta"] and updated[0]["RCT"] == a["RCT"]
    assert updated[0]["RMT"] >= a["RMT"]
    assert catalog.select(schema, THING, where={"RID": b["RID"]}) == [b]


def test_update_of_unknown_rid_changes_nothing(catalog, schema):
    (a,) = catalog.insert(schema, THING, things(1))
    with pytest.raises(DerivaMLNotFound, match="no rows with RID"):
        catalog.update(schema, THING, [{"RID": a["RID"], "Value": 1},
                                       {"RID": "ZZZZ-ZZZZ", "Value": 2}])
    with pytest.raises(DerivaMLNotFound, match="no rows with RID ZZZZ-ZZZZ"):
        catalog.update(schema, THING, [{"RID": "ZZZZ-ZZZZ", "Value": 2, "Name": "z"}])
    assert catalog.select(schema, THING) == [a]


def test_delete_needs_a_filter_and_returns_the_count(catalog, schema):
    catalog.insert(schema, THING, things(6))
    with pytest.raises(DerivaMLValidationError, match="give a filter"):
        catalog.delete(schema, THING, {})
    assert catalog.delete(schema, THING, {"Flag": True}) == 3
    assert names(catalog.select(schema, THING, sort=["Name"])) == [
        "t000001", "t000003", "t000005"]
    assert catalog.delete(schema, THING, {"Value": 999}) == 0


def test_rids_with_or_without_dashes_and_in_lower_case(catalog, schema):
    (row,) = catalog.insert(schema, THING, things(1))
    rid = row["RID"]
    for spelling in (rid, rid.replace("-", ""), rid.lower(), rid.replace("-", "").lower()):
        assert catalog.select(schema, THING, where={"RID": spelling}) == [row]
        assert catalog.select(schema, THING, where={"RID": [spelling]}) == [row]
        assert catalog.resolve_rid(spelling).row == row
    catalog.update(schema, THING, [{"RID": rid.lower().replace("-", ""), "Value": 7}])
    assert catalog.select(schema, THING, where={"RID": rid})[0]["Value"] == 7
    with pytest.raises(DerivaMLValidationError, match="not a RID"):
        catalog.resolve_rid("1-AB_C")


def test_resolve_rid_names_the_table(catalog, schema):
    (parent,) = catalog.insert(schema, "Parent", [{"Name": "p"}])
    found = catalog.resolve_rid(parent["RID"])
    assert (found.schema, found.table, found.row) == (schema, "Parent", parent)
    with pytest.raises(DerivaMLNotFound, match="does not exist"):
        catalog.resolve_rid("ZZZZ-ZZZZ-ZZZZ")


def test_unique_key_conflict_writes_nothing_of_the_batch(catalog, schema):
    catalog.insert(schema, THING, things(2))
    batch = things(3, start=5) + things(1)  # the last one collides
    with pytest.raises(DerivaMLConflict, match="Name"):
        catalog.insert(schema, THING, batch)
    assert catalog.count(schema, THING) == 2
    skipped = catalog.insert(schema, THING, batch, on_conflict_skip=True)
    assert names(skipped) == ["t000005", "t000006", "t000007"]
    assert catalog.count(schema, THING) == 5
    twice = [{"Name": "t000009", "Value": 1}, {"Name": "t000009", "Value": 2}]
    assert [r["Value"] for r in catalog.insert(schema, THING, twice, on_conflict_skip=True)] \
        == [1]  # a key repeated within one batch is skipped like any other conflict


def test_foreign_key_to_missing_row_is_refused(catalog, schema):
    with pytest.raises(DerivaMLNotFound, match="Parent"):
        catalog.insert(schema, THING, [{"Name": "orphan", "Parent": "ZZZZ-ZZZZ"}])
    assert catalog.count(schema, THING) == 0


def test_transaction_commits_together_or_not_at_all(catalog, schema):
    if catalog.hostname != "local":
        pytest.skip("ERMrest has no transaction spanning requests; the DERIVA backend's "
                    "transaction() is a documented no-op")
    with pytest.raises(DerivaMLConflict):
        with catalog.transaction():
            catalog.insert(schema, "Parent", [{"Name": "kept?"}])
            catalog.insert(schema, THING, things(2))
            catalog.insert(schema, THING, things(1))
    assert catalog.count(schema, "Parent") == 0 and catalog.count(schema, THING) == 0
    with catalog.transaction():
        catalog.insert(schema, "Parent", [{"Name": "p"}])
        catalog.insert(schema, THING, things(2))
    assert catalog.count(schema, "Parent") == 1 and catalog.count(schema, THING) == 2


def test_keyset_paging_visits_25k_rows_once_in_order(catalog, schema):
    for start in range(0, 25_000, 5_000):
        catalog.insert(schema, THING, things(5_000, start))
    expected = sorted(catalog.select(schema, THING, columns=["RID", "Value"]),
                      key=lambda r: (r["Value"], r["RID"]))
    seen = [(r["RID"], r["Value"]) for r in catalog.iter_rows(
        schema, THING, sort=["Value"], page_size=1000)]
    assert seen == [(r["RID"], r["Value"]) for r in expected]
    page, after, pages = [], None, 0
    while True:
        page = catalog.select(schema, THING, sort=["-Value"], limit=7000, after=after,
                              columns=["RID", "Value"])
        pages += 1
        if not page:
            break
        after = page[-1]
        assert all(p["Value"] <= q for p, q in zip(page[1:], [r["Value"] for r in page]))
    assert pages == 5  # 7000 + 7000 + 7000 + 4000, then an empty page


@pytest.mark.parametrize("sort", [["Value"], ["-Value"], ["Flag", "-Value"]])
def test_keyset_paging_over_null_sort_values_visits_each_row_once(catalog, schema, sort):
    rows = things(40) + [{"Name": f"null{i}", "Value": None, "Flag": None} for i in range(40)]
    catalog.insert(schema, THING, rows)
    seen = [r["Name"] for r in catalog.iter_rows(schema, THING, sort=sort, page_size=7)]
    assert sorted(seen) == sorted(names(rows))


def test_reads_as_of_earlier_snapshots(catalog, schema):
    rows = catalog.insert(schema, THING, things(5))
    s1, state1 = catalog.snapshot(), catalog.select(schema, THING)
    catalog.update(schema, THING, [{"RID": rows[0]["RID"], "Value": 1000, "Meta": {"v": 2}}])
    catalog.delete(schema, THING, {"RID": rows[1]["RID"]})
    catalog.insert(schema, THING, things(1, start=10))
    s2, state2 = catalog.snapshot(), catalog.select(schema, THING)
    catalog.update(schema, THING, [{"RID": rows[0]["RID"], "Value": 2000}])
    catalog.delete(schema, THING, {"Flag": True})
    state3 = catalog.select(schema, THING)
    assert len({s1, s2, catalog.snapshot()}) == 3
    assert catalog.select(schema, THING, snapshot=s1) == state1
    assert catalog.select(schema, THING, snapshot=s2) == state2
    assert catalog.select(schema, THING) == state3
    assert catalog.count(schema, THING, snapshot=s1) == 5
    assert catalog.count(schema, THING, where={"Value": 1000}, snapshot=s2) == 1
    assert catalog.select(schema, THING, where={"Value": 1000}, snapshot=s1) == []
    assert catalog.resolve_rid(rows[1]["RID"], snapshot=s1).row == state1[1]
    with pytest.raises(DerivaMLNotFound):
        catalog.resolve_rid(rows[1]["RID"])
    paged = list(catalog.iter_rows(schema, THING, sort=["-Value"], page_size=2, snapshot=s1))
    assert sorted(names(paged)) == names(state1)


def test_snapshot_later_than_the_catalog_is_refused(catalog, schema):
    catalog.insert(schema, THING, things(1))
    with pytest.raises(DerivaMLNotFound):
        catalog.select(schema, THING, snapshot="ZZZZ-ZZZZ-ZZZZ")


def test_objects_put_get_info(catalog, schema, tmp_path):
    source = tmp_path / "weights.bin"
    content = bytes(range(256)) * 4099
    source.write_bytes(content)
    info = catalog.put_object(f"{schema}/{THING}", "weights.bin", source)
    assert info.md5 == hashlib.md5(content).hexdigest() and info.length == len(content)
    assert info.url.startswith("/hatrac/") and info.url.endswith("weights.bin")
    assert catalog.object_info(info.url) == info
    dest = tmp_path / "out" / "copy.bin"
    assert catalog.get_object(info.url, dest) == info
    assert dest.read_bytes() == content
    again = catalog.put_object(f"{schema}/{THING}", "weights.bin", source, md5=info.md5)
    assert again == info
    assert catalog.object_info(info.url.replace(info.md5, "0" * 32)) is None


def test_object_with_wrong_md5_is_not_stored(catalog, schema, tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("hello")
    with pytest.raises(DerivaMLValidationError, match="MD5"):
        catalog.put_object(f"{schema}/{THING}", "a.txt", source, md5="0" * 32)
    real = hashlib.md5(b"hello").hexdigest()
    assert catalog.object_info(f"/hatrac/{schema}/{THING}/{real}.a.txt") is None


@pytest.mark.parametrize("namespace, filename", [
    ("ns", "../x"), ("ns", "a/b"), ("ns", ""), ("ns", ".."), ("../x", "f.txt"),
    ("ns/../../x", "f.txt"),
])
def test_bad_object_names_are_refused(catalog, schema, tmp_path, namespace, filename):
    source = tmp_path / "f.txt"
    source.write_text("data")
    with pytest.raises(DerivaMLValidationError, match="not a valid"):
        catalog.put_object(namespace, filename, source)


def test_bad_object_urls_are_refused(catalog, schema, tmp_path):
    for url in ("/hatrac/../catalog.db", "/etc/passwd", "/hatrac/ns/../../x", "/hatrac/"):
        with pytest.raises(DerivaMLValidationError):
            catalog.get_object(url, tmp_path / "x")
