"""The commands of "Running Models and Notebooks", run as written in a project laid out as the
guide shows it (``project_files.py``), each checked by what the local catalog records.

Changes to the commands: the ``uv run`` prefix is dropped (the console scripts of this
environment run from the project folder, with ``DERIVAML_HOME`` in a temporary folder); the
production host and catalog are the local catalog ``production``. Commands outside this
product are skipped, each with the reason.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
import yaml

from derivaml_jupyter.execution.records import ExecutionRecord
from derivaml_jupyter.ml import DerivaML

from .catalog import add_files, add_images, asset_types, example_catalog, stored_bytes
from .project_files import (
    CONFIGS,
    DEV_CATALOG,
    MODELS,
    NOTEBOOKS,
    PRODUCTION_CATALOG,
    SIMPLE_MY_ANALYSIS,
    TOP_LEVEL,
    WALKTHROUGH_CONFIGS,
    WALKTHROUGH_MODELS,
    filled,
)

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
                "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}


# --------------------------------------------------------------------------- the project


@pytest.fixture(scope="module")
def catalogs(home: Path) -> SimpleNamespace:
    """The development catalog (a Training dataset of 3 images released as 1.0.0, and two
    ``Model`` weight files) and the "production" catalog (one ``Model`` weight file)."""
    dev = example_catalog(DEV_CATALOG)
    training = dev.create_dataset(["Training"], description="Training images")
    training.add_dataset_members(add_images(dev, home / "sources", 3))
    training.increment_dataset_version("major", "First release.")
    resnet, comparison = add_files(dev, "Model", home / "sources", {
        "resnet50_mae.pt": b"resnet weights", "comparison.pt": b"comparison weights"})
    production = example_catalog(PRODUCTION_CATALOG)
    [different] = add_files(production, "Model", home / "production",
                            {"production.pt": b"production weights"})
    return SimpleNamespace(dev=dev, production=production, rids={
        "training": training.rid, "resnet_weights": resnet,
        "comparison_weights": comparison, "different_weights": different})


def write_files(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


def write_notebooks(folder: Path) -> None:
    """The notebooks as plain nbformat (and jupytext) write them: without kernelspec."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, cells in NOTEBOOKS.items():
        nb = nbformat.v4.new_notebook()
        for tag, source in cells:
            cell = nbformat.v4.new_code_cell(source)
            if tag:
                cell.metadata["tags"] = [tag]
            nb.cells.append(cell)
        nbformat.write(nb, folder / name)


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={**os.environ, **GIT_IDENTITY})


