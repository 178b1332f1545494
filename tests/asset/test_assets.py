"""Assets as records (deriva-ml's asset API): ``Asset`` from ``lookup_asset``, ``list_assets``
and ``find_assets``, their types, files and provenance, on a real catalog."""

from __future__ import annotations

import hashlib

import pytest

from derivaml.asset import Asset
from derivaml.core.enums import BuiltinTypes
from derivaml.core.ermrest import ColumnDefinition
from derivaml_jupyter.core.errors import DerivaMLInvalidTerm, DerivaMLValidationError
from derivaml_jupyter.execution.configuration import ExecutionConfiguration

pytestmark = pytest.mark.real_server

WEIGHTS = b"weights" * 1000


@pytest.fixture
def made(ml):
    """A Model asset made by one execution (``maker``) and read by another (``reader``)."""
    ml.create_asset("Model")
    workflow = ml.create_workflow("Train", "Training")
    with ml.create_execution(ExecutionConfiguration(workflow=workflow)) as maker:
        maker.asset_file_path("Model", "classifier.pt").write_bytes(WEIGHTS)
    maker.upload_execution_outputs(progress=False)
    (model_rid,) = [r["RID"] for r in ml.catalog.select(ml.domain_schema, "Model")]
    with ml.create_execution(ExecutionConfiguration(workflow=workflow, assets=[model_rid])
                             ) as reader:
        pass
    return {"ml": ml, "model": model_rid, "maker": maker.execution_rid,
            "reader": reader.execution_rid}


def test_lookup_and_list_assets_return_asset_records(made):
    ml = made["ml"]
    asset = ml.lookup_asset(made["model"])
    assert isinstance(asset, Asset)
    assert (asset.asset_rid, asset.asset_table, asset.filename, asset.length) == (
        made["model"], "Model", "classifier.pt", len(WEIGHTS))
    assert asset.md5 == hashlib.md5(WEIGHTS).hexdigest()
    assert asset.url.startswith("/hatrac/")
    assert set(asset.asset_types) == {"Model", "Output_File"}
    assert asset.get_metadata()["RID"] == made["model"]
    assert asset.get_chaise_url() == ml.cite(made["model"], current=True)
    assert asset.find_features() == []
    ml.create_feature("Model", "Quality", metadata=[ColumnDefinition("Score", BuiltinTypes.float4)])
    assert [f.feature_name for f in asset.find_features()] == ["Quality"]

    (listed,) = ml.list_assets("Model")
    assert (listed.asset_rid, listed.filename, set(listed.asset_types)) == (
        made["model"], "classifier.pt", {"Model", "Output_File"})
    assert "Model" in [t.name for t in ml.list_assets()]  # no table: the asset tables
    assert [t.name for t in ml.list_assets()] == [t.name for t in ml.list_asset_tables()]


def test_find_assets_by_table_and_type(made):
    ml = made["ml"]
    outputs = list(ml.find_assets(asset_type="Output_File"))
    assert made["model"] in [a.asset_rid for a in outputs]
    metadata = [a for a in ml.find_assets("Execution_Metadata")]
    assert {a.filename for a in metadata} >= {"configuration.json", "environment.json"}
    assert list(ml.find_assets("Model", asset_type="Model_File")) == []
    with pytest.raises(DerivaMLInvalidTerm):
        list(ml.find_assets(asset_type="No_Such_Type"))


def test_asset_provenance_both_ways(made):
    ml = made["ml"]
    runs = ml.list_asset_executions(made["model"])
    assert [r.execution_rid for r in runs] == [made["maker"], made["reader"]]
    assert [r.execution_rid for r in ml.list_asset_executions(made["model"], "Output")] == [
        made["maker"]]
    assert [r.execution_rid for r in ml.list_asset_executions(made["model"], "Input")] == [
        made["reader"]]
    asset = ml.lookup_asset(made["model"])
    assert asset.execution_rid == made["maker"]
    assert [r.execution_rid for r in asset.list_executions("Input")] == [made["reader"]]

    made_by_maker = ml.list_execution_assets(made["maker"], asset_role="Output")
    assert {a.asset_table for a in made_by_maker} == {"Model", "Execution_Metadata"}
    assert [a.asset_rid for a in ml.list_execution_assets(made["reader"], "Input")] == [
        made["model"]]


def test_download_types_and_description(made, tmp_path):
    ml = made["ml"]
    asset = ml.lookup_asset(made["model"])
    path = asset.download(tmp_path / "dl")
    assert path == tmp_path / "dl" / "classifier.pt"
    assert path.read_bytes() == WEIGHTS

    asset.add_asset_type("model_file")  # stored as the term's Name
    assert set(ml.lookup_asset(made["model"]).asset_types) == {"Model", "Output_File",
                                                                "Model_File"}
    asset.remove_asset_type("Model_File")
    assert set(ml.lookup_asset(made["model"]).asset_types) == {"Model", "Output_File"}
    with pytest.raises(DerivaMLInvalidTerm):
        asset.add_asset_type("No_Such_Type")

    asset.description = "the trained classifier"
    assert ml.lookup_asset(made["model"]).description == "the trained classifier"


def test_non_assets_are_refused_by_name(made):
    ml = made["ml"]
    dataset = ml.create_dataset(["Training"], description="d")
    with pytest.raises(DerivaMLValidationError, match="Dataset is not an asset table"):
        ml.lookup_asset(dataset.dataset_rid)
    with pytest.raises(DerivaMLValidationError, match="Asset tables: .*Model"):
        ml.list_assets("Dataset")
    (external,) = ml.insert_rows("File", [{"URL": "https://example.org/x.csv",
                                           "Filename": "x.csv", "Length": 1, "MD5": "0" * 32}])
    with pytest.raises(DerivaMLValidationError, match="no file in the object store"):
        ml.lookup_asset(external["RID"]).download("/tmp")
