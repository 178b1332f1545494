"""deriva-ml's schema and catalog helpers, from deriva-ml's import paths: the ML enums, table
definitions given to ``create_table``/``create_asset``, ``create_ml_catalog``, catalog
provenance and ``UploadProgress``."""

from __future__ import annotations

import pytest
from backends import TEST_HOST

from derivaml.catalog import (
    CatalogCreationMethod,
    CloneDetails,
    get_catalog_provenance,
    set_catalog_provenance,
)
from derivaml.core.enums import BuiltinTypes, ExecAssetType, ExecMetadataType, MLAsset
from derivaml.core.ermrest import (
    ColumnDefinition,
    ForeignKeyDefinition,
    KeyDefinition,
    TableDefinition,
    UploadProgress,
)
from derivaml.schema import create_ml_catalog
from derivaml_jupyter.core.errors import (
    DerivaMLConflict,
    DerivaMLException,
    DerivaMLValidationError,
)
from derivaml_jupyter.ml import DerivaML

pytestmark = pytest.mark.real_server


def test_ml_asset_and_metadata_types_name_the_catalogs_tables_and_terms(ml):
    assert {m.name: m.value for m in MLAsset} == {
        "execution_metadata": "Execution_Metadata", "execution_asset": "Execution_Asset"}
    assert [m.name for m in ExecMetadataType] == [
        "execution_config", "runtime_env", "hydra_config", "deriva_config", "metrics_file"]
    for member in MLAsset:
        assert ml.is_asset(member)
    for member in ExecMetadataType:
        assert member == ExecAssetType[member.name]
        assert ml.lookup_term("Asset_Type", member)["Name"] == member.value


def test_create_table_from_a_table_definition(ml):
    ml.create_table(TableDefinition(
        name="Subject",
        columns=[ColumnDefinition("Name", BuiltinTypes.text, nullok=False),
                 ColumnDefinition(name="Age", type=BuiltinTypes.int4, comment="years")],
        keys=[KeyDefinition(["Name"])],
        comment="People"))
    visit = ml.create_table(TableDefinition(
        name="Visit",
        columns=[ColumnDefinition("Subject", BuiltinTypes.text, nullok=False),
                 ColumnDefinition("Taken", BuiltinTypes.timestamp),
                 ColumnDefinition("Extra", BuiltinTypes.json)],
        foreign_keys=[ForeignKeyDefinition(columns=["Subject"], referenced_table="Subject",
                                           referenced_columns=["Name"])]))
    subject = ml.find_table("Subject")
    assert (subject.schema, subject.comment) == (ml.domain_schema, "People")
    assert subject.column("Name").nullok is False
    assert (subject.column("Age").type, subject.column("Age").comment) == ("int4", "years")
    assert [visit.column(c).type for c in ("Taken", "Extra")] == ["timestamptz", "jsonb"]
    fk, = visit.references(ml.domain_schema, "Subject")
    assert (fk.columns, fk.pk_columns) == (("Subject",), ("Name",))

    ml.insert_rows("Subject", [{"Name": "ann", "Age": 7}])
    ml.insert_rows("Visit", [{"Subject": "ann", "Extra": {"a": 1}}])
    with pytest.raises(DerivaMLException):
        ml.insert_rows("Subject", [{"Name": "ann"}])  # the key
    with pytest.raises(DerivaMLException):
        ml.insert_rows("Visit", [{"Subject": "bob"}])  # the foreign key


def test_table_definition_takes_deriva_mls_older_argument_names(ml):
    ml.create_table(TableDefinition(name="Site", column_defs=[ColumnDefinition("Code")],
                                    key_defs=[KeyDefinition(colnames=["Code"])]))
    scan = ml.create_table(TableDefinition(
        name="Scan", schema_name=ml.domain_schema,
        column_defs=[ColumnDefinition("Site")],
        fkey_defs=[ForeignKeyDefinition(colnames=["Site"], pk_sname=ml.domain_schema,
                                        pk_tname="Site", pk_colnames=["Code"])]))
    assert scan.references(ml.domain_schema, "Site")[0].pk_columns == ("Code",)
    assert ml.find_table("Site").keys == [("Code",)]


