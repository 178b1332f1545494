"""Executions end to end on a real local catalog: the seed's example, status and timing,
failures, outputs, dry runs, nesting and the provenance queries."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
import time
from pathlib import Path

import pytest

from derivaml_jupyter.core.definitions import ML_SCHEMA, Status
from derivaml_jupyter.core.errors import DerivaMLCycleError, DerivaMLValidationError
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.execution.records import ExecutionRecord
from derivaml_jupyter.execution.workflow import Workflow

pytestmark = pytest.mark.real_server
DURATION = re.compile(r"^\d+H \d+min \d+\.\d\dsec$")


def _stored(ml, url: str) -> bytes:
    """The bytes the catalog's object store holds at ``url`` (any backend)."""
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / "object"
        ml.catalog.get_object(url, dest)
        return dest.read_bytes()


def _execution_row(ml, rid):
    return ml.catalog.select(ML_SCHEMA, "Execution", where={"RID": rid})[0]


def _types_of(ml, schema, table, rid):
    return {r["Asset_Type"] for r in ml.catalog.select(schema, f"{table}_Asset_Type",
                                                       where={table: rid})}


def test_seed_complete_example(project):
    ml, rid = project["ml"], project["dataset"]
    workflow = ml.create_workflow(name="Image Classifier Training v3", workflow_type="Training",
                                  description="Train CNN classifier on medical images")
    config = ExecutionConfiguration(workflow=workflow,
                                    description="Training with learning rate 0.001",
                                    datasets=[DatasetSpec(rid=rid)])
    with ml.create_execution(config) as exe:
        bag = exe.download_dataset_bag(DatasetSpec(rid=rid))
        images = bag.list_dataset_members()["Image"]
        for epoch in range(3):
            exe.update_status(Status.running, f"Epoch {epoch}: loss={1.0 / (epoch + 1):.4f}")
        model_path = exe.asset_file_path("Model", "classifier.pt")
        model_path.write_bytes(b"weights" * 1000)
        metrics_path = exe.asset_file_path("Execution_Metadata", "training_metrics.json")
        with open(metrics_path, "w") as f:
            json.dump({"final_loss": 0.33, "epochs": 3}, f)
    uploaded = exe.upload_execution_outputs()

    assert {r["RID"] for r in images} == set(project["images"])
    assert [p.name for p in uploaded["domain/Model"]] == ["classifier.pt"]
    assert [p.name for p in uploaded["deriva-ml/Execution_Metadata"]] == [
        "training_metrics.json"]
    record = ml.lookup_execution(exe.execution_rid)
    assert record.status == Status.uploaded
    assert record.description == "Training with learning rate 0.001"
    assert record.workflow.name == "Image Classifier Training v3"
    assert record.workflow.workflow_type == ["Training"]
    version_row = ml.dataset_version_record(rid)
    assert record.inputs["datasets"] == [
        {"rid": rid, "version": "0.2.0", "version_rid": version_row["RID"]}]
    (model,) = record.outputs["assets"]["Model"]
    assert model["Filename"] == "classifier.pt"
    assert model["MD5"] == hashlib.md5(b"weights" * 1000).hexdigest()
    stored = _stored(ml, model["URL"])
    assert stored == b"weights" * 1000
    assert _types_of(ml, "domain", "Model", model["RID"]) == {"Model", "Output_File"}
    metadata = {r["Filename"] for r in record.outputs["assets"]["Execution_Metadata"]}
    assert metadata == {"configuration.json", "environment.json", "training_metrics.json"}


