"""A project using deriva-ml's current config helpers runs on the embedded catalog:
``--info``, a script_config experiment, dry runs, deriva-ml-only connection fields and
``get_notebook_configuration``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .compat_project import CONFIGS, GET_NOTEBOOK_CONFIGURATION, MODELS
from .conftest import REPO_ROOT, write_package

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = tmp_path / "compat"
    write_package(project / "src" / "configs", CONFIGS)
    write_package(project / "src" / "models", MODELS)
    return project


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch):
    """Open the local catalog ``compat`` the runs write to."""

    def open_catalog():
        from derivaml_jupyter.ml import DerivaML

        monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
        return DerivaML("local", "compat")

    return open_catalog


def test_info_lists_the_script_group(project, run_cli):
    r = run_cli("--info", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "script_config:\n  - report" in r.stdout
    assert "Top-level configs:\n  - analysis: Compat analysis\n  - deriva_model: Compat run" \
        in r.stdout
    assert "multirun:\n  - epochs: Epochs" in r.stdout


def test_script_config_runs_instead_of_the_model(project, run_cli, catalog):
    r = run_cli("+experiment=report", "--allow-dirty", cwd=project)
    assert r.returncode == 0, r.stderr
    ml = catalog()
    assert len(ml.find_executions()) == 1
    rid = re.search(r"^Execution (\S+): Uploaded", r.stdout, re.MULTILINE).group(1)
    record = ml.lookup_execution(rid)
    assert record.status == "Uploaded"
    assert record.workflow.url.endswith("src/models/report.py")
    assert [a["Filename"] for a in record.outputs["assets"]["Execution_Asset"]] == ["report.txt"]
    assert record.description.startswith("Write the report. [overrides: +experiment=report")
    assert ml.domain_schema == "compat"  # default_schema made the run's domain schema


def test_dry_run_previews_the_script_and_skips_the_model(project, run_cli, catalog):
    r = run_cli("+experiment=report", "dry_run=true", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "preview: Compat report in schema compat" in r.stdout
    r = run_cli("dry_run=true", cwd=project)
    assert r.returncode == 0, r.stderr
    assert "the model is not run in a dry run" in r.stdout
    assert len(catalog().find_executions()) == 0


def test_deriva_ml_only_fields_warn_once_per_process(project, run_cli, monkeypatch):
    monkeypatch.setenv("PYTHONWARNINGS", "always")  # so only our own bookkeeping dedupes
    r = run_cli("--multirun", "deriva_ml=deriva_ml_only", "model_config.epochs=1,2",
                "dry_run=true", cwd=project)
    assert r.returncode == 0, r.stderr
    for field in ("domain_schemas", "s3_bucket", "use_minid", "mode"):
        assert r.stderr.count(f"IgnoredConfigWarning: DerivaMLConfig.{field} is ignored:") == 1
    assert "ml_schema is ignored" not in r.stderr  # the value deriva-ml uses too
    assert r.stdout.count("the model is not run in a dry run") == 2


def test_get_notebook_configuration(project, tmp_path):
    env = dict(os.environ, DERIVAML_HOME=str(tmp_path / "home"), PYTHONPATH=str(REPO_ROOT),
               DERIVA_ML_HYDRA_OVERRIDES=json.dumps(["assets=weights", "threshold=0.7"]))
    r = subprocess.run([sys.executable, "-c", GET_NOTEBOOK_CONFIGURATION, "threshold=0.9"],
                       cwd=project, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.splitlines()[-1])
    assert out["type"] == "AnalysisConfig" and out["threshold"] == 0.9  # explicit wins
    assert out["assets"] == ["6-EPNR"] and out["described"]
    assert out["assets_description"] == "Pretrained weights."
    assert out["schema"] == "compat"
    assert out["choices"] == {"deriva_ml": "default_deriva", "datasets": "default_dataset",
                              "assets": "weights"}
