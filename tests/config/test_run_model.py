"""run_model and create_model_config, called directly (outside Hydra) with a stand-in ML."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from hydra_zen import to_yaml

from derivaml_jupyter.config import DerivaMLConfig, create_model_config, run_model
from derivaml_jupyter.config.hydra_job import HydraJob, config_choices, describe_run
from derivaml_jupyter.execution.workflow import Workflow


class StubExecution:
    def __init__(self, config, dry_run, folder: Path):
        self.config, self.dry_run, self.folder = config, dry_run, folder
        self.execution_rid = "1-EXEC"
        self.events: list[str] = []

    def __enter__(self):
        self.events.append("enter")
        return self

    def __exit__(self, *exc):
        self.events.append("failed" if exc[0] else "stopped")
        return False

    def asset_file_path(self, asset_name, file_name):
        return self.folder / f"{asset_name}-{file_name}"

    def upload_execution_outputs(self):
        self.events.append("uploaded")
        return {"Execution_Asset": [p for p in self.folder.iterdir()]}


class StubML:
    created: list[StubExecution] = []
    folder: Path
    hostname, catalog_id = "local", "stub"

    @classmethod
    def instantiate(cls, config):
        assert isinstance(config, DerivaMLConfig)
        return cls()

    def create_execution(self, config, dry_run=False):
        exe = StubExecution(config, dry_run, self.folder)
        StubML.created.append(exe)
        return exe


def tiny_model(scale: float = 1.0, ml_instance=None, execution=None):
    execution.asset_file_path("Execution_Asset", "out.txt").write_text(f"{scale}")


@pytest.fixture
def stub_ml(tmp_path: Path):
    StubML.created = []
    StubML.folder = tmp_path
    return StubML


def test_run_model_runs_and_uploads(stub_ml, capsys):
    rid = run_model(DerivaMLConfig(), datasets=["1-ABCD@1.0.0"], assets=["6-EPNR"],
                    description="Direct run", workflow=Workflow(name="w"),
                    model_config=partial(tiny_model, scale=2.0), ml_class=stub_ml)
    (exe,) = stub_ml.created
    assert rid == "1-EXEC"
    assert exe.events == ["enter", "stopped", "uploaded"]
    assert exe.config.description == "Direct run"
    assert exe.config.datasets[0].rid == "1-ABCD" and exe.config.assets[0].rid == "6-EPNR"
    assert exe.config.workflow.source_path == __file__
    assert (stub_ml.folder / "Execution_Asset-out.txt").read_text() == "2.0"
    assert "Committed 1 asset(s) to catalog:\n  Execution_Asset: 1" in capsys.readouterr().out


def test_dry_run_skips_upload(stub_ml, capsys):
    run_model(DerivaMLConfig(), [], [], "Dry", Workflow(name="w"), partial(tiny_model),
              dry_run=True, ml_class=stub_ml)
    (exe,) = stub_ml.created
    assert exe.dry_run is True and exe.events == ["enter", "stopped"]
    assert "Committed" not in capsys.readouterr().out


def test_model_failure_propagates_marks_failed_and_uploads_partial_outputs(stub_ml):
    def broken(ml_instance=None, execution=None):
        raise RuntimeError("diverged")

    with pytest.raises(RuntimeError, match="diverged"):
        run_model(DerivaMLConfig(), [], [], "x", Workflow(name="w"), broken, ml_class=stub_ml)
    assert stub_ml.created[0].events == ["enter", "failed", "uploaded"]


def test_describe_run_and_choices():
    job = HydraJob(overrides=["model_config=quick", "description='x y'", "+experiment=e"],
                   multirun=True, num=3)
    assert describe_run("Base", job) == \
        "[Job 3] Base [overrides: model_config=quick, +experiment=e]"
    assert describe_run("Base", HydraJob()) == "Base"
    assert config_choices({"model_config": "quick", "hydra/launcher": "basic",
                           "experiment": None}) == {"model_config": "quick"}


def test_create_model_config_wires_the_five_groups():
    conf = create_model_config(StubML, description="My model")
    text = to_yaml(conf)
    for group, option in [("deriva_ml", "default_deriva"), ("datasets", "default_dataset"),
                          ("assets", "default_asset"), ("workflow", "default_workflow"),
                          ("model_config", "default_model")]:
        assert f"{group}: {option}" in text
        assert f"{group}: ???" in text
    assert "description: My model" in text and f"path: {__name__}.StubML" in text
