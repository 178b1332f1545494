"""deriva-ml's schema set-up functions (``derivaml.schema``) on the embedded catalog and, with
``DERIVAML_TEST_HOST``, on a DERIVA server."""

from __future__ import annotations

import uuid

import pytest
from backends import TEST_HOST, new_deriva_catalog

from derivaml import DerivaML
from derivaml.core.exceptions import DerivaMLSchemaError, DerivaMLValidationError
from derivaml.schema import (
    create_ml_schema,
    create_or_retarget_ml_catalog,
    initialize_ml_schema,
)
from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.schema.ml_schema import SEED_TERMS

needs_server = pytest.mark.skipif(not TEST_HOST, reason="set DERIVAML_TEST_HOST to a DERIVA "
                                  "server to run this test against it too")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    return tmp_path


def check_new_ml_schema(catalog, prefix: str) -> None:
    """``catalog`` has the seeded ML schema, term IDs under ``prefix``, and DerivaML opens it."""
    training = catalog.select("deriva-ml", "Dataset_Type", where={"Name": "Training"})
    assert training[0]["ID"] == f"{prefix}:{training[0]['RID']}"
    for vocabulary, terms in SEED_TERMS.items():
        assert catalog.count("deriva-ml", vocabulary) == len(terms)
    ml = DerivaML(catalog.hostname, catalog.catalog_id, domain_schema="project")
    assert ml.create_dataset("Training", description="works").dataset_rid


def test_create_ml_schema_makes_a_seeded_schema_in_an_empty_catalog(home):
    catalog = connect_catalog("local", "empty")
    create_ml_schema(catalog, project_name="cifar")
    check_new_ml_schema(catalog, "cifar")


def test_create_ml_schema_never_drops_an_existing_schema(home):
    ml = DerivaML()
    dataset = ml.create_dataset("Complete", description="precious")
    with pytest.raises(DerivaMLSchemaError, match="does not delete catalog data"):
        create_ml_schema(ml.catalog)
    with pytest.raises(DerivaMLValidationError, match="named 'deriva-ml' here"):
        create_ml_schema(connect_catalog("local", "other"), schema_name="ml")
    assert ml.lookup_dataset(dataset.dataset_rid).description == "precious"


def test_initialize_ml_schema_adds_only_the_missing_terms(home):
    ml = DerivaML()
    ml.catalog.delete("deriva-ml", "Workflow_Type", where={"Name": "Training"})
    ml.add_term("Workflow_Type", "Segmentation", description="Ours")
    initialize_ml_schema(ml)
    names = [r["Name"] for r in ml.catalog.select("deriva-ml", "Workflow_Type")]
    assert "Training" in names and "Segmentation" in names and len(names) == len(set(names))
    with pytest.raises(DerivaMLSchemaError, match="create it with create_ml_schema"):
        initialize_ml_schema(connect_catalog("local", "empty"))


def test_retargeting_a_local_alias_keeps_the_old_catalog(home):
    first = create_or_retarget_ml_catalog("local", "cifar", alias="cifar-dev")
    old = DerivaML("local", first.catalog_id).create_dataset("Complete", description="old")
    second = create_or_retarget_ml_catalog("local", "cifar", alias="cifar-dev")
    assert first.catalog_id == second.catalog_id == "cifar-dev"
    assert DerivaML("local", "cifar-dev").find_datasets().to_dataframe().empty
    kept = DerivaML("local", "cifar-dev.1")
    assert kept.lookup_dataset(old.dataset_rid).description == "old"
    assert create_or_retarget_ml_catalog("local", "plain").catalog_id == "plain"


@needs_server
def test_create_ml_schema_takes_deriva_pys_catalog_on_a_server():
    from deriva.core import DerivaServer, get_credential

    with new_deriva_catalog() as catalog_id:
        ermrest = DerivaServer("https", TEST_HOST, get_credential(TEST_HOST)).connect_ermrest(
            catalog_id)
        create_ml_schema(ermrest, project_name="cifar")
        catalog = connect_catalog(TEST_HOST, catalog_id)
        check_new_ml_schema(catalog, "cifar")
        initialize_ml_schema(ermrest.getCatalogModel())  # deriva-ml passes the Model
        assert catalog.count("deriva-ml", "Asset_Role") == 2
        with pytest.raises(DerivaMLSchemaError):
            create_ml_schema(ermrest)


@needs_server
def test_retargeting_a_server_alias_points_it_at_the_new_catalog():
    from deriva.core import DerivaServer, get_credential

    server = DerivaServer("https", TEST_HOST, get_credential(TEST_HOST))
    alias = f"derivaml-test-{uuid.uuid4().hex[:8]}"
    made = []
    try:
        made.append(create_or_retarget_ml_catalog(TEST_HOST, "cifar", alias=alias).catalog_id)
        made.append(create_or_retarget_ml_catalog(TEST_HOST, "cifar", alias=alias).catalog_id)
        assert made[0] != made[1]
        assert server.connect_ermrest_alias(alias).retrieve()["alias_target"] == made[1]
        assert DerivaML(TEST_HOST, alias).catalog.count("deriva-ml", "Execution_Status") == 7
        assert DerivaML(TEST_HOST, made[0]).catalog.count("deriva-ml", "Execution_Status") == 7
    finally:
        try:
            server.connect_ermrest_alias(alias).delete_ermrest_alias(really=True)
        finally:
            for catalog_id in made:
                server.connect_ermrest(catalog_id).delete_ermrest_catalog(really=True)