def test_an_unsupported_column_type_is_refused_by_name(ml):
    with pytest.raises(DerivaMLValidationError, match="'serial4' is not supported"):
        ml.create_table(TableDefinition("Bad", [ColumnDefinition("N", "serial4")]))
    with pytest.raises(DerivaMLValidationError, match="needs referenced_table"):
        ForeignKeyDefinition(["X"])


def test_create_asset_with_definitions_and_referenced_tables(ml):
    ml.create_table(TableDefinition("Subject", [ColumnDefinition("Name")]))
    ml.create_table(TableDefinition("Device", [ColumnDefinition("Model")]))
    image = ml.create_asset(
        "Image", column_defs=[ColumnDefinition("Width", BuiltinTypes.int4),
                              ColumnDefinition("Device_RID")],
        fkey_defs=[ForeignKeyDefinition(["Device_RID"], referenced_table="Device")],
        referenced_tables=["Subject"], comment="Pictures", update_navbar=False)
    assert image.kind == "asset"
    assert {"Width", "Subject", "URL", "MD5"} <= set(image.column_names)
    assert image.references(ml.domain_schema, "Subject")[0].columns == ("Subject",)
    assert image.references(ml.domain_schema, "Device")[0].pk_columns == ("RID",)
    assert ml.lookup_term("Asset_Type", "Image")["Name"] == "Image"


def test_catalog_provenance_round_trips(ml):
    assert get_catalog_provenance(ml.catalog) is None
    written = set_catalog_provenance(ml.catalog, name="CIFAR", description="test catalog",
                                     workflow_url="https://example.org/load.py")
    read = get_catalog_provenance(ml)
    assert read == written
    assert (read.creation_method, read.catalog_id, read.hostname, read.is_clone) == (
        CatalogCreationMethod.CREATE, ml.catalog_id, ml.hostname, False)
    assert read.created_by == ml.catalog.whoami()

    details = CloneDetails(source_hostname="src.example.org", source_catalog_id="7")
    set_catalog_provenance(ml.catalog, creation_method=CatalogCreationMethod.CLONE,
                           clone_details=details)
    clone = get_catalog_provenance(ml.catalog)
    assert clone.is_clone and clone.clone_details == details


@pytest.mark.local_only
def test_create_ml_catalog_makes_a_local_catalog_with_the_ml_schema(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    catalog = create_ml_catalog("local", "cifar")
    assert catalog.catalog_id == "cifar"
    ml = DerivaML("local", catalog.catalog_id)
    assert ml.domain_schema == "cifar"
    assert ml.lookup_term("Asset_Type", "Execution_Config")
    with pytest.raises(DerivaMLConflict, match="already exists"):
        create_ml_catalog("local", "cifar")
    assert create_ml_catalog("local", "cifar", catalog_alias="cifar2").catalog_id == "cifar2"


@pytest.mark.skipif(not TEST_HOST, reason="set DERIVAML_TEST_HOST to a DERIVA server")
def test_create_ml_catalog_on_a_server():
    from deriva.core import DerivaServer, get_credential

    catalog = create_ml_catalog(TEST_HOST, "cifar")
    try:
        ml = DerivaML(TEST_HOST, catalog.catalog_id)
        assert ml.domain_schema == "cifar"
        assert ml.lookup_term("Asset_Type", "Execution_Config")
    finally:
        DerivaServer("https", TEST_HOST, get_credential(TEST_HOST)).connect_ermrest(
            catalog.catalog_id).delete_ermrest_catalog(really=True)


def test_upload_progress_has_deriva_mls_fields():
    p = UploadProgress(file_name="a.bin", bytes_completed=5, bytes_total=10,
                       percent_complete=50.0)
    assert (p.file_path, p.phase, p.message, p.percent_complete) == ("", "", "", 50.0)
