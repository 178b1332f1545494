"""deriva-ml-run as a subprocess: listing, --cfg, error messages, and sweeps (with a
stand-in ML class, so no catalog is needed)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from derivaml_jupyter.config.overrides import (
    ConfigOverrideError,
    split_hydra_flags,
    validate_overrides,
)
from derivaml_jupyter.runners.run_model_cli import _expand_multiruns, _first_value


def events(tmp_path: Path) -> list[dict]:
    lines = (tmp_path / "home" / "events.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_info_lists_groups_options_descriptions_and_multiruns(model_project, run_cli):
    for flag in ("--info", "--list-configs"):
        r = run_cli(flag, cwd=model_project)
        assert r.returncode == 0, r.stderr
        out = r.stdout
        assert out.startswith("Available Hydra Configuration Groups:\n" + "=" * 50)
        for group in ("assets:", "datasets:", "deriva_ml:", "experiment:", "model_config:",
                      "workflow:", "Top-level configs:", "multirun:"):
            assert f"\n{group}\n" in out
        assert "  - training_data: Training dataset with 1000 labeled images." in out
        assert "  - quick_training: Quick training preset." in out
        assert "  - quick\n" in out and "  - deriva_model: Tiny model run" in out
        assert "  - lr_sweep: Learning Rate Sweep\n" in out
    assert not (model_project.parent / "home").exists()  # no catalog, no Hydra folders


def test_cfg_job_prints_resolved_config_with_overrides(model_project, run_cli):
    r = run_cli("--cfg", "job", "model_config=quick", "model_config.epochs=7",
                "datasets=training_data", "--catalog", "42", cwd=model_project)
    assert r.returncode == 0, r.stderr
    assert "learning_rate: 0.01\n  epochs: 7" in r.stdout
    assert "rid: 1-ABCD" in r.stdout and "catalog_id: '42'" in r.stdout
    assert "description: Tiny model run" in r.stdout
    assert not list(model_project.rglob("outputs")) and not (model_project / "multirun").exists()


def test_cfg_job_of_experiment_and_named_multirun(model_project, run_cli):
    r = run_cli("+experiment=quick_training", "--cfg", "job", cwd=model_project)
    assert r.returncode == 0, r.stderr
    assert "epochs: 3" in r.stdout and "description: Quick training preset." in r.stdout
    r = run_cli("+multirun=lr_sweep", "--cfg", "job", cwd=model_project)
    assert r.returncode == 0, r.stderr
    assert "learning_rate: 0.1\n" in r.stdout and "Learning Rate Sweep" in r.stdout


def test_unknown_option_lists_valid_ones(model_project, run_cli):
    r = run_cli("model_config=nope", cwd=model_project)
    assert r.returncode == 1
    assert "Unknown option 'nope' for config group 'model_config'. Valid options: " \
           "default_model, quick." in r.stderr
    r = run_cli("experment=quick_training", cwd=model_project)
    assert r.returncode == 1 and "did you mean 'experiment'?" in r.stderr


def test_unknown_multirun_lists_known_ones(model_project, run_cli):
    r = run_cli("+multirun=nope", cwd=model_project)
    assert r.returncode == 1
    assert "Unknown multirun config 'nope'. Known multirun configs: lr_sweep." in r.stderr


def test_malformed_override(model_project, run_cli):
    r = run_cli("quick", cwd=model_project)
    assert r.returncode == 1
    assert r.stderr.strip() == (
        "Error: 'quick' looks like a positional argument, but deriva-ml-run expects Hydra "
        "overrides in key=value form. Did you mean: model_config=quick or +experiment=quick ?")


def test_missing_config_dir_and_init(tmp_path, run_cli):
    r = run_cli(cwd=tmp_path)
    assert r.returncode == 1
    assert f"Error: Config directory not found: {tmp_path}/src/configs" in r.stderr
    (tmp_path / "src" / "configs").mkdir(parents=True)
    r = run_cli(cwd=tmp_path)
    assert r.returncode == 1 and "has no __init__.py; add one" in r.stderr


def test_missing_group_default(model_project, run_cli):
    path = model_project / "src" / "configs" / "my_model.py"
    path.write_text(path.read_text().replace('name="default_model"', 'name="base_model"'))
    r = run_cli("dry_run=true", cwd=model_project)
    assert r.returncode == 1
    assert "group 'model_config' has no default entry 'default_model'; register one with " \
           "store(..., group='model_config', name='default_model')" in r.stderr
    r = run_cli("--cfg", "job", "model_config=quick", cwd=model_project)
    assert r.returncode == 0, r.stderr  # an explicit choice needs no default


def test_run_with_stand_in_ml(fake_project, run_cli, tmp_path):
    r = run_cli("--config-name", "fake_model", "model_config=quick", "assets=resnet_weights",
                "--allow-dirty", "--host", "local", cwd=fake_project)
    assert r.returncode == 0, r.stderr
    assert "Committed 1 asset(s) to catalog:\n  Execution_Asset: 1" in r.stdout
    create = next(e for e in events(tmp_path) if e["event"] == "create")
    assert create["description"] == "Fake run [overrides: model_config=quick, " \
        "assets=resnet_weights, deriva_ml.hostname=local]"
    assert create["allow_dirty"] is True
    assert create["choices"]["model_config"] == "quick"
    assert "hydra/launcher" not in create["choices"]
    assert create["assets"] == ["6-EPNR", "6-EPNS"]
    assert create["source_path"] == str(fake_project / "src" / "models" / "my_model.py")
    runs = list((tmp_path / "home" / "work" / "hydra" / "runs").iterdir())
    assert len(runs) == 1 and (runs[0] / ".hydra" / "config.yaml").is_file()
    assert not (fake_project / "outputs").exists()


def check_sweep(tmp_path: Path, jobs: int) -> list[dict]:
    log = events(tmp_path)
    creates = [e for e in log if e["event"] == "create"]
    parent = creates[0]
    assert parent["description"] == "## Fake sweep\n\nTwo jobs."
    children = creates[1:]
    assert len(children) == jobs
    nests = sorted((e["sequence"], e["child"]) for e in log if e["event"] == "nest")
    assert all(e["parent"] == parent["rid"] for e in log if e["event"] == "nest")
    assert [s for s, _ in nests] == list(range(jobs))
    for seq, child in nests:
        desc = next(c["description"] for c in children if c["rid"] == child)
        assert desc.startswith(f"[Job {seq}] ## Fake sweep")
    uploads = [e["rid"] for e in log if e["event"] == "upload"]
    assert uploads.count(parent["rid"]) == 1 and uploads[-1] == parent["rid"]
    return log


def test_named_multirun_creates_one_parent(fake_project, run_cli, tmp_path):
    r = run_cli("--config-name", "fake_model", "+multirun=fake_sweep", cwd=fake_project)
    assert r.returncode == 0, r.stderr
    log = check_sweep(tmp_path, jobs=2)
    assert not any(e.get("allow_dirty") for e in log)
    assert f"Multirun parent execution: {log[1]['rid']}" in r.stdout


def test_joblib_launcher_runs_jobs_in_other_processes(fake_project, run_cli, tmp_path):
    r = run_cli("--config-name", "fake_model", "+multirun=fake_sweep", "hydra/launcher=joblib",
                "hydra.launcher.n_jobs=2", "model_config.epochs=1,2,3", cwd=fake_project)
    assert r.returncode == 0, r.stderr
    log = check_sweep(tmp_path, jobs=3)
    job_pids = {e["pid"] for e in log if e["event"] == "enter"}
    launcher_pid = log[-1]["pid"]
    assert launcher_pid not in job_pids


def test_argument_helpers():
    assert split_hydra_flags(["a=1", "--cfg", "job", "--resolve", "+b=2", "--info"]) == \
        (["a=1", "+b=2"], ["--cfg", "job", "--resolve", "--info"])
    assert _first_value("m.lr=0.1,0.2") == "m.lr=0.1" and _first_value("x='a,b'") == "x='a,b'"
    assert _expand_multiruns(["x=1"]) == (["x=1"], None)


def test_a_launcher_whose_plugin_is_missing_names_the_extra(monkeypatch):
    slurm = ["hydra/launcher=submitit_slurm"]
    validate_overrides(slurm, "deriva_model")  # installed with [test]: no error
    found = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None
                        if name == "hydra_plugins.hydra_submitit_launcher" else found(name, *a))
    with pytest.raises(ConfigOverrideError, match=r"pip install 'derivaml-jupyter\[slurm\]'"):
        validate_overrides(slurm, "deriva_model")
    validate_overrides(["hydra/launcher=joblib"], "deriva_model")  # not an optional plugin
