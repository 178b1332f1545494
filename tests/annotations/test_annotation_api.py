"""DerivaML's annotation methods and the catalog contract's annotations, on the local catalog
and (with DERIVAML_TEST_HOST) on a DERIVA server."""

from __future__ import annotations

import pytest

from derivaml import DerivaML, ForeignKey
from derivaml.model import (
    CONTEXT_COMPACT,
    Display,
    PseudoColumn,
    TableDisplay,
    VisibleColumns,
    fk_constraint,
)
from derivaml_jupyter.core.errors import (
    DerivaMLException,
    DerivaMLNotFound,
    DerivaMLValidationError,
)

pytestmark = pytest.mark.real_server

DISPLAY = Display.tag
VISIBLE_COLUMNS = VisibleColumns.tag
VISIBLE_FKEYS = "tag:isrd.isi.edu,2016:visible-foreign-keys"


@pytest.fixture
def subject(ml: DerivaML) -> str:
    """A domain table ``Subject`` (Name, Age), referenced by ``Sample.Subject``; ``Sample``
    also has a ``Species`` term."""
    ml.create_table("Subject", {"Name": "text", "Age": "int4"})
    species = ml.create_vocabulary("Species", "Kinds of subject")
    ml.create_table("Sample", {"Label": "text", "Subject": "text", "Species": "text"},
                    foreign_keys=[ForeignKey(("Subject",), ml.domain_schema, "Subject"),
                                  ForeignKey(("Species",), species.schema, "Species",
                                             ("Name",))])
    return "Subject"


def test_catalog_keeps_annotations_of_the_catalog_a_table_and_a_column(ml, subject):
    catalog, schema = ml.catalog, ml.domain_schema
    catalog.update_annotations({"tag:example.org,2026:a": {"x": [1, 2]},
                                "tag:isrd.isi.edu,2016:generated": None})
    catalog.update_annotations({DISPLAY: {"name": "Subjects"}}, schema=schema, table=subject)
    catalog.update_annotations({DISPLAY: {"name": "Years"}}, schema=schema, table=subject,
                               column="Age")
    assert catalog.annotations()["tag:example.org,2026:a"] == {"x": [1, 2]}
    assert catalog.annotations()["tag:isrd.isi.edu,2016:generated"] is None  # a null value
    assert catalog.annotations(schema, subject) == {DISPLAY: {"name": "Subjects"}}
    assert catalog.annotations(schema, subject, "Age") == {DISPLAY: {"name": "Years"}}
    assert catalog.annotations(schema, subject, "Name") == {}

    catalog.update_annotations({}, ["tag:example.org,2026:a", "tag:example.org,2026:absent"])
    assert "tag:example.org,2026:a" not in catalog.annotations()
    assert "tag:isrd.isi.edu,2016:generated" in catalog.annotations()

    with pytest.raises(DerivaMLNotFound, match="Nope"):
        catalog.annotations(schema, "Nope")
    with pytest.raises(DerivaMLNotFound, match="no column 'Nope'"):
        catalog.update_annotations({DISPLAY: {}}, schema=schema, table=subject, column="Nope")
    with pytest.raises(DerivaMLValidationError, match="a column"):
        catalog.annotations(column="Age")