@pytest.fixture(scope="module")
def project(catalogs: SimpleNamespace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``my-project/`` as the guide lays it out, committed to git."""
    root = tmp_path_factory.mktemp("guide") / "my-project"
    write_files(root / "src" / "configs", filled(CONFIGS, catalogs.rids))
    write_files(root / "src" / "models", filled(MODELS, catalogs.rids))
    write_files(root, filled(TOP_LEVEL, catalogs.rids))
    write_notebooks(root / "notebooks")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "Project from the guide"]):
        git(root, *args)
    return root


@pytest.fixture(scope="module")
def kernels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch prefix for ``deriva-ml-install-kernel``."""
    return tmp_path_factory.mktemp("kernel-prefix")


def run(root: Path, command: str, ok: bool = True, **env: str) -> subprocess.CompletedProcess:
    """Run a command of the guide in ``root``; console scripts are this environment's."""
    program, *args = shlex.split(command)
    executable = BIN / program if (BIN / program).exists() else program
    result = subprocess.run(
        [str(executable), *args], cwd=root, capture_output=True, text=True, timeout=600,
        env={**os.environ, **GIT_IDENTITY, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
             **env})
    if ok:
        assert result.returncode == 0, \
            f"`{command}` failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


# --------------------------------------------------------------------------- reading results


def executed(ml: DerivaML, result: subprocess.CompletedProcess) -> ExecutionRecord:
    """The execution a run reported as Uploaded."""
    found = re.search(r"^Execution (\S+): Uploaded", result.stdout, re.M)
    assert found, f"no uploaded execution reported:\n{result.stdout}\n{result.stderr}"
    record = ml.lookup_execution(found.group(1))
    assert record.status == "Uploaded"
    return record


def sweep_children(ml: DerivaML, result: subprocess.CompletedProcess) -> list[ExecutionRecord]:
    """The executions nested under the multirun parent a run reported, in sweep order."""
    found = re.search(r"^Multirun parent execution: (\S+)", result.stdout, re.M)
    assert found, f"no multirun parent reported:\n{result.stdout}\n{result.stderr}"
    children = ml.lookup_execution(found.group(1)).list_nested_executions()
    assert all(c.status == "Uploaded" for c in children)
    assert all([p.execution_rid for p in c.list_parent_executions()] == [found.group(1)]
               for c in children)
    return children


def outputs(record: ExecutionRecord, table: str) -> dict[str, dict]:
    return {row["Filename"]: row for row in record.outputs["assets"].get(table, [])}


def output_text(ml: DerivaML, record: ExecutionRecord, table: str, name: str,
                folder: Path) -> str:
    return stored_bytes(ml, outputs(record, table)[name], folder).decode()


def trained_model(ml: DerivaML, record: ExecutionRecord, folder: Path) -> dict:
    """What ``save_model`` wrote: epochs run, learning rate and batch size."""
    return json.loads(output_text(ml, record, "Model", "best_model.pt", folder))


def recorded_hydra_config(ml: DerivaML, record: ExecutionRecord, name: str,
                          folder: Path):
    """A Hydra file (``config.yaml``, ``overrides.yaml``) the execution recorded."""
    rows = {f: row for f, row in outputs(record, "Execution_Metadata").items()
            if f.startswith("hydra-") and f.endswith(f"-{name}")}
    assert len(rows) == 1, f"expected one recorded {name}, got {sorted(rows)}"
    return yaml.safe_load(stored_bytes(ml, next(iter(rows.values())), folder))


def recorded_configuration(ml: DerivaML, record: ExecutionRecord, folder: Path) -> dict:
    return json.loads(output_text(ml, record, "Execution_Metadata", "configuration.json",
                                  folder))


def execution_count(ml: DerivaML) -> int:
    return len(ml.find_executions())


# --------------------------------------------------------------------------- deriva-ml-run


def test_run_with_all_defaults(project, catalogs, tmp_path):
    # Run with all defaults from base.py
    result = run(project, "deriva-ml-run")

    ml = catalogs.dev
    record = executed(ml, result)
    assert record.inputs["datasets"] == [] and record.inputs["assets"] == {}
    assert trained_model(ml, record, tmp_path) == {"epochs": 10, "learning_rate": 0.001,
                                                   "batch_size": 32}
    assert json.loads(output_text(ml, record, "Execution_Metadata", "metrics.json",
                                  tmp_path)) == {"accuracy": 0.9}
    assert record.description == "My project model run"
    assert record.workflow.name == "default"
    assert record.workflow.url.endswith("src/models/my_model.py")
    assert recorded_configuration(ml, record, tmp_path)["config_choices"] == {
        "deriva_ml": "default_deriva", "datasets": "default_dataset",
        "assets": "default_asset", "workflow": "default_workflow",
        "model_config": "default_model"}


def test_override_config_groups(project, catalogs, tmp_path):
    # Override a config group
    result = run(project, "deriva-ml-run model_config=quick datasets=training_data")

    ml, training = catalogs.dev, catalogs.rids["training"]
    record = executed(ml, result)
    assert [(d["rid"], d["version"]) for d in record.inputs["datasets"]] == [
        (training, "1.0.0")]
    assert f"Dataset {training} 1.0.0: 3 images" in result.stdout
    assert trained_model(ml, record, tmp_path) == {"epochs": 3, "learning_rate": 0.01,
                                                   "batch_size": 32}
    choices = recorded_configuration(ml, record, tmp_path)["config_choices"]
    assert (choices["model_config"], choices["datasets"]) == ("quick", "training_data")


def test_override_individual_parameters(project, catalogs, tmp_path):
    # Override individual parameters
    result = run(project, "deriva-ml-run model_config.epochs=50 model_config.learning_rate=0.001")

    ml = catalogs.dev
    record = executed(ml, result)
    assert trained_model(ml, record, tmp_path) == {"epochs": 50, "learning_rate": 0.001,
                                                   "batch_size": 32}
    config = recorded_hydra_config(ml, record, "config.yaml", tmp_path)
    assert (config["model_config"]["epochs"], config["model_config"]["learning_rate"]) == (
        50, 0.001)
    assert recorded_hydra_config(ml, record, "overrides.yaml", tmp_path) == [
        "model_config.epochs=50", "model_config.learning_rate=0.001"]
    assert record.description.endswith(
        "[overrides: model_config.epochs=50, model_config.learning_rate=0.001]")


def test_dry_run_records_nothing(project, catalogs):
    before = execution_count(catalogs.dev)

    # Dry run: download inputs but skip catalog writes
    result = run(project, "deriva-ml-run dry_run=true")

    assert "Uploaded" not in result.stdout
    assert execution_count(catalogs.dev) == before


def test_info_lists_groups_and_options(project):
    # Show all available configuration groups and options
    result = run(project, "deriva-ml-run --info")

    menu = result.stdout
    for group, options in {
            "deriva_ml": ["default_deriva", "production"],
            "datasets": ["default_dataset", "training_data"],
            "assets": ["default_asset", "resnet_weights", "comparison_weights"],
            "workflow": ["default_workflow", "feature_extraction"],
            "model_config": ["default_model", "quick", "long_training"],
            "experiment": ["quick_training", "long_training"]}.items():
        section = menu.split(f"\n{group}:\n", 1)[1].split("\n\n", 1)[0]
        for option in options:
            assert f"  - {option}" in section, f"{group}={option} not listed:\n{menu}"
    assert "  - deriva_model: My project model run" in menu
    assert "  - lr_sweep: Learning Rate Sweep" in menu


@pytest.mark.parametrize("command", [
    # The guide's `--host prod.example.org --catalog 100`: "production" is a local catalog here.
    "deriva-ml-run --host local --catalog production",
    "deriva-ml-run deriva_ml=production",
], ids=["host-and-catalog", "hydra-override"])
def test_connection_overrides_record_in_the_production_catalog(project, catalogs, command):
    before = execution_count(catalogs.dev)

    result = run(project, command)

    record = executed(catalogs.production, result)
    assert record.workflow.name == "default"
    assert execution_count(catalogs.dev) == before
    assert "--catalog production" in result.stdout


def test_experiment(project, catalogs, tmp_path):
    result = run(project, "deriva-ml-run +experiment=quick_training")

    ml, rids = catalogs.dev, catalogs.rids
    record = executed(ml, result)
    assert record.description.startswith("Quick training with ResNet weights on training data.")
    assert [d["version"] for d in record.inputs["datasets"]] == ["1.0.0"]
    assert [r["RID"] for r in record.inputs["assets"]["Model"]] == [rids["resnet_weights"]]
    assert re.search(r"^Loaded Model: .*resnet50_mae\.pt$", result.stdout, re.M)
    assert trained_model(ml, record, tmp_path) == {"epochs": 3, "learning_rate": 0.01,
                                                   "batch_size": 32}
    assert recorded_configuration(ml, record, tmp_path)["config_choices"]["experiment"] == \
        "quick_training"


def test_experiment_with_a_parameter_override(project, catalogs, tmp_path):
    # Override an experiment parameter
    result = run(project, "deriva-ml-run +experiment=quick_training model_config.epochs=25")

    record = executed(catalogs.dev, result)
    assert trained_model(catalogs.dev, record, tmp_path) == {
        "epochs": 25, "learning_rate": 0.01, "batch_size": 32}


def test_sweep_a_parameter(project, catalogs, tmp_path):
    # Sweep a parameter
    result = run(project, "deriva-ml-run --multirun model_config.learning_rate=0.0001,0.001,0.01")

    children = sweep_children(catalogs.dev, result)
    assert [trained_model(catalogs.dev, c, tmp_path / c.execution_rid)["learning_rate"]
            for c in children] == [0.0001, 0.001, 0.01]


def test_sweep_across_experiments(project, catalogs, tmp_path):
    # Sweep across experiments
    result = run(project, "deriva-ml-run --multirun +experiment=quick_training,long_training")

    children = sweep_children(catalogs.dev, result)
    assert [trained_model(catalogs.dev, c, tmp_path / c.execution_rid)["epochs"]
            for c in children] == [3, 100]


def test_named_multirun(project, catalogs, tmp_path):
    # Use the named multirun config (automatically enables multirun mode)
    result = run(project, "deriva-ml-run +multirun=lr_sweep")

    ml = catalogs.dev
    children = sweep_children(ml, result)
    parent = children[0].list_parent_executions()[0]
    assert parent.description.startswith("## Learning Rate Sweep")
    assert "| 0.1 | Likely unstable |" in parent.description
    models = [trained_model(ml, c, tmp_path / c.execution_rid) for c in children]
    assert [(m["learning_rate"], m["epochs"]) for m in models] == [
        (0.0001, 3), (0.001, 3), (0.01, 3), (0.1, 3)]
    assert all(c.inputs["assets"]["Model"][0]["RID"] == catalogs.rids["resnet_weights"]
               for c in children)


def test_named_multirun_with_a_parameter_override(project, catalogs, tmp_path):
    # Override parameters from the multirun config
    result = run(project, "deriva-ml-run +multirun=lr_sweep model_config.epochs=5")

    children = sweep_children(catalogs.dev, result)
    models = [trained_model(catalogs.dev, c, tmp_path / c.execution_rid) for c in children]
    assert [(m["learning_rate"], m["epochs"]) for m in models] == [
        (0.0001, 5), (0.001, 5), (0.01, 5), (0.1, 5)]


def test_code_provenance(project, catalogs):
    model = project / "src" / "models" / "my_model.py"
    model.write_text(model.read_text() + "\n# Tuned for the training run.\n")

    run(project, "git add -A")
    run(project, 'git commit -m "Ready for training run"')
    # Skipped: `uv run bump-version patch` is a tool of the project template, not of DerivaML.
    result = run(project, "deriva-ml-run +experiment=quick_training")

    assert "uncommitted changes" not in result.stderr
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, capture_output=True,
                          text=True, check=True).stdout.strip()
    workflow = executed(catalogs.dev, result).workflow
    assert head in workflow.url and workflow.url.endswith("src/models/my_model.py")
    assert head.startswith(workflow.version)


