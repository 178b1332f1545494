"""Fixtures of the config-layer tests: a throwaway model project and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from .project_files import CONFIGS, FAKE_CONFIG, FAKE_ML, MODELS

REPO_ROOT = Path(__file__).resolve().parents[2]


def write_package(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text.lstrip("\n"))


@pytest.fixture
def model_project(tmp_path: Path) -> Path:
    """A project folder with ``src/configs`` (all five groups, an experiment and a named
    multirun) and ``src/models`` (a tiny model writing one output file)."""
    project = tmp_path / "project"
    write_package(project / "src" / "configs", CONFIGS)
    write_package(project / "src" / "models", MODELS)
    return project


@pytest.fixture
def fake_project(model_project: Path) -> Path:
    """``model_project`` plus a top-level config ``fake_model`` whose ``ml_class`` is a
    stand-in recording its calls in ``$DERIVAML_HOME/events.jsonl``."""
    write_package(model_project / "src" / "models", {"fake_ml.py": FAKE_ML})
    write_package(model_project / "src" / "configs", {"fake.py": FAKE_CONFIG})
    return model_project


@pytest.fixture
def run_cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess]:
    """Run ``deriva-ml-run`` in a subprocess with ``DERIVAML_HOME`` in ``tmp_path``."""

    def run(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
        env = dict(os.environ, DERIVAML_HOME=str(tmp_path / "home"), HYDRA_FULL_ERROR="0")
        env["PYTHONPATH"] = os.pathsep.join(
            [str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
        return subprocess.run(
            [sys.executable, "-m", "derivaml_jupyter.runners.run_model_cli", *args],
            cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout,
        )

    return run