def test_configuration_and_environment_recorded_at_creation(project):
    ml = project["ml"]
    wf = ml.create_workflow("Prep", "Preprocessing")
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=wf, description="prep", datasets=[f"{project['dataset']}@0.1.0"]))
    outputs = ml.lookup_execution(exe.execution_rid).outputs["assets"]["Execution_Metadata"]
    by_name = {r["Filename"]: r for r in outputs}
    config = json.loads(_stored(ml, by_name["configuration.json"]["URL"]))
    assert config["description"] == "prep"
    assert config["datasets"][0] == {"rid": project["dataset"], "version": "0.1.0",
                                     "materialize": True, "description": ""}
    assert config["workflow"]["workflow_rid"] == exe.workflow_rid
    env = json.loads(_stored(ml, by_name["environment.json"]["URL"]))
    assert env["packages"]["pandas"]
    assert env["python"]["version"].startswith("3.")
    assert "environ" not in json.dumps(env).lower()
    assert _types_of(ml, ML_SCHEMA, "Execution_Metadata",
                     by_name["environment.json"]["RID"]) == {"Runtime_Env", "Output_File"}
    assert _types_of(ml, ML_SCHEMA, "Execution_Metadata",
                     by_name["configuration.json"]["RID"]) == {"Deriva_Config", "Output_File"}
    # The older version was asked for and is the one recorded.
    assert ml.lookup_execution(exe.execution_rid).inputs["datasets"][0]["version"] == "0.1.0"
    assert exe.status == Status.created
    assert DURATION.match(_execution_row(ml, exe.execution_rid)["Download_Duration"])


def test_environment_never_holds_environment_variable_values(project, monkeypatch):
    monkeypatch.setenv("MY_SECRET_TOKEN", "s3cr3t-value-123")
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    (env,) = [r for r in ml.lookup_execution(exe.execution_rid).outputs["assets"][
        "Execution_Metadata"] if r["Filename"] == "environment.json"]
    assert b"s3cr3t-value-123" not in _stored(ml, env["URL"])


def test_status_transitions_and_timing(project):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    assert exe.status == Status.created
    assert exe.working_dir == ml.working_dir / "execution" / exe.execution_rid
    with exe:
        row = _execution_row(ml, exe.execution_rid)
        assert row["Status"] == "Running" and row["Start_Time"]
        exe.update_status(Status.running, "Epoch 3 done")
        row = _execution_row(ml, exe.execution_rid)
        assert (row["Status"], row["Status_Detail"]) == ("Running", "Epoch 3 done")
        time.sleep(0.3)
    row = _execution_row(ml, exe.execution_rid)
    assert row["Status"] == "Stopped"
    assert row["Stop_Time"] > row["Start_Time"]
    assert DURATION.match(row["Execution_Duration"])
    assert float(row["Execution_Duration"].split("min ")[1][:-3]) >= 0.3
    exe.upload_execution_outputs(progress=False)
    row = _execution_row(ml, exe.execution_rid)
    assert row["Status"] == "Uploaded" and DURATION.match(row["Upload_Duration"])


def test_failed_block_keeps_error_and_uploads_partial_outputs(project):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    with pytest.raises(RuntimeError, match="diverged"):
        with exe:
            exe.asset_file_path("Model", "checkpoint.pt").write_bytes(b"partial")
            raise RuntimeError("loss diverged")
    row = _execution_row(ml, exe.execution_rid)
    assert (row["Status"], row["Status_Detail"]) == ("Failed", "RuntimeError: loss diverged")
    assert row["Stop_Time"] and DURATION.match(row["Execution_Duration"])
    uploaded = exe.upload_execution_outputs(progress=False)
    assert [p.name for p in uploaded["domain/Model"]] == ["checkpoint.pt"]
    record = ml.lookup_execution(exe.execution_rid)
    assert (record.status, record.status_detail) == ("Failed", "RuntimeError: loss diverged")
    assert [r["Filename"] for r in record.outputs["assets"]["Model"]] == ["checkpoint.pt"]


def test_upload_error_after_failed_run_keeps_original_error(project):
    from derivaml_jupyter.catalog.contract import Column
    from derivaml_jupyter.core.errors import DerivaMLValidationError

    ml = project["ml"]
    ml.create_asset("Scan", [Column("Site", "text", nullok=False)])
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    with pytest.raises(ValueError):
        with exe:
            exe.asset_file_path("Scan", "scan.bin").write_bytes(b"scan")
            raise ValueError("bad input batch")
    with pytest.raises(DerivaMLValidationError, match="Site"):
        exe.upload_execution_outputs(progress=False)
    row = _execution_row(ml, exe.execution_rid)
    assert (row["Status"], row["Status_Detail"]) == ("Failed", "ValueError: bad input batch")


