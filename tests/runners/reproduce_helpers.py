"""What the ``derivaml reproduce`` tests share: a git repository to commit a project to, a
dataset its configs choose, and the console scripts run in a subprocess."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from derivaml_jupyter.core.definitions import MLVocab

REPO_ROOT = Path(__file__).resolve().parents[2]
# A config module choosing the dataset at its current version: ``datasets=current_images``.
PINNED_DATASETS = '''
from hydra_zen import store
from derivaml.dataset import DatasetSpecConfig

store([DatasetSpecConfig(rid="{rid}")], group="datasets", name="current_images")
'''


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
                          cwd=root, check=True, capture_output=True, text=True).stdout


def commit_project(root: Path, ml) -> Path:
    """Add the ``current_images`` choice of a new dataset of ``ml`` (its RID kept as
    ``ml.images``, version 0.1.0) to the project's configs and commit the project to a new
    git repository."""
    ml.add_term(MLVocab.dataset_type, "Images", "Images a run reads")
    ml.images = ml.create_dataset("Images", description="images").dataset_rid
    (root / "src/configs/pinned.py").write_text(PINNED_DATASETS.format(rid=ml.images))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the project")
    return root


def run_module(module: str, *args: str, cwd: Path, target: tuple[str, str],
               extra_path: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m derivaml_jupyter.<module> ARGS --host H --catalog C`` in ``cwd`` with this
    process's DERIVAML_HOME; ``extra_path`` joins PYTHONPATH."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("DERIVA_ML_") and k != "JPY_SESSION_NAME"}
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (REPO_ROOT, extra_path) if p)
    return subprocess.run([sys.executable, "-m", f"derivaml_jupyter.{module}", *args,
                           "--host", target[0], "--catalog", target[1]],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=400)


def recorded_rid(stdout: str) -> str:
    """The execution a runner's output names."""
    return re.search(r"^Execution (\S+): ", stdout, re.M)[1]


def reproduced_rid(result: subprocess.CompletedProcess) -> str:
    """The new execution of a successful ``reproduce``."""
    assert result.returncode == 0, result.stdout + result.stderr
    return re.search(r"^Reproduction of \S+: execution (\S+),", result.stdout, re.M)[1]
