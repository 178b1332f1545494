"""``Contains`` and ``AtLeast`` in a ``where``: text holding a phrase in any case, and values
at least a bound, the same on every backend, with counts and paging."""

from __future__ import annotations

from derivaml_jupyter.catalog.contract import AtLeast, Contains


def test_contains_matches_text_in_any_case_and_literally(catalog, schema):
    catalog.insert(schema, "Thing", [
        {"Name": "Learning rate sweep"}, {"Name": "LEARNING curves"}, {"Name": "a.b (c)"},
        {"Name": "abxc"}, {"Name": "other"}])
    found = catalog.select(schema, "Thing", where={"Name": Contains("learning")}, sort=["Name"])
    assert [r["Name"] for r in found] == ["LEARNING curves", "Learning rate sweep"]
    # regular-expression characters are only text
    assert [r["Name"] for r in catalog.select(schema, "Thing",
                                               where={"Name": Contains("a.b (c")})] == ["a.b (c)"]
    assert catalog.count(schema, "Thing", where={"Name": Contains("LEARN")}) == 2
    assert catalog.select(schema, "Thing", where={"Name": Contains("nowhere")}) == []


def test_at_least_bounds_numbers_and_times(catalog, schema):
    rows = catalog.insert(schema, "Thing", [{"Name": f"n{i}", "Value": i} for i in range(5)])
    assert [r["Value"] for r in catalog.select(
        schema, "Thing", where={"Value": AtLeast(3)}, sort=["Value"])] == [3, 4]
    since = min(r["RCT"] for r in rows)
    assert catalog.count(schema, "Thing", where={"RCT": AtLeast(since)}) == 5
    assert catalog.count(schema, "Thing", where={"RCT": AtLeast("2999-01-01")}) == 0
    both = catalog.select(schema, "Thing", where={"Value": AtLeast(1), "Name": Contains("N4")})
    assert [r["Name"] for r in both] == ["n4"]
