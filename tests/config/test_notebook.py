"""Notebook configs resolved the way run_notebook() resolves them (in a fresh process, since
the config store is process-wide)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from .conftest import REPO_ROOT

SCRIPT = """
import json, sys
sys.path.insert(0, "src")
from derivaml_jupyter.config import load_configs, resolve_notebook_config, render_notebook_config
load_configs("configs")
mode, name, *overrides = sys.argv[1:]
if mode == "render":
    print(render_notebook_config(name, overrides))
else:
    cfg, run_dir, choices = resolve_notebook_config(name, overrides)
    print(json.dumps({
        "type": type(cfg).__name__, "threshold": getattr(cfg, "threshold", None),
        "num_samples": getattr(cfg, "num_samples", None), "description": cfg.description,
        "catalog_id": cfg.deriva_ml.catalog_id, "datasets": [d.rid for d in cfg.datasets],
        "dataset_description": getattr(cfg.datasets, "description", None),
        "assets": [getattr(a, "rid", a) for a in cfg.assets], "run_dir": str(run_dir),
        "hydra_dir": cfg.deriva_ml.hydra_runtime_output_dir, "choices": choices,
        "config_choices": cfg.config_choices}))
"""


def resolve(project: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DERIVAML_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO_ROOT))
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], cwd=project, env=env,
                          capture_output=True, text=True, timeout=120)


def test_resolve_notebook_config(model_project, tmp_path):
    r = resolve(model_project, tmp_path, "resolve", "my_analysis", "assets=resnet_weights",
                "threshold=0.9", "deriva_ml=other_catalog")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.splitlines()[-1])
    assert out["type"] == "MyAnalysisConfig"
    assert (out["threshold"], out["num_samples"]) == (0.9, 7)
    assert out["description"] == "Analysis of things"
    assert out["catalog_id"] == "othercat"
    assert out["datasets"] == ["1-ABCD"]
    assert out["dataset_description"] == "Training dataset with 1000 labeled images."
    assert out["assets"] == ["6-EPNR", "6-EPNS"]
    assert out["choices"] == out["config_choices"] == {
        "deriva_ml": "other_catalog", "datasets": "training_data", "assets": "resnet_weights"}
    run_dir = Path(out["run_dir"])
    assert run_dir.is_relative_to(tmp_path / "home" / "work" / "hydra" / "notebooks")
    assert out["hydra_dir"] == str(run_dir)
    assert (run_dir / ".hydra" / "overrides.yaml").is_file()
    assert (run_dir / "notebook.log").is_file()


def test_unknown_notebook_gets_the_base_config(model_project, tmp_path):
    r = resolve(model_project, tmp_path, "resolve", "no_such_notebook")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.splitlines()[-1])
    assert out["type"] == "BaseConfig" and out["datasets"] == [] and out["assets"] == []


def test_bad_override_and_render(model_project, tmp_path):
    r = resolve(model_project, tmp_path, "resolve", "my_analysis", "assets=nope")
    assert r.returncode == 1
    assert "Unknown option 'nope' for config group 'assets'" in r.stderr
    r = resolve(model_project, tmp_path, "render", "my_analysis", "threshold=0.25")
    assert r.returncode == 0, r.stderr
    assert "threshold: 0.25" in r.stdout and "rid: 1-ABCD" in r.stdout
    assert not (tmp_path / "home").exists()  # rendering runs no Hydra job