def test_upload_error_after_clean_run_marks_failed(project):
    from derivaml_jupyter.catalog.contract import Column
    from derivaml_jupyter.core.errors import DerivaMLValidationError

    ml = project["ml"]
    ml.create_asset("Scan", [Column("Site", "text", nullok=False)])
    with ml.create_execution(ExecutionConfiguration(
            workflow=ml.create_workflow("W", "Training"))) as exe:
        exe.asset_file_path("Scan", "scan.bin").write_bytes(b"scan")
    with pytest.raises(DerivaMLValidationError):
        exe.upload_execution_outputs(progress=False)
    row = _execution_row(ml, exe.execution_rid)
    assert row["Status"] == "Failed" and row["Status_Detail"].startswith("Upload failed:")


def test_upload_while_running_stops_first(project):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    exe.__enter__()
    exe.asset_file_path("Model", "m.pt").write_bytes(b"m")
    exe.upload_execution_outputs(progress=False)
    row = _execution_row(ml, exe.execution_rid)
    assert row["Status"] == "Uploaded" and row["Stop_Time"] and row["Execution_Duration"]
    exe.__exit__(None, None, None)  # leaving the block later keeps the upload's status
    assert exe.status == Status.uploaded


def test_asset_file_path_four_ways(project, tmp_path, monkeypatch):
    ml = project["ml"]
    ml.add_term("Asset_Type", "Segmentation_Mask", description="A mask.")
    ml.add_term("Asset_Type", "Derived", description="Derived data.")
    existing = tmp_path / "outside" / "file.png"
    existing.parent.mkdir()
    existing.write_bytes(b"png bytes")
    temp = tmp_path / "outside" / "temp.png"
    temp.write_bytes(b"temp bytes")
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    staging = exe.working_dir / "assets"
    with exe:
        new = exe.asset_file_path(asset_name="Model", file_name="sub/model.pt")
        assert new == staging / "Model" / "sub" / "model.pt" and new.parent.is_dir()
        new.write_bytes(b"model")
        copied = exe.asset_file_path("Image", str(existing), copy_file=True)
        assert copied == staging / "Image" / "file.png"
        assert not copied.is_symlink() and copied.read_bytes() == b"png bytes"
        renamed = exe.asset_file_path("Image", temp, rename_file="processed_image.png")
        assert renamed.is_symlink() and renamed.resolve() == temp.resolve()
        monkeypatch.chdir(tmp_path)
        mask = exe.asset_file_path("Image", "mask.png",
                                   asset_types=["Segmentation_Mask", "Derived"])
        mask.write_bytes(b"mask")
        assert mask.asset_table == "Image"
        assert list(mask.asset_types) == ["Segmentation_Mask", "Derived"]
    uploaded = exe.upload_execution_outputs(progress=False)
    assert sorted(p.name for p in uploaded["domain/Image"]) == [
        "file.png", "mask.png", "processed_image.png"]
    rows = {r["Filename"]: r for r in ml.lookup_execution(exe.execution_rid)
            .outputs["assets"]["Image"]}
    assert _types_of(ml, "domain", "Image", rows["mask.png"]["RID"]) == {
        "Segmentation_Mask", "Derived", "Output_File"}
    assert _types_of(ml, "domain", "Image", rows["processed_image.png"]["RID"]) == {
        "Image", "Output_File"}
    assert _stored(ml, rows["processed_image.png"]["URL"]) == b"temp bytes"
    assert all(p.asset_rid for paths in uploaded.values() for p in paths)


def test_identical_outputs_of_two_executions_share_one_asset_row(project):
    ml = project["ml"]
    wf = ml.create_workflow("W", "Training")
    exes = []
    for _ in range(2):
        with ml.create_execution(ExecutionConfiguration(workflow=wf)) as exe:
            exe.asset_file_path("Model", "same.pt").write_bytes(b"identical")
        exe.upload_execution_outputs(progress=False)
        exes.append(exe)
    rows = ml.catalog.select("domain", "Model", where={"Filename": "same.pt"})
    assert len(rows) == 1
    links = ml.catalog.select("domain", "Model_Execution", where={"Model": rows[0]["RID"]})
    assert {r["Execution"] for r in links} == {e.execution_rid for e in exes}


