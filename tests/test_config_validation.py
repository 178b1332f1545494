"""``ml.validate_execution_configuration``, ``validate_config_file``,
``validate_config_directory`` and ``bootstrap_config``: configs checked against the catalog
(files parsed, never run), and configs suggested from it."""

from __future__ import annotations

import pytest

from derivaml import DatasetSpec, ExecutionConfiguration, Workflow
from derivaml.execution import AssetSpec, LocalFile
from derivaml_jupyter.config_files import parse_config_file

pytestmark = pytest.mark.real_server


@pytest.fixture
def catalog(ml):
    """A dataset at 0.1.0 (Training), a model asset and a recorded workflow."""
    ml.create_asset("Model")
    ds = ml.create_dataset("Training", description="Small training set")
    workflow = ml.create_workflow("Train", "Training")
    with ml.create_execution(workflow=workflow, description="train").execute() as exe:
        exe.asset_file_path("Model", "weights.pt").write_text("w")
    exe.upload_execution_outputs()
    model = ml.lookup_execution(exe.execution_rid).outputs["assets"]["Model"][0]["RID"]
    return {"ds": ds.dataset_rid, "version": str(ds.current_version), "model": model,
            "workflow": exe.workflow_rid}


def test_validate_execution_configuration(ml, catalog):
    good = ml.validate_execution_configuration(ExecutionConfiguration(
        datasets=[DatasetSpec(rid=catalog["ds"], version=catalog["version"])],
        assets=[AssetSpec(catalog["model"])],
        workflow=ml.lookup_workflow(catalog["workflow"])))
    assert good.all_valid and good.workflow_result.name == "Train"
    assert good.asset_results[0].name == "weights.pt"
    with_file = ml.validate_execution_configuration(ExecutionConfiguration(
        assets=[AssetSpec(catalog["model"]), LocalFile(path="notes.txt")]))  # a path: no RID
    assert with_file.all_valid and len(with_file.asset_results) == 1
    bad = ml.validate_execution_configuration(ExecutionConfiguration(
        datasets=[f"{catalog['ds']}@{catalog['version']}", f"{catalog['ds']}@9.9.9"],
        assets=[AssetSpec(catalog["ds"]), AssetSpec(catalog["model"]),
                AssetSpec(catalog["model"])]))
    assert not bad.all_valid
    assert [r.reasons for r in bad.dataset_results] == [[], ["version_not_found"]]
    assert (bad.asset_results[0].reasons, bad.asset_results[0].actual_table) == (
        ["not_an_asset"], "Dataset")
    assert [i.issue for i in bad.cross_spec_issues] == ["version_conflict", "duplicate_rid"]
    typo = Workflow(name="Train", workflow_rid="not a rid!")
    assert ml.validate_execution_configuration(ExecutionConfiguration(
        workflow=typo)).workflow_result.reasons == ["rid_not_found"]


CONFIG = '''
from hydra_zen import builds, store
from derivaml import DerivaMLConfig, DatasetSpec
from derivaml.execution import DatasetSpecConfig, AssetSpecConfig, Workflow, with_description

TRAINING = "{ds}"
store(DerivaMLConfig(hostname="{host}", catalog_id="{catalog}"), name="default_deriva")
store(DerivaMLConfig(hostname="elsewhere.org", catalog_id=7), name="other")
datasets = [with_description(DatasetSpecConfig(rid=TRAINING, version="{version}"), "train"),
            builds(DatasetSpec, rid=TRAINING),
            DatasetSpecConfig(rid=some_function(), version="1.0.0")]
assets = [AssetSpecConfig(rid="{model}", cache=True), AssetSpecConfig(rid="{ds}")]
workflow = Workflow(workflow_rid="{workflow}")
typos = [AssetSpecConfig(rid="not a rid!"), DatasetSpecConfig(rid=TRAINING, version="one")]
'''


def test_validate_config_files(ml, catalog, tmp_path):
    configs = tmp_path / "configs"
    (configs / "dev").mkdir(parents=True)
    (configs / "__pycache__").mkdir()
    text = CONFIG.format(host=ml.hostname, catalog=ml.catalog_id, **catalog)
    (configs / "all.py").write_text(text)
    (configs / "dev" / "broken.py").write_text("def (:\n")
    (configs / "__pycache__" / "x.py").write_text("def (:\n")

    entries, error = parse_config_file(configs / "all.py")
    assert error is None
    assert [(e.entry_kind, e.rid, e.version) for e in entries] == [
        ("DerivaMLConfig", None, None), ("DerivaMLConfig", None, None),
        ("DatasetSpecConfig", catalog["ds"], catalog["version"]),
        ("DatasetSpecConfig", catalog["ds"], None), ("DatasetSpecConfig", None, "1.0.0"),
        ("AssetSpecConfig", catalog["model"], None), ("AssetSpecConfig", catalog["ds"], None),
        ("Workflow", catalog["workflow"], None), ("AssetSpecConfig", "not a rid!", None),
        ("DatasetSpecConfig", catalog["ds"], "one")]
    assert entries[5].cache is True and entries[1].catalog_id == "7"

    report = ml.validate_config_file(configs / "all.py")
    assert (report.file_count, report.entry_count, report.all_valid) == (1, 10, False)
    assert [r.reasons for r in report.results] == [
        [], ["catalog_hostname_mismatch", "catalog_id_mismatch"], [], ["version_missing"],
        ["rid_unresolvable"], [], ["not_an_asset"], [], ["rid_not_found"],
        ["version_not_found"]]
    assert report.results[2].resolved_name == "Small training set"
    assert report.results[7].resolved_name == "Train"

    tree = ml.validate_config_directory(configs)
    assert (tree.file_count, tree.entry_count) == (1, 10)
    assert [e.file for e in tree.parse_errors] == [str(configs / "dev" / "broken.py")]
    assert ml.validate_config_directory(configs, recursive=False).parse_errors == []
    missing = ml.validate_config_directory(tmp_path / "nowhere")
    assert not missing.all_valid and "not found" in missing.parse_errors[0].message


def test_bootstrap_config(ml, catalog):
    ml.create_dataset("Testing", description="dev only")
    ml.create_dataset("Split", description="not in the filter")
    report = ml.bootstrap_config()
    by_kind = {}
    for s in report.suggestions:
        by_kind.setdefault(s.kind, []).append(s)
    assert report.catalog == {"hostname": ml.hostname, "catalog_id": ml.catalog_id}
    assert by_kind["deriva_ml"][0].spec_string == (
        f"DerivaMLConfig(hostname={ml.hostname!r}, catalog_id={ml.catalog_id!r})")
    assert {s.config_name for s in by_kind["datasets"]} == {"small_training_set", "dev_only"}
    first = next(s for s in by_kind["datasets"] if s.rid == catalog["ds"])
    assert first.spec_string == (
        f"DatasetSpecConfig(rid={catalog['ds']!r}, version={catalog['version']!r})")
    assert [(s.rid, s.config_name) for s in by_kind["assets"]] == [
        (catalog["model"], "weights_pt")]
    assert [s.rid for s in by_kind["workflow"]] == [catalog["workflow"]]
    assert {s.kind for s in report.skipped} == {"datasets", "assets"}
    only = ml.bootstrap_config(kinds=["datasets"], dataset_type_filter=[])
    assert {s.kind for s in only.suggestions} == {"datasets"} and len(only.suggestions) == 3
