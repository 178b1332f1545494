"""Datasets: creation, members, nesting, versions pinned to snapshots, and bad input."""

from __future__ import annotations

import pytest

from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.core.errors import (
    DerivaMLCycleError,
    DerivaMLInvalidTerm,
    DerivaMLNotFound,
    DerivaMLValidationError,
)
from derivaml_jupyter.dataset.dataset import Dataset
from derivaml_jupyter.dataset.history import DatasetHistory
from derivaml_jupyter.dataset.spec import DatasetVersion

pytestmark = pytest.mark.real_server


@pytest.fixture
def subjects(ml) -> list[str]:
    """RIDs of 10 ``Subject`` rows (a dataset element type); ``Note`` is not one."""
    ml.create_table("Subject", {"Name": "text", "Age": "int4"})
    ml.create_table("Note", {"Text": "text"})
    ml.add_dataset_element_type("Subject")
    return [r["RID"] for r in ml.insert_rows(
        "Subject", [{"Name": f"s{i}", "Age": 20 + i} for i in range(10)])]


def counts(ml) -> dict[str, int]:
    """Rows of every table a dataset write can touch."""
    tables = [(ML_SCHEMA, t) for t in ("Dataset", "Dataset_Version", "Dataset_Dataset",
                                       "Dataset_Dataset_Type")] + [("domain", "Dataset_Subject")]
    return {t: ml.catalog.count(s, t) for s, t in tables}


def member_rids(ml, rid, **kwargs) -> dict[str, list[str]]:
    return {table: sorted(r["RID"] for r in rows)
            for table, rows in ml.list_dataset_members(rid, **kwargs).items()}


def test_every_membership_change_is_a_new_minor_version(ml, subjects):
    ds = ml.create_dataset(["Training", "labeled"], description="first five")
    assert str(ds.current_version) == "0.1.0"
    assert ds.dataset_types == ["Labeled", "Training"]
    assert str(ml.add_dataset_members(ds, subjects[:5])) == "0.2.0"
    assert ml.add_dataset_members(ds, subjects[:5]) is None  # already members: no change
    assert str(ml.delete_dataset_members(ds, subjects[:1])) == "0.3.0"
    assert str(ml.increment_dataset_version(ds, "major", "Release.")) == "1.0.0"
    history = ml.dataset_history(ds.rid)
    assert [str(h.dataset_version) for h in history] == ["0.1.0", "0.2.0", "0.3.0", "1.0.0"]
    snapshots = [h.snapshot for h in history]
    assert snapshots == sorted(snapshots)
    assert [d.dataset_rid for d in ml.find_datasets()] == [ds.rid]
    assert member_rids(ml, ds.rid) == {"Subject": sorted(subjects[1:5])}


def test_listings_are_deriva_mls_objects_and_show_as_tables(ml, subjects):
    first = ml.create_dataset("Training", description="first")
    ml.add_dataset_members(first, subjects[:2])
    second = ml.create_dataset("Complete", description="second")
    found = ml.find_datasets()
    assert all(isinstance(d, Dataset) for d in found)  # a DataFrame iterates column names
    assert [(d.dataset_rid, d.description) for d in found] == [
        (first.rid, "first"), (second.rid, "second")]
    assert ml.find_datasets(sort=True) == [second, first]  # newest first
    table = found.to_dataframe()
    assert list(table.columns) == ["RID", "Description", "Version", "Dataset_Types", "RCT"]
    assert table[["RID", "Version", "Dataset_Types"]].values.tolist() == [
        [first.rid, "0.2.0", ["Training"]], [second.rid, "0.1.0", ["Complete"]]]
    assert found[1:].to_dataframe()["RID"].tolist() == [second.rid]
    html = found._repr_html_()
    assert html.count("<tr") == 3 and f"<td>{first.rid}</td>" in html and "0.2.0" in html

    created, added = first.dataset_history()
    assert isinstance(added, DatasetHistory) and added.dataset_version == DatasetVersion("0.2.0")
    record = ml.dataset_version_record(first, "0.2.0")
    assert (added.dataset_rid, added.version_rid, added.snapshot, added.execution_rid,
            added.description) == (first.rid, record["RID"], record["Snapshot"], None,
                                   "Added 2 member(s).")
    assert str(created.dataset_version) == "0.1.0"
    assert first.dataset_history().to_dataframe()[["Version", "Description"]].values.tolist() \
        == [["0.1.0", "Initial dataset creation."], ["0.2.0", "Added 2 member(s)."]]
    with pytest.raises(DerivaMLValidationError, match="Pass sort=True"):
        ml.find_datasets(sort=lambda path: path.RCT)


def test_members_as_of_a_version_stay_the_same_after_later_edits(ml, subjects):
    ds = ml.create_dataset("Complete", description="pinned", version="1.0.0")
    ml.add_dataset_members(ds, subjects[:4])
    ml.increment_dataset_version(ds, "major")
    pinned = ml.list_dataset_members(ds, version="2.0.0")
    ml.add_dataset_members(ds, subjects[4:])
    ml.delete_dataset_members(ds, subjects[:2])
    ml.catalog.update("domain", "Subject", [{"RID": subjects[3], "Name": "renamed"}])
    ml.catalog.delete("domain", "Subject", {"RID": subjects[2]})
    assert ml.list_dataset_members(ds, version="2.0.0") == pinned
    assert sorted(r["Name"] for r in pinned["Subject"]) == ["s0", "s1", "s2", "s3"]
    assert ml.list_dataset_members(ds, version="1.0.0") == {}
    now = ml.list_dataset_members(ds)["Subject"]
    assert sorted(r["Name"] for r in now) == ["renamed", "s4", "s5", "s6", "s7", "s8", "s9"]


