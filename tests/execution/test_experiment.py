"""``Experiment``: an execution read back through the Hydra files it recorded
(``ml.lookup_experiment``, ``ml.find_experiments``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from derivaml.experiment import Experiment
from derivaml_jupyter.core.definitions import Status
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML

pytestmark = pytest.mark.real_server


def hydra_run(folder: Path) -> Path:
    """A Hydra run folder as ``deriva-ml-run +experiment=cifar10_quick`` leaves it."""
    (folder / ".hydra").mkdir(parents=True)
    (folder / ".hydra" / "config.yaml").write_text(yaml.safe_dump({
        "model_config": {"_target_": "models.cnn", "epochs": 3, "learning_rate": 0.01},
        "dry_run": False}))
    (folder / ".hydra" / "hydra.yaml").write_text(yaml.safe_dump({"hydra": {"runtime": {
        "choices": {"model_config": "cifar10_quick", "datasets": "small",
                    "hydra/launcher": "basic", "hydra/output": "default"}}}}))
    (folder / ".hydra" / "overrides.yaml").write_text("- +experiment=cifar10_quick\n")
    return folder


def executed(ml: DerivaML, description: str, **config) -> str:
    workflow = ml.create_workflow("CNN", "Training", description="trains")
    exe = ml.create_execution(ExecutionConfiguration(workflow=workflow,
                                                     description=description, **config))
    with exe.execute():
        exe.asset_file_path("Execution_Asset", "weights.pt").write_bytes(description.encode())
    exe.upload_execution_outputs(progress=False)
    return exe.execution_rid


@pytest.fixture
def runs(ml: DerivaML, tmp_path: Path) -> dict:
    dataset = ml.create_dataset(["Training"], description="Small set")
    configured = DerivaML(ml.hostname, ml.catalog_id,
                          hydra_runtime_output_dir=hydra_run(tmp_path / "run"))
    return {"ml": ml, "dataset": dataset.dataset_rid,
            "hydra": executed(configured, "quick training", datasets=[dataset.dataset_rid]),
            "plain": executed(ml, "no config")}


def test_an_experiment_reads_its_hydra_config(runs):
    ml = runs["ml"]
    exp = ml.lookup_experiment(runs["hydra"])
    assert isinstance(exp, Experiment)
    assert exp.name == "cifar10_quick"
    assert exp.config_choices == {"model_config": "cifar10_quick", "datasets": "small"}
    assert exp.model_config == {"_target_": "models.cnn", "epochs": 3, "learning_rate": 0.01}
    assert exp.hydra_config["dry_run"] is False
    assert (exp.description, exp.status) == ("quick training", "Uploaded")
    assert [d.dataset_rid for d in exp.input_datasets] == [runs["dataset"]]
    assert [a.filename for a in exp.output_assets if a.asset_table == "Execution_Asset"] == [
        "weights.pt"]
    assert repr(exp) == f"Experiment(name='cifar10_quick', rid={runs['hydra']!r})"


def test_summary_and_markdown(runs):
    ml = runs["ml"]
    exp = ml.lookup_experiment(runs["hydra"])
    summary = exp.summary()
    assert summary["model_config"] == {"epochs": 3, "learning_rate": 0.01}  # no _target_
    assert [a["filename"] for a in summary["output_assets"]] == ["weights.pt"]
    assert {m["filename"].rsplit("-", 1)[-1] for m in summary["metadata_assets"]} >= {
        "config.yaml", "hydra.yaml", "overrides.yaml"}
    assert summary["input_datasets"][0]["dataset_rid"] == runs["dataset"]
    assert summary["url"] == ml.catalog.url_for(runs["hydra"])
    text = exp.to_markdown()
    assert text.startswith(f"### cifar10_quick ([{runs['hydra']}]({summary['url']}))")
    assert "**Configuration Choices:** `datasets=small`, `model_config=cifar10_quick`" in text
    assert "- **epochs**: 3" in text and "_target_" not in text
    assert f"[{runs['dataset']}]" in text
    assert runs["dataset"] not in exp.to_markdown(show_datasets=False)


def test_an_execution_without_hydra_config(runs):
    exp = runs["ml"].lookup_experiment(runs["plain"])
    assert (exp.name, exp.config_choices, exp.model_config) == (runs["plain"], {}, {})


def test_find_experiments(runs):
    ml = runs["ml"]
    assert [e.execution_rid for e in ml.find_experiments()] == [runs["hydra"]]
    workflow = ml.lookup_execution(runs["hydra"]).workflow_rid
    assert [e.execution_rid for e in ml.find_experiments(workflow_rid=workflow)] == [
        runs["hydra"]]
    assert [e.name for e in ml.find_experiments(status=Status.uploaded)] == ["cifar10_quick"]
    assert list(ml.find_experiments(status=Status.failed)) == []
