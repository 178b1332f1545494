"""Denormalization of real bags and live datasets: row grain, hoisting through foreign keys,
FK-reachable scope, orphans, features and selectors, ambiguity errors, dry runs."""

from __future__ import annotations

import pytest

from derivaml.core.exceptions import (
    DerivaMLDenormalizeAmbiguousPath,
    DerivaMLDenormalizeDownstreamLeaf,
    DerivaMLDenormalizeMultiLeaf,
    DerivaMLDenormalizeUnrelatedAnchor,
)
from derivaml.feature import FeatureRecord
from derivaml_jupyter.catalog.contract import ForeignKey
from derivaml_jupyter.core.errors import (
    DerivaMLException,
    DerivaMLNotFound,
    DerivaMLValidationError,
)

pytestmark = pytest.mark.real_server


def test_one_row_per_leaf_with_upstream_columns_hoisted(clinic_bag, clinic):
    df = clinic_bag.get_denormalized_as_dataframe(["Subject", "Observation", "Image"])
    assert list(df.columns) == [
        "Subject.RID", "Subject.Name", "Subject.Age", "Observation.RID", "Observation.Date",
        "Observation.Subject", "Image.RID", "Image.URL", "Image.Filename",
        "Image.Description", "Image.Length", "Image.MD5", "Image.Side", "Image.Observation"]
    rows = [tuple(r) for r in df[["Subject.Name", "Observation.Date", "Image.Filename"]]
            .itertuples(index=False)]
    # One row per image, its observation and subject repeated; Carol, a member with no
    # image, gets a row of her own with the image columns empty.
    assert sorted(rows[:4]) == [("Alice", "2024-01-01", "a1.png"),
                                ("Alice", "2024-01-01", "a2.png"),
                                ("Alice", "2024-02-01", "a3.png"),
                                ("Bob", "2024-03-01", "b1.png")]
    assert rows[4][0] == "Carol" and df.iloc[4][["Image.RID", "Observation.RID"]].isna().all()
    assert len(df) == 5
    assert df["Subject.Age"].dtype.kind in "if"
    assert {c for c in df.columns if c.split(".")[1] in ("RCT", "RMT", "RCB", "RMB")} == set()


def test_scope_is_what_members_reach_by_foreign_keys(ml, clinic, tmp_path):
    # Testing holds b1.png and Carol; Alice's images are outside it.
    bag = ml.download_dataset_bag(f"{clinic.testing.rid}@{clinic.testing.current_version}")
    assert set(bag.get_denormalized_as_dataframe(["Image"])["Image.Filename"]) == {"b1.png"}
    # A dataset of subjects only reaches their images through observations.
    subjects = ml.create_dataset("Complete", description="subjects only")
    subjects.add_dataset_members({"Subject": [clinic.subjects["Alice"]]})
    df = subjects.get_denormalized_as_dataframe(["Image", "Subject"])
    assert sorted(df["Image.Filename"]) == ["a1.png", "a2.png", "a3.png"]
    assert set(df["Subject.Name"]) == {"Alice"}
    assert "Observation.Date" not in df.columns  # walked through, not projected
    plan = subjects.describe_denormalized(["Image", "Subject"])
    assert plan["join_path"] == ["Image", "Observation", "Subject"]
    assert plan["transparent_intermediates"] == ["Observation"]


def test_features_by_name_and_selector(clinic_bag, clinic):
    df = clinic_bag.get_denormalized_as_dataframe(["Image", "Diagnosis"])
    feature_table = "Execution_Image_Diagnosis"
    assert {f"{feature_table}.Diagnosis_Type", f"{feature_table}.Image"} <= set(df.columns)
    by_image = df.groupby("Image.Filename")[f"{feature_table}.Diagnosis_Type"].apply(
        lambda s: sorted(s.dropna()))
    assert by_image.to_dict() == {"a1.png": ["Glaucoma", "Normal"], "a2.png": ["Glaucoma"],
                                  "a3.png": ["Normal"], "b1.png": []}
    newest = clinic_bag.get_denormalized_as_dataframe(["Image", "Diagnosis"],
                                               selector=FeatureRecord.select_newest)
    labels = newest[f"{feature_table}.Diagnosis_Type"].fillna("-")
    assert dict(zip(newest["Image.Filename"], labels)) == {
        "a1.png": "Glaucoma", "a2.png": "Glaucoma", "a3.png": "Normal", "b1.png": "-"}
    # The vocabulary itself, projected through the (hidden) feature table.
    terms = clinic_bag.get_denormalized_as_dataframe(["Image", "Diagnosis_Type"], row_per="Image")
    assert list(terms.columns)[-1] == "Diagnosis_Type.Synonyms"
    assert len(terms) == 5
    with pytest.raises(DerivaMLValidationError, match="exactly one feature"):
        clinic_bag.get_denormalized_as_dataframe(["Image"], selector=FeatureRecord.select_newest)