def test_set_methods_stage_until_apply_annotations(ml, subject):
    schema = ml.domain_schema
    assert ml.set_display_annotation(subject, {"name": "Research Subjects"}) == "Subject"
    assert ml.set_display_annotation(subject, Display(name="Age (years)"), "Age") == "Subject.Age"
    assert ml.set_visible_columns(subject, VisibleColumns().compact(["RID", "Name"]).to_dict()) \
        == "Subject"
    assert ml.set_table_display(subject, TableDisplay().row_name("{{{Name}}}").to_dict()) \
        == "Subject"
    assert ml.set_column_display(subject, "Age", {"*": {"pre_format": {"format": "%d"}}}) \
        == "Subject.Age"
    staged = ml.get_table_annotations(subject)
    assert staged == {
        "table": "Subject", "schema": schema, "display": {"name": "Research Subjects"},
        "visible_columns": {"compact": ["RID", "Name"]}, "visible_foreign_keys": None,
        "table_display": {"row_name": {"row_markdown_pattern": "{{{Name}}}"}}}
    assert ml.catalog.annotations(schema, subject) == {}  # nothing written yet

    ml.apply_annotations()
    again = DerivaML(ml.hostname, ml.catalog_id)  # another connection reads them back
    assert again.get_table_annotations(subject) == staged
    assert again.get_column_annotations(subject, "Age") == {
        "table": "Subject", "column": "Age", "display": {"name": "Age (years)"},
        "column_display": {"*": {"pre_format": {"format": "%d"}}}}

    ml.set_display_annotation(subject, None)  # None removes
    ml.set_column_display(subject, "Age", None)
    ml.apply_annotations()
    assert DISPLAY not in ml.catalog.annotations(schema, subject)
    assert ml.get_column_annotations(subject, "Age")["column_display"] is None
    assert ml.get_column_annotations(subject, "Age")["display"] == {"name": "Age (years)"}


def test_visible_column_and_foreign_key_lists_are_edited_in_place(ml, subject):
    assert ml.add_visible_column(subject, CONTEXT_COMPACT, "Name") == ["Name"]
    assert ml.add_visible_column(subject, "compact", "RID", 0) == ["RID", "Name"]
    age = PseudoColumn(source="Age", markdown_name="Age").to_dict()
    assert ml.add_visible_column(subject, "compact", age) == ["RID", "Name", age]
    assert ml.reorder_visible_columns(subject, "compact", [2, 0, 1]) == [age, "RID", "Name"]
    assert ml.remove_visible_column(subject, "compact", "Age") == ["RID", "Name"]  # by source
    assert ml.remove_visible_column(subject, "compact", 0) == ["Name"]
    assert ml.reorder_visible_columns(subject, "compact", ["RID", "Name"]) == ["RID", "Name"]

    fkey = fk_constraint(ml.domain_schema, "Sample_Subject_fkey")
    other = {"source": [{"inbound": [ml.domain_schema, "Sample_Subject_fkey"]}, "RID"]}
    assert ml.add_visible_foreign_key(subject, "detailed", fkey) == [fkey]
    assert ml.add_visible_foreign_key(subject, "detailed", other, 0) == [other, fkey]
    assert ml.reorder_visible_foreign_keys(subject, "detailed", [1, 0]) == [fkey, other]
    assert ml.remove_visible_foreign_key(subject, "detailed", fkey) == [other]
    ml.apply_annotations()

    stored = ml.catalog.annotations(ml.domain_schema, subject)
    assert stored[VISIBLE_COLUMNS] == {"compact": ["RID", "Name"]}
    assert stored[VISIBLE_FKEYS] == {"detailed": [other]}


def test_bad_annotation_input_gives_clear_errors(ml, subject):
    with pytest.raises(DerivaMLNotFound, match="Nope"):
        ml.set_visible_columns("Nope", {"compact": ["RID"]})
    with pytest.raises(DerivaMLNotFound, match="no column 'Nope'"):
        ml.get_column_annotations(subject, "Nope")
    with pytest.raises(DerivaMLValidationError, match="'compcat' is not a Chaise display context"):
        ml.add_visible_column(subject, "compcat", "Name")
    with pytest.raises(DerivaMLValidationError, match="'bogus' is not a Chaise display context"):
        ml.set_visible_columns(subject, {"bogus": ["RID"]})
    with pytest.raises(DerivaMLValidationError, match="is a dict"):
        ml.set_table_display(subject, ["row_name"])
    with pytest.raises(DerivaMLNotFound, match="has no visible-columns annotation"):
        ml.remove_visible_column(subject, "compact", "Name")
    ml.set_visible_columns(subject, {"compact": ["RID", "Name"], "detailed": "compact"})
    with pytest.raises(DerivaMLNotFound, match="Context 'entry' not found"):
        ml.reorder_visible_columns(subject, "entry", [0])
    with pytest.raises(DerivaMLException, match="references another context 'compact'"):
        ml.add_visible_column(subject, "detailed", "Age")
    with pytest.raises(DerivaMLNotFound, match="'Age' not found in context 'compact'"):
        ml.remove_visible_column(subject, "compact", "Age")
    with pytest.raises(DerivaMLValidationError, match="Index 5 out of range"):
        ml.remove_visible_column(subject, "compact", 5)
    with pytest.raises(DerivaMLValidationError, match="exactly once"):
        ml.reorder_visible_columns(subject, "compact", [1, 1])