def test_uncommitted_changes_warn(project):
    model = project / "src" / "models" / "my_model.py"
    model.write_text(model.read_text() + "\n# An uncommitted change.\n")
    try:
        result = run(project, "deriva-ml-run model_config=quick")
    finally:
        git(project, "checkout", "--", "src/models/my_model.py")

    assert "has uncommitted changes" in result.stderr
    assert "Uploaded" in result.stdout


# --------------------------------------------------------------------------- deriva-ml-run-notebook


def executed_notebook(ml: DerivaML, record: ExecutionRecord, name: str, folder: Path):
    notebook = output_text(ml, record, "Execution_Asset", name, folder)
    return nbformat.reads(notebook, as_version=4)


def cell_output(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []))


def injected_parameters(notebook) -> str:
    [cell] = [c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", [])]
    return cell.source


def test_notebook_with_default_configuration(project, catalogs, tmp_path):
    # Run with default configuration
    result = run(project, "deriva-ml-run-notebook notebooks/my_analysis.ipynb")

    ml = catalogs.dev
    record = executed(ml, result)
    assert [r["RID"] for r in record.inputs["assets"]["Model"]] == [
        catalogs.rids["comparison_weights"]]
    files = outputs(record, "Execution_Asset")
    assert {"my_analysis.ipynb", "my_analysis.md"} <= set(files)
    for name in ("my_analysis.ipynb", "my_analysis.md"):
        assert "Notebook_Output" in asset_types(ml, "Execution_Asset", files[name]["RID"])
    assert ml.catalog.url_for(record.execution_rid) in result.stdout
    notebook = executed_notebook(ml, record, "my_analysis.ipynb", tmp_path)
    printed = cell_output(notebook.cells[1])
    assert printed.startswith("0.5\n")
    assert re.search(r"^Asset: .*comparison\.pt$", printed, re.M)
    assert record.workflow.url.endswith("notebooks/my_analysis.ipynb")


def test_notebook_with_hydra_overrides(project, catalogs):
    before = execution_count(catalogs.dev)

    # Override Hydra config groups (positional overrides)
    result = run(project, "deriva-ml-run-notebook notebooks/my_analysis.ipynb "
                          "assets=different_weights deriva_ml=production")

    record = executed(catalogs.production, result)
    assert [r["RID"] for r in record.inputs["assets"]["Model"]] == [
        catalogs.rids["different_weights"]]
    assert "assets=different_weights" in record.description
    assert execution_count(catalogs.dev) == before


@pytest.mark.parametrize("command, learning_rate, epochs", [
    # Inject individual parameters
    ("deriva-ml-run-notebook notebooks/train.ipynb -p learning_rate 0.001 -p epochs 50",
     0.001, 50),
    # Load parameters from a file
    ("deriva-ml-run-notebook notebooks/train.ipynb --file params.yaml", 0.005, 7),
], ids=["-p", "--file"])
def test_notebook_parameters_injected(project, catalogs, tmp_path, command, learning_rate,
                                      epochs):
    result = run(project, command)

    ml = catalogs.dev
    record = executed(ml, result)
    injected = injected_parameters(executed_notebook(ml, record, "train.ipynb", tmp_path))
    assert f"learning_rate = {learning_rate}" in injected and f"epochs = {epochs}" in injected
    metrics = json.loads(output_text(ml, record, "Execution_Metadata", "train_metrics.json",
                                     tmp_path))
    assert (metrics["learning_rate"], metrics["epochs"]) == (learning_rate, epochs)


def test_notebook_inspect_shows_parameters(project, catalogs):
    before = execution_count(catalogs.dev)

    # Show notebook parameters (from the papermill parameters cell)
    result = run(project, "deriva-ml-run-notebook notebooks/train.ipynb --inspect")

    assert re.search(r"learning_rate\b.*0\.01", result.stdout)
    assert re.search(r"epochs\b.*10", result.stdout)
    assert execution_count(catalogs.dev) == before


def test_notebook_info_shows_config_groups(project):
    # Show available Hydra config groups
    result = run(project, "deriva-ml-run-notebook notebooks/my_analysis.ipynb --info")

    assert "  - comparison_weights: Weights to compare against." in result.stdout
    assert "  - my_analysis" in result.stdout
    assert "Notebook config used by my_analysis.ipynb: my_analysis" in result.stdout


def test_simple_notebook_configuration(project, tmp_path, catalogs):
    """The guide's first, simpler configs/my_analysis.py, checked with ``--cfg``."""
    copy = tmp_path / "my-project"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("__pycache__", ".git"))
    (copy / "src" / "configs" / "my_analysis.py").write_text(SIMPLE_MY_ANALYSIS.lstrip())

    result = run(copy, "deriva-ml-run-notebook notebooks/my_analysis.ipynb --cfg")

    config = yaml.safe_load(result.stdout)
    assert [d["rid"] for d in config["datasets"]["_args_"][0]] == [catalogs.rids["training"]]
    assert config["assets"]["_args_"][0] == [catalogs.rids["comparison_weights"]]


