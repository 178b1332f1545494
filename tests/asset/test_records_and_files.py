"""Assets as records, as deriva-ml code uses them: ``asset_record_class`` records as an
output's metadata, ``AssetFilePath`` (its constructor, metadata and types written through to
the upload), ``create_asset_table``, and the ``File`` table (``add_files``, ``list_files``,
``LocalFile`` inputs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from derivaml import BuiltinTypes, ColumnDefinition
from derivaml.asset import AssetFilePath, AssetRecord, LocalFile, asset_record_class
from derivaml.core.definitions import FileSpec
from derivaml.execution import ExecutionConfiguration, LocalFileConfig
from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.core.errors import (
    DerivaMLException,
    DerivaMLInvalidTerm,
    DerivaMLTableTypeError,
    DerivaMLValidationError,
)

pytestmark = pytest.mark.real_server


@pytest.fixture
def scans(ml):
    """``ml`` with an asset table Scan (Site text, required; Quality int4)."""
    ml.create_asset_table("Scan", additional_columns=[
        ColumnDefinition("Site", BuiltinTypes.text, nullok=False),
        ColumnDefinition("Quality", BuiltinTypes.int4)], comment="Scanner output.")
    return ml


def _execution(ml, **config):
    return ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("W", "Training"), **config))


def test_asset_record_class_checks_fields(scans):
    ScanAsset = scans.asset_record_class("Scan")
    assert ScanAsset.__name__ == "ScanAssetRecord" and issubclass(ScanAsset, AssetRecord)
    assert set(ScanAsset.model_fields) == {"Site", "Quality"}
    assert ScanAsset.model_fields["Site"].is_required()
    record = ScanAsset(Site="north", Quality="3")
    assert record.model_dump() == {"Site": "north", "Quality": 3}
    with pytest.raises(DerivaMLValidationError, match="needs a value for Site"):
        ScanAsset(Quality=1)
    with pytest.raises(DerivaMLValidationError, match="no field"):
        ScanAsset(Site="x", Color="red")
    with pytest.raises(DerivaMLValidationError, match="takes a int"):
        ScanAsset(Site="x", Quality="high")
    assert asset_record_class(scans.catalog.model(), "Scan").model_fields.keys() == {
        "Site", "Quality"}
    with pytest.raises(DerivaMLTableTypeError):
        scans.asset_record_class("Dataset")


def test_record_metadata_and_types_reach_the_catalog(scans):
    ScanAsset = scans.asset_record_class("Scan")
    exe = _execution(scans)
    first = exe.asset_file_path("Scan", "a.dat", metadata=ScanAsset(Site="north", Quality=5))
    second = exe.asset_file_path("Scan", "b.dat", metadata={"Site": "x"})
    for path in (first, second):
        path.write_bytes(path.name.encode())
    assert first.metadata == {"Site": "north", "Quality": 5}
    second.metadata = ScanAsset(Site="south")
    with pytest.raises(DerivaMLInvalidTerm):
        second.set_asset_types(["No such type"])
    second.set_asset_types(["Scan", "model_file"])
    uploaded = exe.commit_output_assets()
    rows = {r["Filename"]: r for r in scans.catalog.select("domain", "Scan")}
    assert (rows["a.dat"]["Site"], rows["a.dat"]["Quality"]) == ("north", 5)
    assert (rows["b.dat"]["Site"], rows["b.dat"]["Quality"]) == ("south", None)
    types = {r["Asset_Type"] for r in scans.catalog.select(
        "domain", "Scan_Asset_Type", where={"Scan": rows["b.dat"]["RID"]})}
    assert types == {"Scan", "Model_File", "Output_File"}
    (done,) = [p for p in uploaded["domain/Scan"] if p.name == "b.dat"]
    assert done.asset_rid == rows["b.dat"]["RID"]


def test_metadata_of_an_uploaded_file_cannot_change(scans):
    exe = _execution(scans)
    path = exe.asset_file_path("Scan", "a.dat", Site="north")
    path.write_bytes(b"a")
    exe.commit_output_assets(clean_folder=False)
    with pytest.raises(DerivaMLValidationError, match="already uploaded"):
        path.set_asset_types(["Model_File"])


def test_asset_file_path_takes_deriva_ml_arguments(tmp_path):
    path = AssetFilePath(tmp_path / "x.png", "Image", "x.png", {"Subject": "1-A"}, "Image")
    assert (path.asset_table, path.file_name, path.asset_types) == ("Image", "x.png", ["Image"])
    assert path.metadata == {"Subject": "1-A"} and path.asset_rid is None
    assert path.asset_name == "Image" and path == tmp_path / "x.png"
    path.set_asset_types(["Training_Data"])
    assert path.asset_types == ["Training_Data"]
    derived = path.with_segments(str(tmp_path), "y.png")
    assert type(derived) is type(Path()) and derived.name == "y.png"
    assert type(path.parent) is not AssetFilePath or path.parent == tmp_path


def test_create_asset_table_without_hatrac_warns(ml, caplog):
    table = ml.create_asset_table("Link_File", use_hatrac=False)
    assert table.kind == "asset"
    assert "use_hatrac=False" in caplog.text


def _tree(root: Path) -> Path:
    for name in ("a/x.txt", "a/b/y.txt", "c/z.txt"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)
    return root


def test_add_files_builds_a_dataset_per_directory(ml, tmp_path):
    source = _tree(tmp_path / "source")
    exe = _execution(ml)
    specs = FileSpec.create_filespecs(source, "Raw files", ["Model_File"])  # a generator
    root = exe.add_files(specs, dataset_types="Training", description="part", chunk_size=2)
    assert root.description == "source"
    assert set(root.dataset_types) == {"File", "Directory", "Training"}
    members = root.list_dataset_members()
    assert members.get("File", []) == []  # no file directly in source/
    children = {ml.lookup_dataset(d["RID"]).description for d in members["Dataset"]}
    assert children == {"part"}
    everything = root.list_dataset_members(recurse=True)
    assert sorted(f["Filename"] for f in everything["File"]) == ["x.txt", "y.txt", "z.txt"]
    assert len(everything["Dataset"]) == 3  # a, a/b and c
    files = ml.list_files()
    assert sorted(f["File_Types"] for f in files) == [["File", "Model_File"]] * 3
    assert sorted(f["Length"] for f in files) == [7, 7, 9]  # a/x.txt, c/z.txt, a/b/y.txt
    assert all(f["URL"].startswith("tag://") for f in files)
    assert len(ml.list_files(["Model_File"])) == 3 and ml.list_files(["Output_File"]) == []
    with pytest.raises(DerivaMLInvalidTerm):
        ml.list_files(["No such type"])
    links = ml.catalog.select(ML_SCHEMA, "Dataset_Execution",
                              where={"Execution": exe.execution_rid})
    assert [r["Dataset"] for r in links] == [root.dataset_rid]


def test_add_files_refuses_nothing_and_unknown_types(ml, tmp_path):
    exe = _execution(ml)
    with pytest.raises(DerivaMLValidationError, match="no files"):
        exe.add_files([])
    spec = FileSpec(url=str(tmp_path / "f"), md5="0" * 32, length=1, file_types=["Nope"])
    with pytest.raises(DerivaMLInvalidTerm):
        exe.add_files([spec])
    assert ml.list_files() == []
    dry = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("W", "Training")), dry_run=True)
    with pytest.raises(DerivaMLException, match="dry run"):
        dry.add_files([spec])


def test_local_file_inputs_are_recorded(ml, tmp_path):
    source = _tree(tmp_path / "inputs")
    config = ExecutionConfiguration(workflow=ml.create_workflow("W", "Training"),
                                    assets=[LocalFile(path=str(source / "a")),
                                            {"path": str(source / "c" / "z.txt")}])
    assert isinstance(config.assets[1], LocalFile)
    exe = ml.create_execution(config)
    assert sorted(Path(f["URL"]).name for f in ml.list_files()) == ["x.txt", "y.txt", "z.txt"]
    (link,) = ml.catalog.select(ML_SCHEMA, "Dataset_Execution",
                                where={"Execution": exe.execution_rid})
    assert ml.lookup_dataset(link["Dataset"]).description == "inputs"
    with pytest.raises(DerivaMLValidationError, match="does not exist"):
        _execution(ml, assets=[LocalFile(path=str(tmp_path / "missing"))])


def test_local_file_config_instantiates_a_local_file():
    from hydra_zen import instantiate

    made = instantiate(LocalFileConfig(path="/data/labels.csv"))
    assert made == LocalFile(path="/data/labels.csv") and made.cache is False