def test_unknown_version_lists_the_available_ones(ml, subjects):
    ds = ml.create_dataset("Complete", description="d")
    ml.add_dataset_members(ds, subjects[:1])
    with pytest.raises(DerivaMLNotFound, match=r"version 7\.0\.0 .*Available versions: "
                                               r"0\.1\.0, 0\.2\.0"):
        ml.list_dataset_members(ds, version="7.0.0")
    with pytest.raises(DerivaMLValidationError, match="not a dataset version"):
        ml.list_dataset_members(ds, version="latest")


def test_rids_with_or_without_dashes_and_in_lower_case(ml, subjects):
    ds = ml.create_dataset("Complete", description="d")
    spellings = [subjects[0].lower(), subjects[1].replace("-", ""),
                 subjects[2].replace("-", "").lower()]
    ml.add_dataset_members(ds.rid.lower().replace("-", ""), spellings)
    assert member_rids(ml, ds.rid) == {"Subject": sorted(subjects[:3])}
    assert ml.lookup_dataset(ds.rid.lower()) == ds
    assert ml.dataset_version_record(ds.rid.replace("-", ""))["Version"] == "0.2.0"


def test_nested_datasets_and_cycles(ml, subjects):
    train = ml.create_dataset("Training", description="train")
    test = ml.create_dataset("Testing", description="test")
    split = ml.create_dataset("Split", description="split")
    ml.add_dataset_members(train, subjects[:8])
    ml.add_dataset_members(test, subjects[8:])
    ml.add_dataset_members(split, [train.rid, test.rid])
    assert set(ml.list_dataset_children(split)) == {train, test}
    assert ml.list_dataset_parents(train) == [split]
    assert len(ml.list_dataset_members(split, recurse=True)["Subject"]) == 10
    before = counts(ml)
    with pytest.raises(DerivaMLCycleError, match="cycle"):
        ml.add_dataset_members(train, [split.rid])
    with pytest.raises(DerivaMLCycleError, match="member of itself"):
        ml.add_dataset_members(split, [split.rid])
    assert counts(ml) == before


def test_unknown_rid_is_a_clear_error_and_writes_nothing(ml, subjects):
    ds = ml.create_dataset("Complete", description="d")
    before = counts(ml)
    with pytest.raises(DerivaMLNotFound, match="RID 1-ZZZZ does not exist"):
        ml.add_dataset_members(ds, [*subjects[:3], "1-ZZZZ"])
    with pytest.raises(DerivaMLNotFound, match="Dataset 1-ZZZZ does not exist"):
        ml.add_dataset_members("1-ZZZZ", subjects[:1])
    with pytest.raises(DerivaMLNotFound, match="Dataset 1-ZZZZ does not exist"):
        ml.lookup_dataset("1-ZZZZ")
    with pytest.raises(DerivaMLValidationError, match="not a RID"):
        ml.lookup_dataset("not a rid!")
    assert counts(ml) == before


def test_rid_of_a_table_that_is_not_an_element_type_is_refused(ml, subjects):
    ds = ml.create_dataset("Complete", description="d")
    (note,) = ml.insert_rows("Note", [{"Text": "hello"}])
    before = counts(ml)
    with pytest.raises(DerivaMLValidationError,
                       match=rf"RID {note['RID']} is a row of Note.*not a dataset element "
                             r"type.*add_dataset_element_type\('Note'\)"):
        ml.add_dataset_members(ds, [subjects[0], note["RID"]])
    with pytest.raises(DerivaMLValidationError, match="Note is not a dataset element type"):
        ml.add_dataset_members(ds, {"Note": [note["RID"]]})
    with pytest.raises(DerivaMLValidationError, match=f"{subjects[0]} is a row of Subject, not a"):
        ml.add_dataset_members(subjects[0], [subjects[1]])
    assert counts(ml) == before


def test_vocabularies_cannot_be_element_types(ml):
    tables = len(list(ml.catalog.model().tables()))
    with pytest.raises(DerivaMLValidationError, match="Dataset_Type is a vocabulary table"):
        ml.add_dataset_element_type("Dataset_Type")
    assert len(list(ml.catalog.model().tables())) == tables


def test_unknown_dataset_type_creates_no_dataset(ml, subjects):
    before = counts(ml)
    with pytest.raises(DerivaMLInvalidTerm, match="'Trainnig' in vocabulary Dataset_Type"):
        ml.create_dataset(["Training", "Trainnig"], description="typo")
    assert counts(ml) == before


def test_deleted_dataset_is_hidden_but_readable_at_its_versions(ml, subjects):
    ds = ml.create_dataset("Complete", description="d")
    ml.add_dataset_members(ds, subjects[:2])
    ml.delete_dataset(ds)
    assert ml.find_datasets() == [] and ml.find_datasets(deleted=True) == [ds]
    with pytest.raises(DerivaMLNotFound, match="was deleted"):
        ml.add_dataset_members(ds, subjects[2:3])
    assert len(ml.list_dataset_members(ds, version="0.2.0")["Subject"]) == 2


@pytest.mark.parametrize("validate, message", [
    (True, "Subject has no rows with RID 1-ZZZZ; check the RIDs"),
    (False, "Subject = 1-ZZZZ does not match any"),
])
def test_members_by_table_are_checked_and_nothing_half_written(ml, subjects, validate,
                                                                message):
    ds = ml.create_dataset("Complete", description="d")
    before = counts(ml)
    with pytest.raises(DerivaMLNotFound, match=message):
        ml.add_dataset_members(ds, {"Subject": [*subjects[:3], "1-ZZZZ"]}, validate=validate)
    assert counts(ml) == before
    assert ml.add_dataset_members(ds, {"Subject": subjects[:3]}, validate=validate) is not None
    assert member_rids(ml, ds)["Subject"] == sorted(subjects[:3])