def test_input_assets_downloaded_and_linked(project):
    ml = project["ml"]
    image = project["images"][0]
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Infer", "Inference"), assets=[image]))
    (path,) = exe.asset_paths["Image"]
    assert path == exe.working_dir / "downloaded-assets" / "Image" / image / "img0.png"
    assert path.read_bytes() == b"image 0" * 10 and path.asset_rid == image
    inputs = ml.lookup_execution(exe.execution_rid).inputs["assets"]
    assert [r["RID"] for r in inputs["Image"]] == [image]
    assert exe.datasets == []


def test_datasets_are_bags_of_the_configured_versions(project):
    ml, rid = project["ml"], project["dataset"]
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("W", "Training"),
        datasets=[DatasetSpec(rid=rid, version="0.1.0"), DatasetSpec(rid=rid)]))
    assert [(b.dataset_rid, str(b.version)) for b in exe.datasets] == [
        (rid, "0.1.0"), (rid, "0.2.0")]
    assert "Image" not in exe.datasets[0].list_dataset_members()
    assert len(exe.datasets[1].list_dataset_members()["Image"]) == 3


def test_download_dataset_bag_takes_what_execution_datasets_holds(project):
    ml, rid = project["ml"], project["dataset"]
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("W", "Training"),
        datasets=[DatasetSpec(rid=rid, version="0.1.0", materialize=False)]))
    (held,) = exe.datasets
    marker = held.path / "untouched"
    marker.touch()  # a cache hit hands back this very folder
    for dataset in exe.datasets:  # the seed's model-function pattern
        bag = exe.download_dataset_bag(dataset)
        assert (bag.path, bag.dataset_rid, str(bag.version)) == (held.path, rid, "0.1.0")
        assert marker.exists() and "Image" not in bag.list_dataset_members()
    current = exe.download_dataset_bag(ml.lookup_dataset(rid))  # a Dataset: its current version
    assert str(current.version) == "0.2.0"
    assert len(current.list_dataset_members()["Image"]) == 3


def test_create_dataset_inside_execution_is_an_output(project):
    ml = project["ml"]
    with ml.create_execution(ExecutionConfiguration(
            workflow=ml.create_workflow("Aug", "Training"))) as exe:
        out = exe.create_dataset(dataset_types=["Training"], description="Augmented images")
        out.add_dataset_members(project["images"][:2])
    exe.upload_execution_outputs(progress=False)
    outputs = ml.lookup_execution(exe.execution_rid).outputs["datasets"]
    assert outputs == [{"rid": out.dataset_rid, "version": "0.1.0"},
                       {"rid": out.dataset_rid, "version": "0.2.0"}]
    assert [h.execution_rid for h in out.dataset_history()] == [exe.execution_rid] * 2
    made = ml.find_executions(dataset=out.dataset_rid, dataset_role="output")
    assert [r.execution_rid for r in made] == [exe.execution_rid]
    assert ml.find_executions(dataset=out, dataset_role="input") == []


def test_dry_run_writes_nothing_but_downloads_inputs(project):
    ml = project["ml"]
    image = project["images"][1]
    before = {t: ml.catalog.count(ML_SCHEMA, t) for t in ("Execution", "Workflow",
                                                           "Execution_Metadata")}
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("W", "Training"), assets=[image],
        datasets=[project["dataset"]]), dry_run=True)
    assert exe.execution_rid == "0000"
    assert exe.asset_paths["Image"][0].read_bytes() == b"image 1" * 10
    assert len(exe.datasets) == 1
    with exe:
        exe.update_status(Status.running, "dry")
        exe.asset_file_path("Model", "m.pt").write_bytes(b"x")
    assert exe.upload_execution_outputs() == {}
    after = {t: ml.catalog.count(ML_SCHEMA, t) for t in before}
    assert after == before
    assert ml.catalog.count("domain", "Model") == 0


