"""deriva-ml's public model template (its src/ and its own tests), with only ``deriva_ml``
imports rewritten to ``derivaml``, imports, passes its tests, composes and dry-runs here.

The template comes from a bare git mirror (``DERIVAML_TEMPLATE_MIRROR``, default
``/work/.mirror/informatics-isi-edu+deriva-ml-model-template/repo``); without it the tests
skip. ML libraries the template's models import and this environment lacks (torch,
torchvision) are replaced by tiny stand-ins on ``PYTHONPATH``; dry runs never call them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO_ROOT

pytestmark = pytest.mark.slow

MIRROR = Path(os.environ.get(
    "DERIVAML_TEMPLATE_MIRROR",
    "/work/.mirror/informatics-isi-edu+deriva-ml-model-template/repo"))
TEMPLATE_PATHS = ["src", "tests"]
IMPORT = re.compile(r"^(\s*)(from|import)(\s+)deriva_ml(?=[\s.])", re.MULTILINE)

# Any attribute of a stand-in module is a class; any attribute of that class, instance or
# call result is again usable, so module-level model code (nn.Module subclasses,
# transforms.Compose([...])) runs.
STAND_IN = '''
class _AnyType(type):
    def __getattr__(cls, name):
        return cls


class Anything(metaclass=_AnyType):
    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        return self


def __getattr__(name):
    return Anything
'''
STAND_INS = {
    "torch": ["torch/__init__.py", "torch/nn/__init__.py", "torch/nn/functional.py",
              "torch/optim.py", "torch/utils/__init__.py", "torch/utils/data.py"],
    "torchvision": ["torchvision/__init__.py"],
    "PIL": ["PIL/__init__.py", "PIL/Image.py"],
}

COMPOSE = '''
import json, sys
sys.path.insert(0, "src")
from hydra import compose, initialize
from hydra_zen import store
from derivaml.execution import load_configs
from derivaml_jupyter.config import render_notebook_config

loaded = load_configs("configs")
store.add_to_hydra_store(overwrite_ok=True)
experiments = sorted(e["name"] for e in store if e["group"] == "experiment")
composed = {}
with initialize(version_base="1.3", config_path=None):
    for name in ["", *experiments]:
        cfg = compose("deriva_model", [f"+experiment={name}"] if name else [])
        composed[name or "default"] = {
            "model": cfg.model_config.get("_zen_target", cfg.model_config._target_),
            "epochs": cfg.model_config.epochs,
            "script_config": cfg.script_config,
            "description": cfg.description, "host": cfg.deriva_ml.hostname}
notebooks = {n: "show_per_class: true" in render_notebook_config(n, [])
             for n in ["roc_lr_sweep_localhost", "roc_e2e_localhost", "roc_e2e_localhost_46"]}
print(json.dumps({"loaded": loaded, "composed": composed, "notebooks": notebooks}))
'''


def git(*args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(MIRROR), *args], capture_output=True,
                          text=True, check=True).stdout


def extract_template(dest: Path) -> None:
    """Copy the template's sources and tests into ``dest``, rewriting the
    ``deriva_ml`` imports of every Python file to ``derivaml``."""
    for name in git("ls-tree", "-r", "--name-only", "HEAD", "--", *TEMPLATE_PATHS).split():
        text = git("show", f"HEAD:{name}")
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text(IMPORT.sub(r"\1\2\3derivaml", text) if name.endswith(".py")
                                 else text)


def write_stand_ins(dest: Path) -> list[str]:
    """Stand-ins for the ML packages not installed here; returns their names."""
    missing = [name for name in STAND_INS if importlib.util.find_spec(name) is None]
    for name in missing:
        for file in STAND_INS[name]:
            (dest / file).parent.mkdir(parents=True, exist_ok=True)
            (dest / file).write_text(STAND_IN)
    return missing


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    if not (MIRROR / "HEAD").is_file():
        pytest.skip(f"no git mirror of deriva-ml-model-template at {MIRROR} "
                    "(set DERIVAML_TEMPLATE_MIRROR)")
    project = tmp_path_factory.mktemp("template")
    extract_template(project)
    write_stand_ins(project / "stand_ins")
    return project


@pytest.fixture
def run(template: Path, tmp_path: Path):
    """Run a Python command in the template project (its ``src`` importable, as when it is
    installed), with a fresh ``DERIVAML_HOME``."""

    def run_python(*args: str) -> subprocess.CompletedProcess:
        env = dict(os.environ, DERIVAML_HOME=str(tmp_path / "home"), HYDRA_FULL_ERROR="0",
                   PYTHONPATH=os.pathsep.join([str(template / "stand_ins"), str(template / "src"),
                                               str(REPO_ROOT)]))
        return subprocess.run([sys.executable, *args], cwd=template, env=env,
                              capture_output=True, text=True, timeout=300)

    return run_python


def deriva_ml_run(run, *args: str) -> subprocess.CompletedProcess:
    return run("-m", "derivaml_jupyter.runners.run_model_cli", *args)


def test_only_imports_are_rewritten(template):
    rewritten = (template / "src/configs/base.py").read_text()
    original = git("show", "HEAD:src/configs/base.py")
    assert rewritten == original.replace("from deriva_ml", "from derivaml")
    assert '{"deriva_ml": "default_deriva"}' in rewritten  # the group name is untouched


def test_configs_load_and_compose(run, template):
    r = run("-c", COMPOSE)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.splitlines()[-1])
    modules = {".".join(p.relative_to(template / "src").with_suffix("").parts)
               for p in (template / "src/configs").rglob("*.py") if p.name != "__init__.py"}
    assert set(out["loaded"]) == modules | {"configs.dev"}
    composed = out["composed"]
    assert set(composed) == {"default", "cifar10_quick", "cifar10_default", "cifar10_extended",
                             "cifar10_quick_full", "cifar10_extended_full", "cifar10_test_only"}
    assert {c["model"] for c in composed.values()} == {"models.cifar10_cnn.cifar10_cnn"}
    assert composed["default"]["epochs"] == 10 and composed["cifar10_quick"]["epochs"] == 3
    assert composed["cifar10_quick"]["description"].startswith("Quick CIFAR-10 training")
    assert all(c["script_config"] is None and c["host"] == "localhost"
               for c in composed.values())
    assert out["notebooks"] == dict.fromkeys(
        ["roc_lr_sweep_localhost", "roc_e2e_localhost", "roc_e2e_localhost_46"], True)


def test_every_source_module_imports(run, template):
    modules = sorted(".".join(p.relative_to(template / "src").with_suffix("").parts[:-1]
                              if p.name == "__init__.py" else
                              p.relative_to(template / "src").with_suffix("").parts)
                     for p in (template / "src").rglob("*.py"))
    assert len(modules) >= 28
    r = run("-c", f"import importlib\nfor m in {modules!r}: importlib.import_module(m)")
    assert r.returncode == 0, r.stderr


def test_templates_own_tests_pass(run, template):
    r = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", ".", "tests")
    assert r.returncode == 0, r.stdout + r.stderr
    tests = sum(len(re.findall(r"^def test_", p.read_text(), re.MULTILINE))
                for p in (template / "tests").glob("test_*.py"))
    assert tests >= 22 and f"{tests} passed" in r.stdout


def test_info(run):
    r = deriva_ml_run(run, "--info")
    assert r.returncode == 0, r.stderr
    for line in ["  - default_deriva: Placeholder connection.",
                 "  - cifar10_quick: Quick CIFAR-10 training: 3 epochs, 32->64 chann...",
                 "  - deriva_model: Simple model run",
                 "  - lr_sweep: Learning Rate Hyperparameter Sweep",
                 "  - roc_lr_sweep_localhost: ROC analysis on localhost 1407"]:
        assert line in r.stdout


def test_dry_runs_on_a_local_catalog(run, tmp_path, monkeypatch):
    from derivaml_jupyter.ml import DerivaML

    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    ml = DerivaML("local", "template")  # what the template's loader would have added:
    ml.add_term("Workflow_Type", "Image Classification", description="Image classifiers.")
    target = ["--host", "local", "--catalog", "template"]
    for args in [["dry_run=true"], ["+experiment=cifar10_quick", "dry_run=true"],
                 ["+multirun=quick_vs_extended", "dry_run=true"]]:
        r = deriva_ml_run(run, *target, *args)
        assert r.returncode == 0, r.stderr
        assert "the model is not run in a dry run" in r.stdout
    assert r.stdout.count("the model is not run in a dry run") == 2  # one per sweep job
    assert len(ml.find_executions()) == 0
