"""Bad input to the public Python API gets a DerivaML error naming it and saying what to do,
never a raw ValueError, TypeError, KeyError or OSError, and writes nothing."""

from __future__ import annotations

import pytest

from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.core.errors import DerivaMLNotFound, DerivaMLValidationError
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.execution.configuration import ExecutionConfiguration

pytestmark = pytest.mark.real_server


@pytest.fixture
def dataset(ml):
    return ml.create_dataset(["Training"], description="d")


def test_increment_dataset_version_lists_the_valid_components(ml, dataset):
    with pytest.raises(DerivaMLValidationError,
                       match="'huge' is not a version component: use one of 'major', 'minor', "
                             "'patch'"):
        ml.increment_dataset_version(dataset.dataset_rid, "huge")
    assert str(ml.current_dataset_version(dataset.dataset_rid)) == "0.1.0"


@pytest.mark.parametrize("spec, error, message", [
    ({"rid": "{rid}", "verison": "0.1.0"}, DerivaMLValidationError,
     r"unknown key\(s\) 'verison': its keys are rid, version"),
    ({"version": "0.1.0"}, DerivaMLValidationError, "no 'rid'"),
    ({"rid": "{rid}", "version": "one"}, DerivaMLValidationError,
     "'one' is not a dataset version: write it as MAJOR.MINOR.PATCH"),
    ({"rid": "{rid}", "version": "7.0.0"}, DerivaMLNotFound,
     "Dataset version 7.0.0 not found .* Available versions: 0.1.0"),
    ({"rid": "1-ZZZZ"}, DerivaMLNotFound, "1-ZZZZ"),
    ({"rid": "not a rid"}, DerivaMLValidationError, "'not a rid' is not a RID"),
], ids=["misspelt-key", "no-rid", "bad-version", "unknown-version", "unknown-rid", "bad-rid"])
def test_malformed_dataset_specs(ml, dataset, spec, error, message):
    spec = {k: v.format(rid=dataset.dataset_rid) for k, v in spec.items()}
    with pytest.raises(error, match=message):
        ml.download_dataset_bag(spec)
    executions = ml.catalog.count(ML_SCHEMA, "Execution")
    with pytest.raises(error, match=message):
        ml.create_execution(ExecutionConfiguration(
            workflow=ml.create_workflow("W", "Training"), datasets=[spec]))
    assert ml.catalog.count(ML_SCHEMA, "Execution") == executions


@pytest.mark.parametrize("version, message", [
    ((1, 2, 3, 4), r"\(1, 2, 3, 4\) is not a dataset version: give at most major, minor, patch"),
    ({"major": 1, "minr": 2}, "'minr': 2} is not a dataset version"),
    ("1.x", "'1.x' is not a dataset version: write it as MAJOR.MINOR.PATCH"),
], ids=["four-parts", "misspelt-part", "letters"])
def test_malformed_versions_of_a_new_dataset(ml, version, message):
    datasets = ml.catalog.count(ML_SCHEMA, "Dataset")
    with pytest.raises(DerivaMLValidationError, match=message):
        ml.create_dataset(["Training"], description="d", version=version)
    assert ml.catalog.count(ML_SCHEMA, "Dataset") == datasets


def test_long_table_names_are_refused_before_anything_is_created(ml):
    before = len(list(ml.catalog.model().tables()))
    with pytest.raises(DerivaMLValidationError,
                       match=r"The table name 'A{30}\.\.\.' is 300 bytes long: a DERIVA server "
                             r"\(PostgreSQL\) allows at most 63"):
        ml.create_asset("A" * 300)
    with pytest.raises(DerivaMLValidationError, match=r"'B{30}\.\.\.' is 66 bytes long"):
        ml.create_asset("B" * 55)  # its table B..._Asset_Type would be too long
    assert len(list(ml.catalog.model().tables())) == before
    assert "B" * 55 not in {t["Name"] for t in ml.catalog.select(ML_SCHEMA, "Asset_Type")}


def test_exclude_tables_may_name_one_table(ml, dataset):
    ml.create_asset("Model")
    spec = DatasetSpec(rid=dataset.dataset_rid, exclude_tables="Model")
    assert spec.exclude_tables == {"Model"}
    bag = ml.download_dataset_bag(spec)
    assert "domain.Model" not in bag.list_tables()


@pytest.mark.parametrize("name", ["", "  ", None])
def test_a_term_needs_a_name(ml, name):
    terms = ml.catalog.count(ML_SCHEMA, "Dataset_Type")
    with pytest.raises(DerivaMLValidationError, match="A term of Dataset_Type needs a name"):
        ml.add_term("Dataset_Type", name, description="nameless")
    assert ml.catalog.count(ML_SCHEMA, "Dataset_Type") == terms


@pytest.mark.parametrize("name", ["", "   ", None])
def test_a_workflow_needs_a_name(ml, name):
    with pytest.raises(DerivaMLValidationError, match="A workflow needs a name"):
        ml.create_workflow(name, "Training")


def test_create_execution_refuses_what_is_not_a_configuration(ml):
    workflow = ml.create_workflow("w", "Training")
    with pytest.raises(DerivaMLValidationError, match="takes an ExecutionConfiguration, not a "
                                                      "dict"):
        ml.create_execution({"workflow": workflow, "datasets": []})
    assert ml.catalog.count(ML_SCHEMA, "Execution") == 0
