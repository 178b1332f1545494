"""Fixtures: a tiny DerivaML project (src/configs + notebooks/) in a temporary folder."""

from __future__ import annotations

import contextlib
import copy
import sys
import textwrap
from pathlib import Path

import pytest

CONFIGS = {
    "__init__.py": '"""Test project configs."""\n',
    "deriva.py": """
        from hydra_zen import builds, store
        from derivaml_jupyter.config import DerivaMLConfig

        store(builds(DerivaMLConfig, populate_full_signature=True)(
            hostname="local", catalog_id="nbtest"), group="deriva_ml", name="default_deriva")
    """,
    "inputs.py": """
        from hydra_zen import store

        store([], group="datasets", name="default_dataset")
        store([], group="assets", name="default_asset")
    """,
    "report.py": """
        from dataclasses import dataclass
        from derivaml_jupyter.config import BaseConfig, notebook_config

        @dataclass
        class ReportConfig(BaseConfig):
            threshold: float = 0.5

        notebook_config("report", config_class=ReportConfig,
                        description="Plot and table report.")
    """,
}


def write_project(root: Path) -> Path:
    configs = root / "src" / "configs"
    configs.mkdir(parents=True)
    for name, text in CONFIGS.items():
        (configs / name).write_text(textwrap.dedent(text))
    (root / "notebooks").mkdir()
    return root


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder; ``configs`` modules are unloaded afterwards."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    for var in ("DERIVA_ML_NOTEBOOK_PATH", "PAPERMILL_INPUT_PATH", "JPY_SESSION_NAME",
                "DERIVA_ML_HYDRA_OVERRIDES", "DERIVA_ML_SAVE_EXECUTION_RID"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    _unload_configs()
    with _restored_store():
        yield write_project(tmp_path / "proj")
    _unload_configs()


@contextlib.contextmanager
def _restored_store():
    """Undo what the project's config modules register in the global hydra-zen store."""
    from hydra_zen import store

    from derivaml_jupyter.config import notebook

    repo, queue = dict(store._internal_repo), copy.copy(store._queue)
    notebooks = dict(notebook._NOTEBOOK_CONFIGS)
    try:
        yield
    finally:
        store._internal_repo.clear()
        store._internal_repo.update(repo)
        store._queue = queue
        notebook._NOTEBOOK_CONFIGS.clear()
        notebook._NOTEBOOK_CONFIGS.update(notebooks)


def _unload_configs() -> None:
    for name in [m for m in sys.modules if m == "configs" or m.startswith("configs.")]:
        del sys.modules[name]
