"""deriva-ml's ``Execution`` API, written as deriva-ml code writes it: the constructor
(new, ``reload=``, ``from_registry``), deriva-ml's parameter names and order, and its methods
(abort, metrics_file, add_input_dataset, list_input_datasets, list_assets, nesting queries,
pending_summary, progress_callback)."""

from __future__ import annotations

import csv
import json

import pytest

from derivaml.execution import Execution, ExecutionConfiguration
from derivaml_jupyter.core.definitions import ML_SCHEMA, Status
from derivaml_jupyter.core.errors import DerivaMLException, DerivaMLValidationError
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.execution.progress import UploadProgress

pytestmark = pytest.mark.real_server


def _row(ml, rid):
    return ml.catalog.select(ML_SCHEMA, "Execution", where={"RID": rid})[0]


def test_constructor_records_an_execution_as_create_execution_does(project):
    ml = project["ml"]
    workflow = ml.create_workflow("Direct", "Training")
    config = ExecutionConfiguration(description="made directly",
                                    datasets=[DatasetSpec(rid=project["dataset"])])
    exe = Execution(config, ml, workflow=workflow)
    assert exe.status is Status.created
    record = ml.lookup_execution(exe.execution_rid)
    assert record.description == "made directly"
    assert record.workflow.name == "Direct"
    assert [d.dataset_rid for d in exe.list_input_datasets()] == [project["dataset"]]
    assert len(exe.datasets) == 1
    assert exe.configuration.workflow is workflow

    reloaded = Execution(ExecutionConfiguration(workflow=workflow), ml,
                         reload=exe.execution_rid)
    assert reloaded.execution_rid == exe.execution_rid
    assert reloaded.workflow_rid == exe.workflow_rid
    assert reloaded.configuration.description == "" and len(ml.find_executions()) == 1
    bound = Execution.from_registry(ml_object=ml, execution_rid=exe.execution_rid)
    assert bound.configuration.description == "made directly"
    assert bound.configuration.datasets[0].rid == project["dataset"]
    (bag,) = bound.datasets  # downloaded when first read
    assert bag.dataset_rid == project["dataset"] and str(bag.current_version) == "0.2.0"


def test_constructor_needs_a_workflow(project):
    with pytest.raises(DerivaMLValidationError, match="Workflow must be specified"):
        Execution(ExecutionConfiguration(), project["ml"])
    assert not project["ml"].find_executions()


def test_reload_finds_downloaded_input_assets(project):
    ml = project["ml"]
    config = ExecutionConfiguration(workflow=ml.create_workflow("W", "Training"),
                                    assets=[project["images"][0]])
    exe = ml.create_execution(config)
    again = Execution(None, ml, reload=exe.execution_rid)
    (path,) = again.asset_paths["Image"]
    assert path.asset_rid == project["images"][0] and path.read_bytes().startswith(b"image 0")


def test_update_status_error_and_abort(project):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    exe.update_status(Status.running)
    exe.update_status(Status.failed, error="Network timeout")
    row = _row(ml, exe.execution_rid)
    assert (row["Status"], row["Status_Detail"]) == ("Failed", "Network timeout")
    exe.update_status(target=Status.running, error="ignored")  # logged, not recorded
    assert _row(ml, exe.execution_rid)["Status_Detail"] == ""
    exe.abort()
    assert exe.status is Status.aborted
    assert [h["status"] for h in exe.status_history][-1] == "Aborted"


def test_abort_refuses_an_uploaded_execution(project):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    exe.commit_output_assets()
    with pytest.raises(DerivaMLValidationError, match="Uploaded"):
        exe.abort()


def test_deriva_ml_parameter_names_and_order(project):
    ml = project["ml"]
    parent = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("W", "Training")))
    child = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("W", "Training")))
    assert not parent.is_parent() and not child.is_nested()
    parent.add_nested_execution(nested_execution=child, sequence=0)
    assert parent.is_parent() and child.is_nested()
    assert not parent.is_nested() and not child.is_parent()
    bag = parent.download_dataset_bag(dataset=DatasetSpec(rid=project["dataset"]))
    assert bag.dataset_rid == project["dataset"]
    # asset_file_path(asset_name, file_name, asset_types, copy_file, rename_file, metadata,
    # description), positionally as in deriva-ml.
    path = parent.asset_file_path("Model", "m.pt", None, False, None, {}, "the model")
    path.write_bytes(b"weights")
    events: list[UploadProgress] = []
    uploaded = parent.commit_output_assets(None, events.append)
    assert [p.name for p in uploaded["domain/Model"]] == ["m.pt"]
    assert events[-1].phase == "Uploaded"
    sending = [e for e in events if e.phase == "Uploading"]
    assert sending[-1].bytes_completed == sending[-1].bytes_total == len(b"weights")
    (model,) = ml.lookup_execution(parent.execution_rid).outputs["assets"]["Model"]
    assert model["Description"] == "the model"


