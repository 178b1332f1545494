"""deriva-ml's current config helpers, from deriva-ml's import paths: DerivaMLConfig's
fields, BaseConfig/DerivaBaseConfig/base_defaults, DerivaMLModel and script_config."""

from __future__ import annotations

import importlib
import logging
import warnings
from enum import Enum
from functools import partial

import pytest
from hydra_zen import builds, instantiate, store

import derivaml_jupyter.config as config
from derivaml_jupyter.config import (
    BaseConfig,
    DerivaMLConfig,
    DerivaMLModel,
    IgnoredConfigWarning,
    run_model,
)
from derivaml_jupyter.core import connection_mode
from derivaml_jupyter.execution.workflow import Workflow

from .test_run_model import stub_ml, tiny_model  # noqa: F401  (fixture)

# deriva-ml 1.54's DerivaMLConfig fields.
DERIVA_ML_FIELDS = {
    "hostname", "catalog_id", "domain_schemas", "default_schema", "project_name", "cache_dir",
    "working_dir", "hydra_runtime_output_dir", "ml_schema", "logging_level",
    "deriva_logging_level", "credential", "s3_bucket", "use_minid", "clean_execution_dir",
    "mode",
}


@pytest.mark.parametrize("module, name", [
    ("derivaml.core.config", "DerivaMLConfig"), ("derivaml.core", "DerivaMLConfig"),
    ("derivaml.execution", "DerivaBaseConfig"), ("derivaml.execution", "base_defaults"),
    ("derivaml.execution", "DerivaMLModel"), ("derivaml.execution", "DescribedList"),
    ("derivaml.execution", "get_notebook_configuration"), ("derivaml.execution", "MultirunSpec"),
    ("derivaml.execution", "get_multirun_config"), ("derivaml.execution", "list_multirun_configs"),
    ("derivaml.execution", "get_all_multirun_configs"), ("derivaml.execution", "BaseConfig"),
    ("derivaml.execution", "run_model"),
])
def test_deriva_ml_import_paths(module, name):
    assert getattr(importlib.import_module(module), name) is getattr(config, name)


@pytest.fixture
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(connection_mode, "_WARNED", set())
    level = logging.getLogger("deriva").level
    yield
    logging.getLogger("deriva").setLevel(level)


def test_every_deriva_ml_field_is_accepted(fresh_warnings):
    conf = builds(DerivaMLConfig, populate_full_signature=True)
    assert DERIVA_ML_FIELDS <= set(conf.__dataclass_fields__)
    cfg = instantiate(conf(hostname="local", catalog_id=3, domain_schemas="cifar",
                           hydra_runtime_output_dir="/tmp/hydra-run", logging_level=20,
                           deriva_logging_level="ERROR", use_minid=False, mode="online"))
    assert (cfg.catalog_id, cfg.domain_schema, cfg.default_schema) == ("3", "cifar", "cifar")
    assert cfg.hydra_runtime_output_dir == "/tmp/hydra-run"  # outside a Hydra job: kept
    assert logging.getLogger("deriva").level == logging.ERROR


def test_default_schema_and_mode(fresh_warnings):
    assert DerivaMLConfig(default_schema="eye_ai").domain_schema == "eye_ai"
    assert DerivaMLConfig(domain_schema="a", default_schema="a").domain_schema == "a"
    with pytest.raises(ValueError, match="domain_schema 'a' and default_schema 'b' disagree"):
        DerivaMLConfig(domain_schema="a", default_schema="b")

    class ConnectionMode(Enum):
        online = "online"

    assert DerivaMLConfig(mode=ConnectionMode.online).mode == "online"
    with pytest.raises(ValueError, match="mode must be 'online' or 'offline', not 'remote'"):
        DerivaMLConfig(mode="remote")


def test_settings_that_do_not_apply_warn_once_per_field(fresh_warnings):
    settings = dict(domain_schemas={"a", "b"}, default_schema="a", ml_schema="ml",
                    s3_bucket="s3://bags", use_minid=True, mode="offline")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = DerivaMLConfig(**settings)
        DerivaMLConfig(**settings)
    messages = [str(w.message) for w in caught if w.category is IgnoredConfigWarning]
    assert [m.split(" is ignored: ")[0] for m in messages] == [
        f"DerivaMLConfig.{f}" for f in
        ("domain_schemas", "ml_schema", "s3_bucket", "use_minid", "mode")]
    assert "schema 'deriva-ml'" in messages[1] and "hostname='local'" in messages[4]
    assert all(w.filename == __file__ for w in caught)  # points at the caller
    assert first.use_minid is False and first.domain_schema == "a"


def test_settings_deriva_ml_also_ignores_do_not_warn(fresh_warnings):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cfg = DerivaMLConfig(use_minid=False, ml_schema="deriva-ml", domain_schemas=["only"])
    assert cfg.use_minid is False and cfg.domain_schema == "only"


def test_base_config_and_deriva_base_config():
    assert config.base_defaults == [
        "_self_", {"deriva_ml": "default_deriva"}, {"datasets": "default_dataset"},
        {"assets": "default_asset"}, {"workflow": "default_workflow"},
        {"model_config": "default_model"}]
    assert BaseConfig().script_config is None and BaseConfig().config_choices == {}
    assert not [e for e in store if e["name"] == "deriva_base"]  # the project may store it
    assert config.DerivaBaseConfig._target_ == "derivaml_jupyter.config.base.BaseConfig"
    assert "script_config" in config.DerivaBaseConfig.__dataclass_fields__


def test_deriva_ml_model_protocol():
    assert isinstance(tiny_model, DerivaMLModel)
    assert not isinstance(42, DerivaMLModel)


def report(title="r", ml_instance=None, execution=None, calls=None):
    calls.append(execution)
    if execution is not None:
        execution.asset_file_path("Execution_Asset", "report.txt").write_text(title)


def test_script_config_runs_instead_of_the_model(stub_ml):  # noqa: F811
    calls = []
    run_model(DerivaMLConfig(), [], [], "Script", Workflow(name="w"),
              model_config=partial(tiny_model), ml_class=stub_ml,
              script_config=partial(report, calls=calls))
    (exe,) = stub_ml.created
    assert calls == [exe] and exe.events == ["enter", "stopped", "uploaded"]
    assert sorted(p.name for p in stub_ml.folder.iterdir()) == ["Execution_Asset-report.txt"]
    assert exe.config.workflow.source_path == __file__


def test_dry_run_previews_the_script_and_skips_the_model(stub_ml, capsys):  # noqa: F811
    calls = []
    run_model(DerivaMLConfig(), [], [], "Dry", Workflow(name="w"), partial(tiny_model),
              dry_run=True, ml_class=stub_ml, script_config=partial(report, calls=calls))
    assert calls == [None]
    run_model(DerivaMLConfig(), [], [], "Dry", Workflow(name="w"), partial(tiny_model),
              dry_run=True, ml_class=stub_ml)
    assert "the model is not run in a dry run" in capsys.readouterr().out
    assert not list(stub_ml.folder.iterdir())  # neither run wrote an output
    assert [e.events for e in stub_ml.created] == [["enter", "stopped"]] * 2