def test_install_kernel(kernels):
    # `uv sync` and `gh repo create ... --template ...` are skipped: they set up the project
    # with other tools. The kernel goes to a scratch prefix (hidden --prefix), not this venv.
    result = run(kernels, f"deriva-ml-install-kernel --prefix {kernels}")

    name = re.search(r"Installed Jupyter kernel '([^']+)'", result.stdout).group(1)
    spec = json.loads((kernels / "share/jupyter/kernels" / name / "kernel.json").read_text())
    assert Path(spec["argv"][0]).resolve() == Path(sys.executable).resolve()


def test_notebook_kernel_selection(project, catalogs, kernels):
    # Not installed yet: the run stops with a clear message before anything is recorded.
    before = execution_count(catalogs.dev)
    missing = run(project, "deriva-ml-run-notebook notebooks/train.ipynb --kernel my-ml-project",
                  ok=False)
    assert missing.returncode != 0
    assert "Jupyter kernel 'my-ml-project' is not installed" in missing.stderr
    assert execution_count(catalogs.dev) == before
    run(kernels, f"deriva-ml-install-kernel --name my-ml-project --prefix {kernels}")

    result = run(project, "deriva-ml-run-notebook notebooks/train.ipynb --kernel my-ml-project",
                 JUPYTER_PATH=str(kernels / "share" / "jupyter"))

    executed(catalogs.dev, result)


