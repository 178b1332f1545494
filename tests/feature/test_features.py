"""Features on a real catalog: definition, record classes, values written by an execution's
upload (terms, assets, plain values), reading them back with selectors, bags, bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from execution.conftest import store_images

from derivaml.feature import Feature, FeatureRecord
from derivaml_jupyter.core.definitions import Status
from derivaml_jupyter.core.errors import (
    DerivaMLConflict,
    DerivaMLException,
    DerivaMLInvalidTerm,
    DerivaMLNotFound,
    DerivaMLNotImplemented,
    DerivaMLValidationError,
)
from derivaml_jupyter.execution.configuration import ExecutionConfiguration

pytestmark = pytest.mark.real_server


@pytest.fixture
def images(ml, tmp_path) -> list[str]:
    """Three Image assets (dataset members allowed), a Diagnosis_Type vocabulary and a Mask
    asset table."""
    ml.create_asset("Image")
    ml.create_asset("Mask")
    ml.add_dataset_element_type("Image")
    ml.create_vocabulary("Diagnosis_Type", "Diagnoses")
    for term in ("Normal", "Glaucoma"):
        ml.add_term("Diagnosis_Type", term, description=f"{term} eye")
    return store_images(ml, tmp_path, 3)


def diagnosis(ml):
    return ml.create_feature("Image", "Diagnosis", terms=["Diagnosis_Type"],
                             metadata=[{"name": "confidence", "type": "float4"}],
                             optional=["confidence"], comment="Clinical diagnosis")


def run(ml, name: str = "Labeling"):
    return ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow(name, "Feature_Creation"), description=name))


def test_create_feature_table_and_lookup(ml, images):
    record_class = diagnosis(ml)
    assert record_class.__name__ == "ImageFeatureDiagnosis"
    t = ml.find_table("Execution_Image_Diagnosis")
    assert {"Feature_Name", "Execution", "Image", "Diagnosis_Type",
            "confidence"} <= set(t.column_names)
    assert t.column("confidence").nullok and not t.column("Diagnosis_Type").nullok
    assert ml.lookup_term("Feature_Name", "Diagnosis")["Description"] == "Clinical diagnosis"
    feature = ml.lookup_feature("Image", "Diagnosis")
    assert isinstance(feature, Feature)
    assert (feature.feature_name, feature.target_table.name) == ("Diagnosis", "Image")
    assert {c.name for c in feature.term_columns} == {"Diagnosis_Type"}
    assert {c.name for c in feature.value_columns} == {"confidence"}
    assert feature.asset_columns == set()
    assert [f.feature_name for f in ml.find_features("Image")] == ["Diagnosis"]
    assert [f.feature_name for f in ml.find_features()] == ["Diagnosis"]
    assert ml.find_features("Mask") == []
    assert set(ml.feature_record_class("Image", "Diagnosis").model_fields) == {
        "Execution", "Feature_Name", "RCT", "Image", "Diagnosis_Type", "confidence"}


def test_record_class_validates(ml, images):
    Diagnosis = diagnosis(ml)
    rec = Diagnosis(Image=images[0], Diagnosis_Type="normal", confidence="0.5")
    assert rec.model_dump() == {"Execution": None, "Feature_Name": "Diagnosis", "RCT": None,
                                "Image": images[0], "Diagnosis_Type": "Normal",
                                "confidence": 0.5}
    with pytest.raises(DerivaMLInvalidTerm, match="Sick"):
        Diagnosis(Image=images[0], Diagnosis_Type="Sick")
    with pytest.raises(DerivaMLValidationError, match="no field.*colour"):
        Diagnosis(Image=images[0], Diagnosis_Type="Normal", colour="red")
    with pytest.raises(DerivaMLValidationError, match="needs a value for Image"):
        Diagnosis(Diagnosis_Type="Normal")
    with pytest.raises(DerivaMLValidationError, match="confidence takes a float"):
        Diagnosis(Image=images[0], Diagnosis_Type="Normal", confidence="high")


def test_values_written_at_upload_and_read_back(ml, images):
    Diagnosis = diagnosis(ml)
    with run(ml) as exe:
        staged = exe.add_features([Diagnosis(Image=rid, Diagnosis_Type="Normal",
                                             confidence=0.25) for rid in images[:2]])
        assert staged == 2
        assert list(ml.feature_values("Image", "Diagnosis")) == []  # staged, not written
    exe.upload_execution_outputs(progress=False)
    assert exe.status is Status.uploaded
    with run(ml, "Relabel") as second:
        second.add_features([Diagnosis(Image=images[0], Diagnosis_Type="Glaucoma")])
    second.upload_execution_outputs(progress=False)

    values = list(ml.feature_values("Image", "Diagnosis"))
    assert len(values) == 3 and all(type(v).__name__ == "ImageFeatureDiagnosis" for v in values)
    assert {(v.Image, v.Diagnosis_Type, v.Execution) for v in values} == {
        (images[0], "Normal", exe.execution_rid), (images[1], "Normal", exe.execution_rid),
        (images[0], "Glaucoma", second.execution_rid)}
    assert all(v.RCT for v in values)
    newest = {v.Image: v.Diagnosis_Type for v in ml.feature_values(
        "Image", "Diagnosis", selector=FeatureRecord.select_newest)}
    assert newest == {images[0]: "Glaucoma", images[1]: "Normal"}
    first = {v.Image: v.Diagnosis_Type for v in ml.feature_values(
        "Image", "Diagnosis", selector=FeatureRecord.select_first)}
    assert first == {images[0]: "Normal", images[1]: "Normal"}
    by_second = list(ml.feature_values(
        "Image", "Diagnosis", selector=FeatureRecord.select_by_execution(second.execution_rid)))
    assert [(v.Image, v.confidence) for v in by_second] == [(images[0], None)]
    only_first = list(ml.feature_values("Image", "Diagnosis",
                                        execution_rids=[exe.execution_rid]))
    assert {v.Image for v in only_first} == set(images[:2])
    with pytest.raises(DerivaMLException, match="materialize_limit=2"):
        list(ml.feature_values("Image", "Diagnosis", materialize_limit=2))


def test_asset_feature_from_a_staged_output_file(ml, images):
    Segmentation = ml.create_feature("Image", "Segmentation", assets=["Mask"])
    assert {c.name for c in Segmentation.asset_columns()} == {"Mask"}
    with run(ml) as exe:
        mask = exe.asset_file_path("Mask", "mask0.png")
        mask.write_bytes(b"mask bytes")
        exe.add_features([Segmentation(Image=images[0], Mask=mask)])
    exe.upload_execution_outputs(progress=False)
    (value,) = ml.feature_values("Image", "Segmentation")
    (mask_row,) = ml.catalog.select("domain", "Mask", where={"Filename": "mask0.png"})
    assert value.Mask == mask_row["RID"]


def test_bad_input_writes_nothing(ml, images):
    Diagnosis = diagnosis(ml)
    tables = {t.name for t in ml.catalog.model().tables()}
    with pytest.raises(DerivaMLNotFound, match="Nowhere"):
        ml.create_feature("Nowhere", "X", terms=["Diagnosis_Type"])
    with pytest.raises(DerivaMLValidationError, match="vocabulary"):
        ml.create_feature("Image", "X", terms=["Mask"])
    with pytest.raises(DerivaMLValidationError, match="asset"):
        ml.create_feature("Image", "X", assets=["Diagnosis_Type"])
    with pytest.raises(DerivaMLValidationError, match="not columns of the feature"):
        ml.create_feature("Image", "X", terms=["Diagnosis_Type"], optional=["size"])
    with pytest.raises(DerivaMLConflict, match="exists already"):
        diagnosis(ml)
    assert {t.name for t in ml.catalog.model().tables()} == tables
    assert [r["Name"] for r in ml.catalog.select("deriva-ml", "Feature_Name")] == ["Diagnosis"]
    with pytest.raises(DerivaMLNotFound, match="no feature 'Nope'"):
        ml.lookup_feature("Image", "Nope")

    exe = run(ml)
    with pytest.raises(DerivaMLNotFound, match="not rows of Image"):
        exe.add_features([Diagnosis(Image=images[0], Diagnosis_Type="Normal"),
                          Diagnosis(Image="1-NONE", Diagnosis_Type="Normal")])
    with pytest.raises(DerivaMLValidationError, match="lacks Diagnosis_Type"):
        exe.add_features([Diagnosis(Image=images[0])])
    with pytest.raises(ValueError, match="empty"):
        exe.add_features([])
    with exe:
        pass
    exe.upload_execution_outputs(progress=False)
    assert list(ml.feature_values("Image", "Diagnosis")) == []


def test_retired_derivaml_add_features_points_at_the_execution(ml, images):
    with pytest.raises(DerivaMLException, match=r"exe\.add_features\(records\)"):
        ml.add_features([])


def test_records_of_two_features_are_refused(ml, images):
    Diagnosis = diagnosis(ml)
    Quality = ml.create_feature("Image", "Quality", metadata=[{"name": "score",
                                                               "type": "int4"}])
    with pytest.raises(DerivaMLValidationError, match="share one feature"):
        run(ml).add_features([Diagnosis(Image=images[0], Diagnosis_Type="Normal"),
                              Quality(Image=images[0], score=3)])


def test_delete_feature(ml, images):
    diagnosis(ml)
    assert ml.delete_feature("Image", "Nope") is False
    with pytest.raises(DerivaMLNotImplemented, match="not yet"):
        ml.delete_feature("Image", "Diagnosis")


def test_bag_holds_the_feature_values_of_its_members(ml, images):
    Diagnosis = diagnosis(ml)
    dataset = ml.create_dataset(["Training"], description="two images")
    dataset.add_dataset_members(images[:2])
    with run(ml) as exe:
        exe.add_features([Diagnosis(Image=rid, Diagnosis_Type="Glaucoma", confidence=0.9)
                          for rid in images])
    exe.upload_execution_outputs(progress=False)
    version = ml.increment_dataset_version(dataset.dataset_rid, description="labelled")
    bag = ml.download_dataset_bag(f"{dataset.dataset_rid}@{version}")
    assert "domain.Execution_Image_Diagnosis" in bag.list_tables()
    assert [f.feature_name for f in bag.find_features("Image")] == ["Diagnosis"]
    values = list(bag.feature_values("Image", "Diagnosis", selector=FeatureRecord.select_newest))
    assert sorted(v.Image for v in values) == sorted(images[:2])  # only the members'
    assert {(v.Diagnosis_Type, v.Execution) for v in values} == {
        ("Glaucoma", exe.execution_rid)}
    assert [v.confidence for v in values] == pytest.approx([0.9, 0.9])
    assert Path(bag.path, "data", "deriva-ml", "Execution.csv").exists()
