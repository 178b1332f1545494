"""``ml.model`` (DerivaModel): deriva-ml's model helpers over our catalog, and annotation
edits staged on its table and column handles."""

from __future__ import annotations

import pytest

from derivaml import Column, DerivaML, ForeignKey, TableDefinition
from derivaml.model import DerivaModel, Display, TableHandle
from derivaml_jupyter.core.errors import (
    AmbiguousAssociationException,
    DerivaMLFeatureNotFound,
    DerivaMLReadOnlyError,
    DerivaMLTableNotFound,
    DerivaMLTableTypeError,
    NoAssociationException,
)


@pytest.fixture
def model(ml: DerivaML) -> DerivaModel:
    """``ml.model`` of a catalog with a Subject table, a Species vocabulary, an Image asset
    (Subject column), Subject as a dataset element type and a Quality feature on Subject."""
    ml.create_table("Subject", {"Name": "text"})
    ml.create_vocabulary("Species", "Kinds of subject")
    ml.add_term("Species", "Mouse", "A mouse")
    ml.create_asset("Image", {"Width": "int4"}, referenced_tables=["Subject"])
    ml.add_dataset_element_type("Subject")
    ml.create_feature("Subject", "Quality", metadata=[{"name": "Score", "type": "float4"}])
    return ml.model


@pytest.mark.real_server
def test_edits_on_handles_are_staged_until_apply_annotations(ml, model):
    subject = model.schemas[ml.domain_schema].tables["Subject"]
    assert isinstance(subject, TableHandle) and subject is model.name_to_table("Subject")
    assert (subject.name, subject.schema, subject.schema.name) == (
        "Subject", ml.domain_schema, ml.domain_schema)
    subject.annotations[Display.tag] = Display(name="Subjects").to_dict()
    subject.columns["Name"].annotations[Display.tag] = {"name": "Subject name"}
    assert ml.get_table_annotations("Subject")["display"] == {"name": "Subjects"}  # staged
    assert ml.catalog.annotations(ml.domain_schema, "Subject") == {}

    ml.apply_annotations()
    assert ml.catalog.annotations(ml.domain_schema, "Subject") == {
        Display.tag: {"name": "Subjects"}}
    assert ml.catalog.annotations(ml.domain_schema, "Subject", "Name") == {
        Display.tag: {"name": "Subject name"}}

    subject.set_row_name_pattern("{{{Name}}}")  # deriva-py's setters apply at once
    assert DerivaML(ml.hostname, ml.catalog_id).model.name_to_table("Subject") \
        .get_row_name_pattern() == "{{{Name}}}"
    model.annotations["tag:example.org,2026:note"] = {"by": "test"}
    model.apply()
    assert ml.catalog.annotations()["tag:example.org,2026:note"] == {"by": "test"}


def test_a_new_column_gets_a_handle_and_staged_edits_survive(ml, model):
    subject = model.name_to_table("Subject")
    subject.annotations[Display.tag] = {"name": "Subjects"}
    ml.catalog.add_column(ml.domain_schema, "Subject", Column("Age", "int4"))
    again = model.name_to_table("Subject")
    assert again is subject and "Age" in subject.column_names
    assert subject.column("Age").type == "int4"
    assert subject.annotations[Display.tag] == {"name": "Subjects"}