def test_notebook_streaming_output(project, catalogs):
    result = run(project, "deriva-ml-run-notebook notebooks/train.ipynb --log-output")

    assert "trained 10 epochs at lr=0.01" in result.stdout
    executed(catalogs.dev, result)


# --------------------------------------------------------------------------- the walkthrough


@pytest.fixture(scope="module")
def walkthrough(catalogs: SimpleNamespace, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``my-ml-project/`` with the configs and model of the guide's complete walkthrough, in
    a new git repository (as `gh repo create` would make it)."""
    root = tmp_path_factory.mktemp("walkthrough") / "my-ml-project"
    write_files(root / "src" / "configs", filled(WALKTHROUGH_CONFIGS, catalogs.rids))
    write_files(root / "src" / "models", filled(WALKTHROUGH_MODELS, catalogs.rids))
    write_files(root, {".gitignore": "__pycache__/\n"})
    git(root, "init", "-q")
    return root


def test_complete_walkthrough(walkthrough, catalogs):
    # Skipped: `deriva-globus-auth-utils login --host dev.example.org` (a DERIVA server login;
    # the local catalog needs none).
    # Verify configs
    info = run(walkthrough, "deriva-ml-run --info")
    assert "  - quick" in info.stdout and "  - training" in info.stdout
    before = execution_count(catalogs.dev)

    # Dry run
    dry = run(walkthrough, "deriva-ml-run dry_run=true")
    assert "the model is not run in a dry run" in dry.stdout  # as deriva-ml: no training
    assert execution_count(catalogs.dev) == before

    # Commit and run for real
    run(walkthrough, "git add -A")
    run(walkthrough, 'git commit -m "Initial model setup"')
    result = run(walkthrough, "deriva-ml-run model_config=quick datasets=training")

    assert "Training for 3 epochs at lr=0.001" in result.stdout
    record = executed(catalogs.dev, result)
    assert [(d["rid"], d["version"]) for d in record.inputs["datasets"]] == [
        (catalogs.rids["training"], "1.0.0")]
    assert record.workflow.url.endswith("src/models/classifier.py")