def test_save_execution_rid_file(project, tmp_path, monkeypatch):
    target = tmp_path / "run" / "execution.json"
    monkeypatch.setenv("DERIVA_ML_SAVE_EXECUTION_RID", str(target))
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    saved = json.loads(target.read_text())
    assert saved == {"hostname": ml.hostname, "catalog_id": ml.catalog_id,
                     "execution_rid": exe.execution_rid, "workflow_rid": exe.workflow_rid,
                     "working_dir": str(ml.working_dir), "execution_dir": str(exe.working_dir),
                     "hydra_run_dir": None}


def test_hydra_config_files_recorded(project, tmp_path):
    from derivaml_jupyter.ml import DerivaML

    run_dir = tmp_path / "outputs" / "2024-01-01_10-00-00"
    (run_dir / ".hydra").mkdir(parents=True)
    for name in ("config.yaml", "overrides.yaml"):
        (run_dir / ".hydra" / name).write_text(f"{name}: 1\n")
    ml = DerivaML(hydra_runtime_output_dir=run_dir)
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    rows = ml.lookup_execution(exe.execution_rid).outputs["assets"]["Execution_Metadata"]
    hydra = {r["Filename"]: r for r in rows if r["Filename"].startswith("hydra-")}
    assert set(hydra) == {"hydra-2024-01-01_10-00-00-config.yaml",
                          "hydra-2024-01-01_10-00-00-overrides.yaml"}
    rid = hydra["hydra-2024-01-01_10-00-00-config.yaml"]["RID"]
    assert "Hydra_Config" in _types_of(ml, ML_SCHEMA, "Execution_Metadata", rid)


def test_nested_executions(project):
    ml = project["ml"]
    wf = ml.create_workflow("Sweep", "Training")
    parent = ml.create_execution(ExecutionConfiguration(workflow=wf, description="parent"))
    children = [ml.create_execution(ExecutionConfiguration(workflow=wf, description=f"job {i}"))
                for i in range(3)]
    for seq, child in zip([2, 0, 1], children):
        parent.add_nested_execution(child if seq != 1 else child.execution_rid, sequence=seq)
    parent.add_nested_execution(children[0], sequence=2)  # again: no duplicate
    nested = parent.list_nested_executions()
    assert [r.description for r in nested] == ["job 1", "job 2", "job 0"]
    assert [r.execution_rid for r in children[0].list_parent_executions()] == [
        parent.execution_rid]
    assert [r.execution_rid for r in ml.lookup_execution(
        children[2].execution_rid).list_parent_executions()] == [parent.execution_rid]
    with pytest.raises(DerivaMLCycleError):
        children[0].add_nested_execution(parent)
    with pytest.raises(DerivaMLCycleError):
        parent.add_nested_execution(parent)