def test_as_dict_columns_and_system_columns(clinic_bag):
    rows = list(clinic_bag.get_denormalized_as_dict(["Image", "Subject"]))
    frame = clinic_bag.get_denormalized_as_dataframe(["Image", "Subject"])
    assert len(rows) == len(frame) == 5  # four images, and Carol (a member) on her own
    assert rows[-1]["Subject.Name"] == "Carol" and rows[-1]["Image.RID"] is None
    assert list(rows[0]) == list(frame.columns)
    assert clinic_bag.list_denormalized_columns(["Image", "Subject"])[:2] == [
        ("Image.RID", "ermrest_rid"), ("Image.URL", "text")]
    kept = clinic_bag.get_denormalized_as_dataframe(["Subject"], system_columns=["RCB"])
    assert "Subject.RCB" in kept.columns and "Subject.RCT" not in kept.columns
    with pytest.raises(DerivaMLValidationError, match="not system columns"):
        clinic_bag.get_denormalized_as_dataframe(["Subject"], system_columns=["Name"])


def test_rule_errors(ml, clinic_bag, clinic):
    with pytest.raises(DerivaMLDenormalizeDownstreamLeaf) as leaf:
        clinic_bag.get_denormalized_as_dataframe(["Subject", "Image"], row_per="Subject")
    assert leaf.value.downstream_tables == ["Image"]
    with pytest.raises(DerivaMLDenormalizeDownstreamLeaf, match="Execution_Image_Diagnosis"):
        clinic_bag.get_denormalized_as_dataframe(["Image", "Diagnosis"], row_per="Image")
    with pytest.raises(DerivaMLDenormalizeMultiLeaf) as multi:
        clinic_bag.get_denormalized_as_dataframe(["Image", "Diagnosis_Type"])
    assert multi.value.candidates == ["Diagnosis_Type", "Image"]
    assert multi.value.bridge_suggestions == ["Execution_Image_Diagnosis"]
    with pytest.raises(DerivaMLValidationError, match="must be one of include_tables"):
        clinic_bag.get_denormalized_as_dataframe(["Image"], row_per="Subject")
    with pytest.raises(DerivaMLNotFound, match="neither a table nor a feature"):
        clinic_bag.get_denormalized_as_dataframe(["Imagez"])
    with pytest.raises(DerivaMLValidationError, match="non-empty list"):
        clinic_bag.get_denormalized_as_dataframe("Image")
    with pytest.raises(DerivaMLValidationError, match="holds version"):
        clinic_bag.get_denormalized_as_dataframe(["Image"], version="0.1.0")
    plan = clinic_bag.describe_denormalized(["Image", "Diagnosis_Type"])  # a dry run never raises
    assert plan["row_per"] is None and plan["row_per_candidates"] == ["Diagnosis_Type", "Image"]
    assert any("MultiLeaf" in w for w in plan["warnings"])


