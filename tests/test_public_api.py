"""The public ``derivaml`` package: the import paths the seeds' code uses (with
``deriva_ml`` spelled ``derivaml``) resolve, and importing it loads nothing heavy."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from derivaml._lazy import EXPORTS

SEED_IMPORTS = [
    ("derivaml", "DerivaML"), ("derivaml", "DerivaMLConfig"),
    ("derivaml.execution", "ExecutionConfiguration"), ("derivaml.execution", "Workflow"),
    ("derivaml.execution", "Execution"), ("derivaml.execution", "with_description"),
    ("derivaml.execution", "create_model_config"), ("derivaml.execution", "notebook_config"),
    ("derivaml.execution", "BaseConfig"), ("derivaml.execution", "multirun_config"),
    ("derivaml.execution", "run_notebook"), ("derivaml.dataset", "DatasetSpecConfig"),
    ("derivaml.dataset.aux_classes", "DatasetSpec"), ("derivaml.core.definitions", "Status"),
]


@pytest.mark.parametrize("module, name", SEED_IMPORTS)
def test_seed_import_paths_resolve(module, name):
    public = getattr(importlib.import_module(module), name)
    implementation = getattr(importlib.import_module(EXPORTS[name]), name)
    assert public is implementation


def test_every_export_resolves():
    import derivaml

    missing = [n for n in derivaml.__all__ if not hasattr(derivaml, n)]
    assert not missing


def test_unknown_name_is_an_attribute_error():
    import derivaml

    with pytest.raises(AttributeError, match="NoSuchThing"):
        derivaml.NoSuchThing  # noqa: B018


def test_import_derivaml_loads_no_heavy_library():
    code = ("import sys, json, derivaml; print(json.dumps(sorted(m for m in "
            "('pandas', 'hydra', 'hydra_zen', 'papermill', 'nbconvert', 'bdbag', 'deriva', "
            "'tornado', 'ipywidgets', 'sqlite3') if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert json.loads(out) == []