def test_metrics_file_is_one_metrics_asset(project):
    ml = project["ml"]
    with ml.create_execution(ExecutionConfiguration(
            workflow=ml.create_workflow("W", "Training"))) as exe:
        for epoch in range(3):
            with exe.metrics_file().open("a") as f:
                f.write(json.dumps({"epoch": epoch}) + "\n")
        assert exe.metrics_file() == exe.metrics_file("metrics.jsonl")
    summary = exe.pending_summary()
    assert summary.has_pending and summary.total_pending_files == 1
    exe.commit_output_assets()
    assert not exe.pending_summary().has_pending
    (asset,) = [a for a in exe.list_assets(asset_role="Output")
                if a.filename == "metrics.jsonl"]
    assert set(asset.asset_types) == {"Metrics_File", "Output_File"}
    assert len(asset.download(project["ml"].working_dir / "check").read_text().splitlines()) == 3


def test_add_input_dataset_records_a_read_without_download(project):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    assert exe.list_input_datasets() == []
    exe.add_input_dataset(project["dataset"], version="0.1.0")
    exe.add_input_dataset(project["dataset"])  # once only
    assert [d.dataset_rid for d in exe.list_input_datasets()] == [project["dataset"]]
    (read,) = ml.lookup_execution(exe.execution_rid).inputs["datasets"]
    assert read["version"] == "0.1.0"
    assert exe.datasets == []


def test_inputs_and_assets_listed(project):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("W", "Training"), assets=project["images"][:2]))
    inputs = exe.list_assets(asset_role="Input")
    assert sorted(a.asset_rid for a in inputs) == sorted(project["images"][:2])
    assert {a.asset_table for a in exe.list_assets()} == {"Image", "Execution_Metadata"}


def test_dry_run_queries(project):
    ml = project["ml"]
    exe = Execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")), ml,
                    dry_run=True)
    assert exe.execution_rid == "0000"
    assert exe.list_assets() == [] and exe.list_input_datasets() == []
    with pytest.raises(DerivaMLException, match="dry run"):
        exe.is_nested()
    exe.abort()  # nothing to record
    exe.add_input_dataset(project["dataset"])
    assert not ml.catalog.select(ML_SCHEMA, "Dataset_Execution")


def test_table_path_rows_are_inserted_once_at_upload(project):
    ml = project["ml"]
    ml.create_table("Measurement", {"Label": "text", "Score": "float4", "Count": "int4"})
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    path = exe.table_path("Measurement")
    assert path.name == "Measurement.csv" and path.parent.is_dir()
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["Label", "Score", "Count"])
        writer.writeheader()
        writer.writerows([{"Label": "a", "Score": 0.5, "Count": 3},
                          {"Label": "b", "Score": "", "Count": 4}])
    exe.commit_output_assets(clean_folder=False)
    rows = sorted(ml.catalog.select("domain", "Measurement"), key=lambda r: r["Label"])
    assert [(r["Label"], r["Score"], r["Count"]) for r in rows] == [("a", 0.5, 3),
                                                                    ("b", None, 4)]
    exe.commit_output_assets()  # nothing new: not inserted again
    assert len(ml.catalog.select("domain", "Measurement")) == 2
    with pytest.raises(DerivaMLValidationError, match="domain"):
        exe.table_path("Dataset")


def test_deriva_ml_read_properties(project):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("W", "Training"), datasets=[project["dataset"]]))
    assert exe.start_time is None and exe.stop_time is None and exe.error is None
    assert exe.dataset_rids == [project["dataset"]] and exe.catalog is ml
    assert exe.execution_record.execution_rid == exe.execution_rid
    with pytest.raises(RuntimeError), exe:
        exe.asset_file_path("Model", "m.pt").write_bytes(b"w")
        raise RuntimeError("boom")
    assert exe.error == "RuntimeError: boom"
    assert exe.start_time <= exe.stop_time
    assert "domain/Model" not in exe.uploaded_assets  # the metadata files are uploaded
    exe.commit_output_assets(clean_folder=False)
    assert [p.name for p in exe.uploaded_assets["domain/Model"]] == ["m.pt"]
    assert exe.uploaded_assets["domain/Model"][0].asset_rid
    dry = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("W", "Training")), dry_run=True)
    assert dry.execution_record is None
    dry.update_status(Status.failed, error="no data")
    assert dry.error == "no data"