def test_diamond_paths_are_refused_until_one_is_named(ml, clinic):
    # Image gets a direct Subject link too: Image -> Subject and Image -> Observation -> Subject.
    ml.create_table("Scan", {"Subject": "text", "Observation": "text"}, foreign_keys=[
        ForeignKey(("Subject",), ml.domain_schema, "Subject"),
        ForeignKey(("Observation",), ml.domain_schema, "Observation")])
    ml.add_dataset_element_type("Scan")
    scans = ml.insert_rows("Scan", [{"Subject": clinic.subjects["Bob"],
                                     "Observation": clinic.observations["Bob-1"]}])
    dataset = ml.create_dataset("Complete", description="scans")
    dataset.add_dataset_members({"Scan": [scans[0]["RID"]]})
    with pytest.raises(DerivaMLDenormalizeAmbiguousPath) as diamond:
        dataset.get_denormalized_as_dataframe(["Scan", "Subject"])
    assert diamond.value.paths == [["Scan", "Observation", "Subject"], ["Scan", "Subject"]]
    assert diamond.value.suggested_intermediates == ["Observation"]
    plan = dataset.describe_denormalized(["Scan", "Subject"])
    assert plan["ambiguities"][0]["suggestions"]["add_to_via"] == ["Observation"]
    via = dataset.get_denormalized_as_dataframe(["Scan", "Subject"], via=["Observation"])
    assert list(via["Subject.Name"]) == ["Bob"] and "Observation.Date" not in via.columns
    named = dataset.get_denormalized_as_dataframe(["Scan", "Observation", "Subject"])
    assert list(named["Observation.Date"]) == ["2024-03-01"]


def test_unrelated_members_raise_unless_ignored(ml, clinic):
    ml.create_table("Note", {"Text": "text"})
    ml.add_dataset_element_type("Note")
    note = ml.insert_rows("Note", [{"Text": "hello"}])[0]["RID"]
    clinic.testing.add_dataset_members({"Note": [note]})
    with pytest.raises(DerivaMLDenormalizeUnrelatedAnchor) as unrelated:
        clinic.testing.get_denormalized_as_dataframe(["Image"])
    assert unrelated.value.unrelated_tables == ["Note"]
    df = clinic.testing.get_denormalized_as_dataframe(["Image"], ignore_unrelated_anchors=True)
    assert list(df["Image.Filename"]) == ["b1.png"]


def test_live_dataset_reads_a_version(ml, clinic, tmp_path):
    before = clinic.testing.current_version
    clinic.testing.add_dataset_members({"Image": [clinic.images["a1.png"]]})
    now = clinic.testing.get_denormalized_as_dataframe(["Image"])
    then = clinic.testing.get_denormalized_as_dataframe(["Image"], version=before)
    assert sorted(now["Image.Filename"]) == ["a1.png", "b1.png"]
    assert list(then["Image.Filename"]) == ["b1.png"]
    paths = clinic.testing.list_schema_paths(["Image"])
    assert paths["member_types"] == ["Image", "Subject"]
    assert paths["schema_paths"][("Subject", "Image")] == [
        {"path": ["Subject", "Observation", "Image"], "direct": False}]
    assert "Execution_Image_Diagnosis" in paths["feature_tables"]
    assert "Dataset_Image" in paths["association_tables"]


def test_dataset_feature_values_are_those_of_its_rows(clinic):
    training = list(clinic.training.feature_values("Image", "Diagnosis"))
    assert len(training) == 4  # a1.png twice
    newest = clinic.training.feature_values("Image", "Diagnosis",
                                            selector=FeatureRecord.select_newest)
    assert {r.Image: r.Diagnosis_Type for r in newest} == clinic.labels
    assert list(clinic.testing.feature_values("Image", "Diagnosis")) == []  # b1.png: none
    with pytest.raises(DerivaMLException, match="materialize_limit"):
        list(clinic.training.feature_values("Image", "Diagnosis", materialize_limit=3))
    assert [f.feature_name for f in clinic.training.find_features("Image")] == ["Diagnosis"]
    assert clinic.training.lookup_feature("Image", "Diagnosis").target_table.name == "Image"
    assert clinic.testing.list_members("Subject") == [clinic.subjects["Carol"]]


def test_denormalizer_from_deriva_mls_path(ml, clinic, clinic_bag):
    from derivaml.local_db.denormalize import Denormalizer

    bag_frame = Denormalizer(clinic_bag).as_dataframe(["Image", "Observation"])
    assert sorted(bag_frame["Image.Filename"]) == ["a1.png", "a2.png", "a3.png", "b1.png"]
    assert Denormalizer(clinic_bag).columns(["Subject"])[1] == ("Subject.Name", "text")
    before = clinic.testing.current_version
    clinic.testing.add_dataset_members({"Image": [clinic.images["a1.png"]]})
    then = Denormalizer(clinic.testing, version=before)
    assert [r["Image.Filename"] for r in then.as_dict(["Image"])] == ["b1.png"]
    assert then.describe(["Image"])["source"] == "catalog"
    assert then.list_paths()["member_types"] == ["Image", "Subject"]
