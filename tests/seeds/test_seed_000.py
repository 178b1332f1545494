"""The examples of "Configuring and Running Executions", run as written against a local
catalog.

Changes to the examples: ``deriva_ml`` imports are ``derivaml`` ones; the host and catalog are
a local catalog; example RIDs are looked up in ``rid`` (``rid["1-ABC"]``), which maps them to
datasets and assets this module creates; helpers the examples leave undefined
(``process_image``, ``train_model``, ``torch.save``...) are the stand-ins of ``standins.py``.
Lines marked ``# check`` are the test's own.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from types import SimpleNamespace

import pytest

from derivaml_jupyter.ml import DerivaML

from .catalog import add_files, add_images, asset_types, example_catalog, stored_bytes
from .standins import (
    ResNet50,
    TinyModel,
    create_dataloader,
    load_data,
    process_data,
    process_image,
    torch,
    train_epoch,
    train_model,
)

CATALOG = "executions"


@pytest.fixture(scope="module")
def seed(home: Path) -> SimpleNamespace:
    """A local catalog with the example's inputs: dataset ``1-ABC`` (versions 2.1.0 and,
    current, 2.2.0), dataset ``1-DEF`` (versions 1.2.0 and 1.3.0) of images, and ``Model``
    assets ``2-GHI`` and ``2-JKL``."""
    ml = example_catalog(CATALOG)
    images = add_images(ml, home / "sources", 4)
    weights = add_files(ml, "Model", home / "sources",
                        {"pretrained_a.pt": b"weights a", "pretrained_b.pt": b"weights b"})
    abc = ml.create_dataset(["Training"], description="Training images", version="2.0.0")
    abc.add_dataset_members(images[:2])  # 2.1.0
    abc.add_dataset_members(images[2:3])  # 2.2.0
    other = ml.create_dataset(["Testing"], description="Test images", version="1.1.0")
    other.add_dataset_members(images[1:3])  # 1.2.0
    other.add_dataset_members(images[3:])  # 1.3.0
    return SimpleNamespace(
        hostname="local", catalog_id=CATALOG, images=images,
        rid={"1-ABC": abc.rid, "1-DEF": other.rid, "2-GHI": weights[0], "2-JKL": weights[1]})


def configure(hostname: str, catalog_id: str, rid: dict[str, str]):
    """The example "Creating an Execution Configuration"; returns ``ml, config``."""
    from derivaml import DerivaML
    from derivaml.dataset.aux_classes import DatasetSpec
    from derivaml.execution import ExecutionConfiguration

    ml = DerivaML(hostname, catalog_id)

    # Create a workflow definition
    workflow = ml.create_workflow(
        name="ResNet50 Training",
        workflow_type="Training",
        description="Train ResNet50 on image classification task"
    )

    # Configure the execution
    config = ExecutionConfiguration(
        workflow=workflow,
        description="Training run with augmented data",
        datasets=[
            DatasetSpec(rid=rid["1-ABC"]),                    # Use current version
            DatasetSpec(rid=rid["1-DEF"], version="1.2.0"),  # Use specific version
        ],
        assets=[rid["2-GHI"], rid["2-JKL"]],  # Additional input asset RIDs
    )
    return ml, config


@pytest.fixture
def configured(seed: SimpleNamespace):
    return configure(seed.hostname, seed.catalog_id, seed.rid)


def outputs_by_name(ml: DerivaML, execution_rid: str, table: str) -> dict[str, dict]:
    record = ml.lookup_execution(execution_rid)
    return {row["Filename"]: row for row in record.outputs["assets"].get(table, [])}


def test_configuration_records_datasets_at_their_versions_and_input_assets(seed, configured):
    ml, config = configured
    rid = seed.rid
    assert [(d.rid, str(d.version) if d.version else None) for d in config.datasets] == [
        (rid["1-ABC"], None), (rid["1-DEF"], "1.2.0")]

    exe = ml.create_execution(config)

    record = ml.lookup_execution(exe.execution_rid)
    assert {d["rid"]: d["version"] for d in record.inputs["datasets"]} == {
        rid["1-ABC"]: "2.2.0", rid["1-DEF"]: "1.2.0"}
    assert {r["RID"] for r in record.inputs["assets"]["Model"]} == {rid["2-GHI"], rid["2-JKL"]}
    assert sorted(p.read_bytes() for p in exe.asset_paths["Model"]) == [b"weights a",
                                                                        b"weights b"]
    assert record.workflow.name == "ResNet50 Training"
    assert record.workflow.workflow_type == ["Training"]


def test_dataset_spec_options(seed, tmp_path):
    from derivaml.dataset.aux_classes import DatasetSpec

    rid = seed.rid
    # Download with all files
    with_files = DatasetSpec(rid=rid["1-ABC"], materialize=True)

    # Download metadata only (faster for large datasets)
    metadata_only = DatasetSpec(rid=rid["1-ABC"], materialize=False)

    # Use specific version
    pinned = DatasetSpec(rid=rid["1-ABC"], version="2.1.0")

    ml = DerivaML(seed.hostname, seed.catalog_id, cache_dir=tmp_path / "cache")  # check
    images = ml.download_dataset_bag(metadata_only).list_dataset_members()["Image"]
    assert len(images) == 3
    assert not any(Path(img["Filename"]).exists() for img in images)
    images = ml.download_dataset_bag(with_files).list_dataset_members()["Image"]
    assert all(Path(img["Filename"]).is_file() for img in images)
    bag = ml.download_dataset_bag(pinned)
    assert str(bag.version) == "2.1.0"
    assert {img["RID"] for img in bag.list_dataset_members()["Image"]} == set(seed.images[:2])


def test_running_an_execution(seed, configured, capsys):
    from derivaml.dataset.aux_classes import DatasetSpec

    ml, config = configured
    rid = seed.rid
    # Create execution with context manager
    with ml.create_execution(config) as exe:
        print(f"Execution RID: {exe.execution_rid}")
        print(f"Working directory: {exe.working_dir}")

        # Download input datasets
        bag = exe.download_dataset_bag(DatasetSpec(rid=rid["1-ABC"]))

        # Access dataset elements
        images = bag.list_dataset_members()["Image"]
        for img in images:
            # img["Filename"] contains local path to the file
            process_image(img["Filename"])

        # Train your model
        model = train_model(images)

        # Register output files
        model_path = exe.asset_file_path("Model", "best_model.pt")
        torch.save(model.state_dict(), model_path)

        metrics_path = exe.asset_file_path("Execution_Metadata", "metrics.json")
        with open(metrics_path, 'w') as f:
            json.dump({"accuracy": 0.95}, f)

    # IMPORTANT: Upload after context exits
    exe.upload_execution_outputs()

    assert f"Execution RID: {exe.execution_rid}" in capsys.readouterr().out  # check
    assert ml.lookup_execution(exe.execution_rid).status == "Uploaded"
    assert {img["RID"] for img in images} == set(seed.images[:3])
    models = outputs_by_name(ml, exe.execution_rid, "Model")
    weights = pickle.loads(stored_bytes(ml, models["best_model.pt"], exe.working_dir / "got"))
    assert weights["images"] == 3
    metadata = outputs_by_name(ml, exe.execution_rid, "Execution_Metadata")
    assert json.loads(stored_bytes(ml, metadata["metrics.json"], exe.working_dir / "got")) == {
        "accuracy": 0.95}


def test_registering_output_files(configured, tmp_path, monkeypatch):
    ml, config = configured
    here = tmp_path / "files"  # check: the files the example names
    (here / "path/to/existing").mkdir(parents=True)
    (here / "path/to/existing/file.png").write_bytes(b"existing image")
    (here / "path/to/temp.png").write_bytes(b"temporary image")
    (here / "mask.png").write_bytes(b"mask image")
    monkeypatch.chdir(here)
    model = TinyModel(bias=1.0)

    with ml.create_execution(config) as exe:
        # Method 1: Get a path for a new file
        output_path = exe.asset_file_path(
            asset_name="Model",        # Target asset table
            file_name="model.pt"       # Filename to create
        )
        torch.save(model, output_path)  # Write to the returned path

        # Method 2: Stage an existing file
        exe.asset_file_path(
            asset_name="Image",
            file_name=str(here / "path/to/existing/file.png"),  # Existing file
            copy_file=True                           # Copy (default: symlink)
        )

        # Method 3: Rename during upload
        exe.asset_file_path(
            asset_name="Image",
            file_name=str(here / "path/to/temp.png"),
            rename_file="processed_image.png"
        )

        # Method 4: Apply asset types
        exe.asset_file_path(
            asset_name="Image",
            file_name="mask.png",
            asset_types=["Segmentation_Mask", "Derived"]
        )

    staged = exe.working_dir / "assets" / "Image"  # check
    assert not (staged / "file.png").is_symlink()
    assert (staged / "processed_image.png").resolve() == here / "path/to/temp.png"
    exe.upload_execution_outputs()
    assert set(outputs_by_name(ml, exe.execution_rid, "Model")) == {"model.pt"}
    images = outputs_by_name(ml, exe.execution_rid, "Image")
    assert set(images) == {"file.png", "processed_image.png", "mask.png"}
    got = tmp_path / "got"
    assert stored_bytes(ml, images["processed_image.png"], got) == b"temporary image"
    assert stored_bytes(ml, images["file.png"], got) == b"existing image"
    assert {"Segmentation_Mask", "Derived"} <= asset_types(ml, "Image", images["mask.png"]["RID"])
    assert "Image" in asset_types(ml, "Image", images["file.png"]["RID"])
    assert "Image" not in asset_types(ml, "Image", images["mask.png"]["RID"])


def test_updating_status(configured):
    from derivaml.core.definitions import Status

    ml, config = configured
    model = TinyModel()  # check: the example's model

    with ml.create_execution(config) as exe:
        exe.update_status(Status.running, "Loading data...")

        data = load_data()
        exe.update_status(Status.running, "Training model...")

        for epoch in range(100):
            train_epoch(model, data)
            exe.update_status(Status.running, f"Epoch {epoch+1}/100 complete")

        exe.update_status(Status.running, "Saving model...")
        record = ml.lookup_execution(exe.execution_rid)  # check
        assert (record.status, record.status_detail) == ("Running", "Saving model...")

    record = ml.lookup_execution(exe.execution_rid)
    assert record.status == "Stopped"
    assert record.stop_time and record.duration
    assert model.weights["epochs"] == 100


def test_creating_output_datasets(seed, configured):
    ml, config = configured
    with ml.create_execution(config) as exe:
        input_data = exe.datasets[0].list_dataset_members()["Image"]  # check: the input
        # Process data and generate outputs
        processed_rids = process_data(input_data)

        # Create a new dataset linked to this execution
        output_dataset = exe.create_dataset(
            description="Augmented training images",
            dataset_types=["Training", "Augmented"]
        )

        # Add processed items to the output dataset
        output_dataset.add_dataset_members(processed_rids)

    exe.upload_execution_outputs()

    assert output_dataset.dataset_types == ["Augmented", "Training"]
    members = ml.list_dataset_members(output_dataset.rid)["Image"]
    assert {m["RID"] for m in members} == set(seed.images[:3])
    history = output_dataset.dataset_history()
    assert [str(h.dataset_version) for h in history] == ["0.1.0", "0.2.0"]
    assert {h.execution_rid for h in history} == {exe.execution_rid}
    record = ml.lookup_execution(exe.execution_rid)
    assert record.status == "Uploaded"
    assert {d["rid"] for d in record.outputs["datasets"]} == {output_dataset.rid}


def test_restoring_executions(seed, configured):
    ml, config = configured
    with ml.create_execution(config) as interrupted:  # check: a run whose upload never ran
        interrupted.asset_file_path("Model", "interim_model.pt").write_bytes(b"interim")
    rid = {**seed.rid, "1-XYZ": interrupted.execution_rid}

    # Restore by RID
    exe = ml.restore_execution(rid["1-XYZ"])

    # Continue working
    exe.asset_file_path("Model", "continued_model.pt").write_bytes(b"continued")  # (written)
    exe.upload_execution_outputs()

    assert exe.execution_rid == interrupted.execution_rid
    assert {(d.rid, str(d.version)) for d in exe.configuration.datasets} == {
        (rid["1-ABC"], "2.2.0"), (rid["1-DEF"], "1.2.0")}
    assert exe.configuration.workflow.name == "ResNet50 Training"
    models = outputs_by_name(ml, exe.execution_rid, "Model")
    assert set(models) == {"interim_model.pt", "continued_model.pt"}
    assert stored_bytes(ml, models["continued_model.pt"], exe.working_dir / "got") == \
        b"continued"
    assert ml.lookup_execution(exe.execution_rid).status == "Uploaded"


def test_workflow_types_and_a_custom_one(seed):
    ml = DerivaML(seed.hostname, seed.catalog_id)
    for term in ("Training", "Inference", "Preprocessing", "Evaluation", "Annotation"):
        ml.lookup_term("Workflow_Type", term)

    ml.add_term(
        table="Workflow_Type",
        term_name="Data_Augmentation",
        description="Workflows that augment training data"
    )

    assert ml.lookup_term("Workflow_Type", "data_augmentation")["Description"] == \
        "Workflows that augment training data"
    workflow = ml.create_workflow("Augment", workflow_type="Data_Augmentation")
    assert workflow.workflow_type == ["Data_Augmentation"]


def test_complete_example(seed, capsys):
    rid = seed.rid
    from derivaml import DerivaML
    from derivaml.core.definitions import Status  # the example uses Status without importing it
    from derivaml.dataset.aux_classes import DatasetSpec
    from derivaml.execution import ExecutionConfiguration

    # ``import torch`` and ``import json``: the module's stand-in and json

    # Connect to catalog
    ml = DerivaML("local", seed.catalog_id)

    # Define workflow
    workflow = ml.create_workflow(
        name="Image Classifier Training v3",
        workflow_type="Training",
        description="Train CNN classifier on medical images"
    )

    # Configure execution
    config = ExecutionConfiguration(
        workflow=workflow,
        description="Training with learning rate 0.001",
        datasets=[DatasetSpec(rid=rid["1-ABC"])],
    )

    # Run execution
    with ml.create_execution(config) as exe:
        # Download training data
        bag = exe.download_dataset_bag(DatasetSpec(rid=rid["1-ABC"]))
        train_loader = create_dataloader(bag)

        # Train model
        model = ResNet50()
        for epoch in range(50):
            loss = train_epoch(model, train_loader)
            exe.update_status(Status.running, f"Epoch {epoch}: loss={loss:.4f}")

        # Save model
        model_path = exe.asset_file_path("Model", "classifier.pt")
        torch.save(model.state_dict(), model_path)

        # Save metrics
        metrics_path = exe.asset_file_path("Execution_Metadata", "training_metrics.json")
        with open(metrics_path, 'w') as f:
            json.dump({"final_loss": loss, "epochs": 50}, f)

    # Upload all outputs
    exe.upload_execution_outputs()

    print(f"Execution complete: {exe.execution_rid}")

    assert f"Execution complete: {exe.execution_rid}" in capsys.readouterr().out  # check
    record = ml.lookup_execution(exe.execution_rid)
    assert record.status == "Uploaded"
    assert record.workflow.name == "Image Classifier Training v3"
    assert [d["version"] for d in record.inputs["datasets"]] == ["2.2.0"]
    got = exe.working_dir / "got"
    model_row = outputs_by_name(ml, exe.execution_rid, "Model")["classifier.pt"]
    assert pickle.loads(stored_bytes(ml, model_row, got))["epochs"] == 50
    metrics = outputs_by_name(ml, exe.execution_rid, "Execution_Metadata")
    assert json.loads(stored_bytes(ml, metrics["training_metrics.json"], got)) == {
        "final_loss": 0.02, "epochs": 50}