def test_model_questions_answer_as_deriva_mls(ml, model):
    schema = ml.domain_schema
    assert model.default_schema == schema and schema in model.domain_schemas
    assert model.is_domain_schema(schema) and model.is_system_schema("deriva-ml")
    assert model.is_vocabulary("Species") and not model.is_vocabulary("Subject")
    assert model.is_asset("Image") and not model.is_asset("Subject")
    assert model.vocab_columns("Species") == {c: c for c in
                                              ("Name", "ID", "URI", "Description", "Synonyms")}
    assert model.asset_metadata("Image") == {"Width", "Subject"}
    assert model.asset_metadata_sorted("Image") == ["Subject", "Width"]
    assert [c.name for c in model.asset_metadata_columns("Image")] == ["Subject", "Width"]
    with pytest.raises(DerivaMLTableTypeError):
        model.asset_metadata("Subject")
    assert {t.name for t in model.find_assets()} >= {"Image", "Execution_Asset"}
    assert {"Species", "Dataset_Type"} <= {t.name for t in model.find_vocabularies()}
    assert (schema, "Image_Execution") in model.find_asset_execution_tables()
    assert ("deriva-ml", "Dataset_Execution") not in model.find_asset_execution_tables()
    assert "Subject" in {t.name for t in model.list_dataset_element_types()}

    association, dataset_column, subject_column = model.find_association("Dataset", "Subject")
    assert (association.name, dataset_column, subject_column) == (
        "Dataset_Subject", "Dataset", "Subject")
    assert model.is_association("Dataset_Subject") == 2
    assert model.is_association("Subject") is False
    with pytest.raises(NoAssociationException):
        model.find_association("Species", "Image")
    with pytest.raises(DerivaMLTableNotFound):
        model.name_to_table("Nope")

    (quality,) = model.find_features("Subject")
    assert quality.feature_name == "Quality"
    looked_up = model.lookup_feature("Subject", "Quality")
    assert looked_up.feature_table.name == quality.feature_table.name
    with pytest.raises(DerivaMLFeatureNotFound):
        model.lookup_feature("Subject", "Nope")

    description = model.get_schema_description()
    subject = description["schemas"][schema]["tables"]["Subject"]
    assert subject["features"] == [{"name": "Quality", "feature_table": quality.feature_table.name}]
    assert "RID" not in [c["name"] for c in subject["columns"]]
    assert description["schemas"]["deriva-ml"]["tables"]["Dataset_Type"]["is_vocabulary"]


def test_dataset_rids_and_new_tables(ml, model):
    dataset = ml.create_dataset(description="d")
    rid = getattr(dataset, "dataset_rid", dataset)
    assert model.is_dataset_rid(rid)
    subject_rid = ml.insert_rows("Subject", [{"Name": "s"}])[0]["RID"]
    assert not model.is_dataset_rid(subject_rid)
    created = model.create_table(TableDefinition(name="Visit", columns=[]))
    assert created.name == "Visit" and ml.find_table("Visit").schema == ml.domain_schema


def test_a_model_made_from_a_model_alone_is_read_only(ml, model):
    alone = DerivaModel(ml.catalog.model())
    assert alone.is_vocabulary("Species")
    with pytest.raises(DerivaMLReadOnlyError):
        alone.name_to_table("Subject").annotations  # noqa: B018
    with pytest.raises(DerivaMLReadOnlyError):
        alone.apply()


def test_ambiguous_associations_are_refused(ml, model):
    ml.create_table("Pair", {"A": "text", "B": "text"}, foreign_keys=[
        ForeignKey(("A",), ml.domain_schema, "Subject"),
        ForeignKey(("B",), ml.domain_schema, "Subject")])
    ml.create_table("Other", {"C": "text", "D": "text"}, foreign_keys=[
        ForeignKey(("C",), ml.domain_schema, "Subject"),
        ForeignKey(("D",), ml.domain_schema, "Subject")])
    with pytest.raises(AmbiguousAssociationException):
        model.find_association("Subject", "Subject")


def test_a_table_handle_made_directly_edits_its_catalog(ml, model):
    table = ml.find_table("Subject")
    handle = TableHandle(table, ml.catalog)
    handle.set_display_name("People")
    assert ml.catalog.annotations(ml.domain_schema, "Subject")[Display.tag] == {"name": "People"}
    assert handle.get_display_name() == "People" and handle.kind == "table"
    with pytest.raises(DerivaMLReadOnlyError, match="no catalog"):
        TableHandle(table).annotations  # noqa: B018


def test_table_handles_describe_their_columns_as_deriva_pys(ml, model):
    image = model.name_to_table("Image")
    assert {"URL", "Filename", "Length", "MD5", "Width"} <= {c.name for c in image.user_columns}
    assert "RID" not in {c.name for c in image.user_columns}
    assert {c.name for c in image.required_columns} == {"URL", "Length", "MD5"}
    assert [c.name for c in image.all_columns][:1] == ["RID"]
    assert image.columns["RID"].is_system_column and image.has_column("Width")
    assert image.get_column("Nope") is None and not image.has_column("Nope")
    assert image.columns[0] is image.columns["RID"]
    with pytest.raises(KeyError):
        image.columns["Nope"]  # noqa: B018


def test_the_navigation_bar_lists_features(ml, model):
    ml.apply_catalog_annotations()
    menu = {m["name"]: m for m in model.chaise_config["navbarMenu"]["children"]}
    (quality,) = menu["Features"]["children"]
    assert quality["name"] == "Subject:Quality"
    table = model.find_features("Subject")[0].feature_table
    assert quality["url"] == f"/chaise/recordset/#{ml.catalog_id}/{table.schema}:{table.name}"