def test_find_executions_filters_and_order(project):
    ml = project["ml"]
    train, infer = ml.create_workflow("Train", "Training"), ml.create_workflow("Infer", "Inference")
    infer.checksum = "infer-checksum"  # two distinct workflows in one test file
    first = ml.create_execution(ExecutionConfiguration(
        workflow=train, description="first", datasets=[project["dataset"]]))
    with first:
        pass
    second = ml.create_execution(ExecutionConfiguration(workflow=infer, description="second"))

    def rids(found) -> list[str]:
        assert all(isinstance(r, ExecutionRecord) for r in found)  # not a DataFrame's columns
        return [r.execution_rid for r in found]

    assert rids(ml.find_executions()) == [first.execution_rid, second.execution_rid]
    assert rids(ml.find_executions(sort=True)) == [second.execution_rid, first.execution_rid]
    assert rids(ml.find_executions(status=Status.stopped)) == [first.execution_rid]
    assert rids(ml.find_executions(dataset=project["dataset"])) == [first.execution_rid]
    read = str(ml.current_dataset_version(project["dataset"]))
    assert rids(ml.find_executions(dataset=DatasetSpec(rid=project["dataset"], version=read))
                ) == [first.execution_rid]
    later = ml.increment_dataset_version(project["dataset"])
    assert ml.find_executions(dataset=DatasetSpec(rid=project["dataset"], version=later)) == []
    assert rids(ml.find_executions(workflow=infer)) == [second.execution_rid]
    assert rids(ml.find_executions(workflow_type="Inference")) == [second.execution_rid]
    assert [r.description for r in ml.find_executions(workflow="Infer")] == ["second"]
    assert ml.find_executions(workflow="No such workflow") == []
    with pytest.raises(DerivaMLValidationError, match="needs a dataset"):
        ml.find_executions(dataset_role="input")
    with pytest.raises(DerivaMLValidationError, match="dataset_role must be one of"):
        ml.find_executions(dataset=project["dataset"], dataset_role="made")

    record = ml.find_executions(workflow=train)[0]  # deriva-ml's ExecutionRecord names
    assert (record.status, record.description, record.workflow.name, record.workflow_rid) == (
        Status.stopped, "first", "Train", train.workflow_rid)
    assert record.start_time and record.stop_time and record.duration
    table = ml.find_executions(sort=True).to_dataframe()
    assert list(table.columns[:7]) == ["RID", "Workflow", "Description", "Status",
                                       "Status_Detail", "Start_Time", "Duration"]
    assert table[["Workflow", "Status"]].values.tolist() == [["Infer", "Created"],
                                                             ["Train", "Stopped"]]
    assert "<td>Stopped</td>" in ml.find_executions()._repr_html_()

    workflows = ml.find_workflows()
    assert all(isinstance(w, Workflow) for w in workflows)
    assert {w.name: w.workflow_type for w in workflows}["Infer"] == ["Inference"]
    assert workflows.to_dataframe().set_index("Name").loc["Infer", "Workflow_Type"] == \
        ["Inference"]


def test_restore_execution_continues_staging(project):
    ml = project["ml"]
    with ml.create_execution(ExecutionConfiguration(
            workflow=ml.create_workflow("W", "Training"), datasets=[project["dataset"]],
            assets=[project["images"][0]])) as exe:
        exe.asset_file_path("Model", "first.pt").write_bytes(b"1")
    exe.upload_execution_outputs(clean_folder=False, progress=False)  # keep the input file
    restored = ml.restore_execution(exe.execution_rid)
    assert restored.working_dir == exe.working_dir
    assert [d.rid for d in restored.configuration.datasets] == [project["dataset"]]
    assert [a.rid for a in restored.configuration.assets] == [project["images"][0]]
    assert restored.asset_paths["Image"][0].read_bytes() == b"image 0" * 10
    restored.asset_file_path("Model", "continued_model.pt").write_bytes(b"2")
    uploaded = ml.resume_execution(exe.execution_rid).upload_execution_outputs(progress=False)
    assert [p.name for p in uploaded["domain/Model"]] == ["continued_model.pt"]
    names = {r["Filename"] for r in ml.lookup_execution(exe.execution_rid)
             .outputs["assets"]["Model"]}
    assert names == {"first.pt", "continued_model.pt"}


def test_execution_record_writes_status_and_description_through(project):
    ml = project["ml"]
    workflow = ml.create_workflow("W", "Training")
    with ml.create_execution(ExecutionConfiguration(workflow=workflow)) as exe:
        pass
    (record,) = ml.find_executions()
    record.description = "Reviewed: fine"  # deriva-ml's records write through
    record.status = "uploaded"
    again = ml.lookup_execution(exe.execution_rid)
    assert (again.description, again.status) == ("Reviewed: fine", Status.uploaded)
    record.update_status(Status.aborted, "Superseded by a later run")
    again = ml.lookup_execution(exe.execution_rid)
    assert (again.status, again.status_detail) == (Status.aborted, "Superseded by a later run")
    with pytest.raises(DerivaMLValidationError, match="'Sideways' is not an execution status"):
        record.status = "Sideways"
    assert ml.lookup_execution(exe.execution_rid).status == Status.aborted

    child = ml.create_execution(ExecutionConfiguration(workflow=workflow))
    record.add_nested_execution(child, sequence=1)
    assert record.is_parent() and not record.is_nested()
    (nested,) = record.list_execution_children()
    assert nested.execution_rid == child.execution_rid and nested.is_nested()
    assert [p.execution_rid for p in nested.list_execution_parents(recurse=True)] == [
        exe.execution_rid]


