"""deriva-ml's model template notebook ``notebooks/roc_analysis.ipynb``, with only its
``deriva_ml`` imports rewritten, runs end to end through ``deriva-ml-run-notebook`` on a
local catalog populated here as the template's own runs would leave it.

The catalog: an ``Image`` asset table with an ``Image_Classification`` feature (an
``Image_Class`` term and a ``Confidence`` value); a labelling execution whose values have no
confidence (the ground truth); two training executions, each with the Hydra config files a
``deriva-ml-run`` records and a ``prediction_probabilities.csv`` output. The template's
``src/configs/assets.py`` gets the ``roc_quick_vs_extended`` entry its docstring tells users
to add after running their experiments; the notebook runs with the template's own
``roc_analysis`` config.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest
import yaml

from derivaml_jupyter.catalog.contract import Column
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML

from .conftest import REPO_ROOT
from .test_model_template import IMPORT, MIRROR, extract_template, git, write_stand_ins

pytestmark = pytest.mark.slow

CLASSES = ["airplane", "cat", "dog"]
EXPERIMENTS = {"cifar10_quick": {"epochs": 3, "learning_rate": 0.001},
               "cifar10_extended": {"epochs": 50, "learning_rate": 0.001}}
CATALOG = "roc"


def rewrite_notebook(text: str) -> str:
    """The notebook with the ``deriva_ml`` imports of its code cells rewritten."""
    notebook = nbformat.reads(text, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = IMPORT.sub(r"\1\2\3derivaml", cell.source)
    return nbformat.writes(notebook)


def hydra_run_dir(folder: Path, model_config: str) -> Path:
    """The ``.hydra`` files Hydra writes for a ``deriva-ml-run +experiment=<model_config>``."""
    (folder / ".hydra").mkdir(parents=True)
    (folder / ".hydra" / "config.yaml").write_text(yaml.safe_dump({
        "model_config": {"_target_": "models.cifar10_cnn.cifar10_cnn",
                         **EXPERIMENTS[model_config]},
        "dry_run": False, "description": f"{model_config} training"}))
    (folder / ".hydra" / "hydra.yaml").write_text(yaml.safe_dump({"hydra": {"runtime": {
        "choices": {"model_config": model_config, "datasets": "cifar10_small",
                    "assets": "default_asset", "deriva_ml": "default_deriva",
                    "hydra/launcher": "basic"}}}}))
    return folder


def populate(home: Path) -> dict:
    """The catalog the notebook reads (see the module docstring); returns the RIDs."""
    ml = DerivaML("local", CATALOG)
    ml.create_asset("Image")
    ml.create_vocabulary("Image_Class", "CIFAR-10 classes.")
    for name in CLASSES:
        ml.add_term("Image_Class", name, description=f"A {name}.")
    ml.create_feature("Image", "Image_Classification", terms=["Image_Class"],
                      metadata=[Column("Confidence", "float4")])
    for term in ("Image Classification", "ROC Analysis Notebook"):
        ml.add_term("Workflow_Type", term, description=term)
    rng = random.Random(7)
    labelling = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow(
        "Labelling", "Image Classification"), description="Ground truth labels"))
    with labelling.execute():
        for i in range(24):
            labelling.asset_file_path("Image", f"img{i:02}.png").write_bytes(b"png %d" % i)
    images = sorted(p.asset_rid for paths in labelling.upload_execution_outputs(
        progress=False).values() for p in paths)
    truth = {rid: CLASSES[i % len(CLASSES)] for i, rid in enumerate(images)}
    Label = ml.feature_record_class("Image", "Image_Classification")
    with labelling.execute():
        labelling.add_features([Label(Image=rid, Image_Class=label)
                                for rid, label in truth.items()])
    labelling.upload_execution_outputs(progress=False)

    predictions = {}
    for name in EXPERIMENTS:
        trained = DerivaML("local", CATALOG, hydra_runtime_output_dir=hydra_run_dir(
            home / "hydra" / name, name))
        exe = trained.create_execution(ExecutionConfiguration(workflow=trained.create_workflow(
            "CIFAR-10 CNN", "Image Classification"), description=f"{name} training"))
        with exe.execute():
            lines = ["Image_RID,Predicted_Class," + ",".join(f"prob_{c}" for c in CLASSES)]
            for rid, label in truth.items():
                probs = [rng.random() + (2.0 if c == label and rng.random() < 0.8 else 0)
                         for c in CLASSES]
                probs = [p / sum(probs) for p in probs]
                lines.append(f"{rid},{CLASSES[probs.index(max(probs))]},"
                             + ",".join(f"{p:.6f}" for p in probs))
            exe.asset_file_path("Execution_Asset", "prediction_probabilities.csv").write_text(
                "\n".join(lines) + "\n")
        [csv] = [p for paths in exe.upload_execution_outputs(progress=False).values()
                 for p in paths if p.name == "prediction_probabilities.csv"]
        predictions[name] = {"execution": exe.execution_rid, "csv": csv.asset_rid}
    return {"images": images, "predictions": predictions,
            "labelling": labelling.execution_rid}


@pytest.fixture
def template(tmp_path: Path) -> Path:
    if not (MIRROR / "HEAD").is_file():
        pytest.skip(f"no git mirror of deriva-ml-model-template at {MIRROR} "
                    "(set DERIVAML_TEMPLATE_MIRROR)")
    project = tmp_path / "template"
    extract_template(project)
    write_stand_ins(project / "stand_ins")
    (project / "notebooks").mkdir()
    (project / "notebooks" / "roc_analysis.ipynb").write_text(
        rewrite_notebook(git("show", "HEAD:notebooks/roc_analysis.ipynb")))
    return project


def test_roc_analysis_notebook_runs_end_to_end(template, tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("DERIVAML_HOME", str(home))
    rids = populate(home)
    csvs = [p["csv"] for p in rids["predictions"].values()]
    with (template / "src/configs/assets.py").open("a") as f:  # as its docstring says
        f.write(f"\nasset_store({csvs!r}, name='roc_quick_vs_extended')\n")

    env = dict(os.environ, DERIVAML_HOME=str(home), HYDRA_FULL_ERROR="1",
               PYTHONPATH=os.pathsep.join([str(template / "stand_ins"), str(template / "src"),
                                           str(REPO_ROOT)]))
    result = subprocess.run(
        [sys.executable, "-m", "derivaml_jupyter.runners.run_notebook_cli",
         "notebooks/roc_analysis.ipynb", "--host", "local", "--catalog", CATALOG,
         "--allow-dirty"],
        cwd=template, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    ml = DerivaML("local", CATALOG)
    [run] = [r for r in ml.find_executions(workflow_type="ROC Analysis Notebook")]
    assert str(run.status) == "Uploaded"
    assert sorted(r["RID"] for r in run.inputs["assets"]["Execution_Asset"]) == sorted(csvs)
    outputs = {r["Filename"]: r for r in run.outputs["assets"]["Execution_Asset"]}
    assert {"roc_metrics.csv", "roc_curves_cifar10_quick.jpg",
            "roc_curves_cifar10_extended.jpg", "confusion_matrix_cifar10_quick.jpg",
            "confusion_matrix_cifar10_extended.jpg", "roc_analysis.ipynb",
            "roc_analysis.md"} <= set(outputs)

    path = ml.lookup_asset(outputs["roc_metrics.csv"]["RID"]).download(tmp_path / "metrics")
    table = pd.read_csv(path).set_index("Experiment")
    assert set(table.index) == set(EXPERIMENTS)
    for name, made in rids["predictions"].items():
        assert table.loc[name, "Execution_RID"] == made["execution"]
        assert table.loc[name, "Samples"] == len(rids["images"])
        assert 0.5 < table.loc[name, "AUC_Micro"] <= 1.0

    notebook = ml.lookup_asset(outputs["roc_analysis.md"]["RID"]).download(tmp_path / "md")
    text = notebook.read_text()
    assert "`model_config=cifar10_quick`" in text and "**epochs**: 50" in text
    assert f"Execution: [{rids['labelling']}]" in text