def test_template_variables_list_columns_and_outbound_foreign_keys(ml, subject):
    variables = ml.get_handlebars_template_variables("Sample")
    assert variables["table"] == "Sample"
    assert {"name": "Label", "type": "text", "template": "{{{Label}}}",
            "row_template": "{{{_row.Label}}}"} in variables["columns"]
    by_table = {fk["to_table"]: fk for fk in variables["foreign_keys"]}
    subject_fk = by_table["Subject"]
    assert subject_fk["constraint"] == [ml.domain_schema, "Sample_Subject_fkey"]
    assert subject_fk["from_columns"] == ["Subject"]
    assert "Name" in subject_fk["to_columns"]
    prefix = f"$fkeys.{ml.domain_schema}.Sample_Subject_fkey"
    assert subject_fk["row_name_template"] == "{{{" + prefix + ".rowName}}}"
    assert set(variables["special_variables"]) == {"_value", "_row", "$catalog.id",
                                                   "$catalog.snapshot"}


def test_catalog_annotations_give_chaise_a_navigation_bar(ml, subject):
    ml.create_asset("Scan")
    ml.apply_catalog_annotations("Subjects Browser", head_title="My ML")
    config = ml.catalog.annotations()["tag:isrd.isi.edu,2019:chaise-config"]
    assert (config["navbarBrandText"], config["headTitle"]) == ("Subjects Browser", "My ML")
    menus = {m["name"]: m for m in config["navbarMenu"]["children"]}
    prefix = f"/chaise/recordset/#{ml.catalog_id}/"
    domain = [c["name"] for c in menus[ml.domain_schema]["children"]]
    assert {"Subject", "Sample", "Scan"} <= set(domain) and "Species" not in domain
    vocabularies = {c["name"]: c.get("url") for c in menus["Vocabulary"]["children"]}
    assert vocabularies["Species"] == f"{prefix}{ml.domain_schema}:Species"
    assert vocabularies["Dataset_Type"] == f"{prefix}deriva-ml:Dataset_Type"
    assert "Scan" in [c["name"] for c in menus["Assets"]["children"]]
    assert "Dataset" in [c["name"] for c in menus["Deriva-ML"]["children"]]
    assert ml.catalog.annotations()[DISPLAY] == {"name_style": {"underline_space": True}}


def test_chaise_url_names_a_table_or_a_row(ml, subject, backend):
    rid = ml.insert_rows(subject, [{"Name": "s1"}])[0]["RID"]
    if backend == "local":
        assert ml.chaise_url(subject) == f"local://{ml.catalog_id}/{ml.domain_schema}:Subject"
        assert ml.chaise_url(rid).startswith(f"local://{ml.catalog_id}/{rid}")
    else:
        base = f"https://{ml.hostname}/chaise/"
        assert ml.chaise_url(subject) == \
            f"{base}recordset/#{ml.catalog_id}/{ml.domain_schema}:Subject"
        assert ml.chaise_url(rid) == \
            f"{base}record/#{ml.catalog_id}/{ml.domain_schema}:Subject/RID={rid}"
    with pytest.raises(DerivaMLNotFound, match="neither a table"):
        ml.chaise_url("Nope")