def test_upload_cleans_the_execution_folder_as_deriva_ml_does(project, tmp_path):
    ml = project["ml"]
    mine = tmp_path / "notes.txt"
    mine.write_text("the user's own file")

    def run(**upload):
        with ml.create_execution(ExecutionConfiguration(
                workflow=ml.create_workflow("W", "Training"),
                assets=[project["images"][0]])) as exe:
            exe.asset_file_path("Model", "model.pt").write_bytes(b"weights")
            exe.asset_file_path("Model", mine)  # staged by symlink
        return exe, exe.upload_execution_outputs(progress=False, **upload)

    assert ml.clean_execution_dir is True  # deriva-ml's default
    exe, uploaded = run()
    assert {r["Filename"] for r in ml.lookup_execution(exe.execution_rid)
            .outputs["assets"]["Model"]} == {"model.pt", "notes.txt"}
    assert not (exe.working_dir / "assets").exists()
    assert not (exe.working_dir / "downloaded-assets").exists()
    assert not any(p.exists() for p in uploaded["domain/Model"])
    assert mine.read_text() == "the user's own file"  # a symlink's target is not touched
    assert [h["status"] for h in exe.status_history][-1] == "Uploaded"  # bookkeeping stays
    assert exe.upload_execution_outputs(progress=False) == {}  # nothing left to send

    kept, uploaded = run(clean_folder=False)
    assert all(p.exists() for p in uploaded["domain/Model"])
    assert (kept.working_dir / "downloaded-assets").is_dir()
    ml.clean_execution_dir = False
    kept, uploaded = run()
    assert all(p.exists() for p in uploaded["domain/Model"])
    cleaned, uploaded = run(clean_folder=True)
    assert not (cleaned.working_dir / "assets").exists()


def test_a_recorded_workflow_is_reused_without_source_provenance(ml):
    """A Workflow object that has been recorded once keeps its row, even with no checksum."""
    from derivaml_jupyter.execution.configuration import ExecutionConfiguration

    workflow = ml.create_workflow(name="Interactive", workflow_type="Analysis")
    first = ml.create_execution(ExecutionConfiguration(workflow=workflow))
    second = ml.create_execution(ExecutionConfiguration(workflow=workflow))
    assert first.workflow_rid == second.workflow_rid
    assert len(ml.find_workflows()) == 1


def test_asset_metadata_columns_are_stored_with_the_asset(project):
    from derivaml_jupyter.catalog.contract import Column
    from derivaml_jupyter.core.errors import DerivaMLValidationError

    ml = project["ml"]
    ml.create_asset("Scan", [Column("Site", "text", nullok=False), Column("Dose", "float8")])
    with ml.create_execution(ExecutionConfiguration(
            workflow=ml.create_workflow("W", "Training"))) as exe:
        exe.asset_file_path("Scan", "a.bin", Site="north", Dose=1.5).write_bytes(b"a")
        exe.asset_file_path("Scan", "b.bin", metadata={"Site": "south"}).write_bytes(b"b")
        with pytest.raises(DerivaMLValidationError, match="Color is not a column of asset "
                                                          "table Scan.*Site, Dose"):
            exe.asset_file_path("Scan", "c.bin", Color="red")
        with pytest.raises(DerivaMLValidationError, match="MD5"):
            exe.asset_file_path("Scan", "d.bin", MD5="0" * 32)
    exe.upload_execution_outputs(progress=False)
    rows = {r["Filename"]: r for r in ml.catalog.select("domain", "Scan")}
    assert set(rows) == {"a.bin", "b.bin"}
    assert (rows["a.bin"]["Site"], rows["a.bin"]["Dose"]) == ("north", 1.5)
    assert (rows["b.bin"]["Site"], rows["b.bin"]["Dose"]) == ("south", None)
