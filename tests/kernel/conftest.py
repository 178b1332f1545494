"""Fixtures of the kernel-side tests: a real local catalog with one dataset, a throwaway
project whose ``src/configs`` offer that dataset, and an IPython shell with the extension."""

from __future__ import annotations

import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from derivaml_jupyter.ml import DerivaML

CATALOG_ID = "kernel"
NOTEBOOK_VARS = ("DERIVA_ML_NOTEBOOK_PATH", "PAPERMILL_INPUT_PATH", "JPY_SESSION_NAME",
                 "DERIVA_ML_HYDRA_OVERRIDES", "DERIVA_ML_SAVE_EXECUTION_RID")

CONFIGS = {
    "__init__.py": "",
    "deriva.py": """
        from hydra_zen import builds, store
        from derivaml import DerivaMLConfig

        store(builds(DerivaMLConfig, populate_full_signature=True)(
            hostname="{host}", catalog_id="{catalog}"), group="deriva_ml",
            name="default_deriva")
    """,
    "datasets.py": """
        from hydra_zen import store
        from derivaml import DatasetSpecConfig, with_description

        store([], group="datasets", name="default_dataset")
        store(with_description([DatasetSpecConfig(rid="{rid}", version="{version}")],
                               "Two subjects."), group="datasets", name="subjects")
    """,
    "assets.py": """
        from hydra_zen import store

        store([], group="assets", name="default_asset")
    """,
    "analysis.py": """
        from dataclasses import dataclass
        from derivaml import BaseConfig, notebook_config

        @dataclass
        class AnalysisConfig(BaseConfig):
            threshold: float = 0.5

        notebook_config("analysis", config_class=AnalysisConfig, description="Analysis.")
    """,
}


@dataclass
class Project:
    root: Path
    ml: DerivaML
    dataset: str
    version: str


@pytest.fixture
def project(tmp_path, monkeypatch, remote_catalog) -> Project:
    """A catalog ``local/kernel`` (in a ``real_server`` test's second run: a fresh catalog of
    DERIVAML_TEST_HOST) with a Subject dataset, and a project folder (the working directory)
    whose ``deriva_ml`` config names that catalog and whose ``datasets=subjects`` option is
    that dataset. Config modules loaded by the test are unloaded, and the config store
    restored, afterwards."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    for var in NOTEBOOK_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))
    ml = DerivaML(*(remote_catalog or ("local", CATALOG_ID)))
    ml.create_table("Subject", {"Name": "text"})
    ml.add_dataset_element_type("Subject")
    subjects = ml.insert_rows("Subject", [{"Name": "a"}, {"Name": "b"}])
    dataset = ml.create_dataset("Training", description="subjects")
    dataset.add_dataset_members([s["RID"] for s in subjects])
    version = str(dataset.current_version)
    root = tmp_path / "project"
    configs = root / "src" / "configs"
    configs.mkdir(parents=True)
    for name, text in CONFIGS.items():
        for key, value in {"rid": dataset.dataset_rid, "version": version,
                           "host": ml.hostname, "catalog": ml.catalog_id}.items():
            text = text.replace(f"{{{key}}}", value)
        (configs / name).write_text(textwrap.dedent(text))
    (root / "notebooks").mkdir()
    monkeypatch.chdir(root / "notebooks")
    with _isolated_configs():
        yield Project(root, ml, dataset.dataset_rid, version)


class _isolated_configs:
    """Put back the hydra-zen store and the notebook-config registry as they were, and
    forget the imported ``configs`` package, so the next test loads its own project."""

    def __enter__(self) -> None:
        from hydra_zen import store

        from derivaml_jupyter.config import notebook

        self.saved = (dict(store._internal_repo), list(store._queue),
                      dict(notebook._NOTEBOOK_CONFIGS))

    def __exit__(self, *exc: object) -> None:
        from hydra_zen import store

        from derivaml_jupyter.config import notebook

        repo, queue, notebooks = self.saved
        store._internal_repo.clear()
        store._internal_repo.update(repo)
        store._queue = type(store._queue)(queue)
        notebook._NOTEBOOK_CONFIGS.clear()
        notebook._NOTEBOOK_CONFIGS.update(notebooks)
        for name in [m for m in sys.modules if m == "configs" or m.startswith("configs.")]:
            del sys.modules[name]


@pytest.fixture
def shell(project):
    """The process's IPython shell with ``%load_ext derivaml`` done and a clean namespace."""
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    ip.run_line_magic("load_ext", "derivaml")
    yield ip
    for name in ("ml", "execution", "config"):
        ip.user_ns.pop(name, None)
    ip.run_line_magic("unload_ext", "derivaml")
