"""load_configs: import order, subpackages, and the errors for a missing or bare package."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

from derivaml_jupyter.config import ConfigDiscoveryError, load_configs
from derivaml_jupyter.config.discovery import config_package_of

RECORD = "import {root}\n{root}.ORDER.append(__name__)\n"


@pytest.fixture
def on_path(tmp_path: Path):
    sys.path.insert(0, str(tmp_path))
    yield tmp_path
    sys.path.remove(str(tmp_path))


def test_modules_load_alphabetically_with_experiments_last(on_path: Path):
    root = f"cfg_{uuid.uuid4().hex[:8]}"
    pkg = on_path / root
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("ORDER = []\n")
    for name in ("experiments", "zeta", "alpha", "multiruns"):
        (pkg / f"{name}.py").write_text(RECORD.format(root=root))
    (pkg / "sub" / "__init__.py").write_text("")
    for name in ("experiments", "beta"):
        (pkg / "sub" / f"{name}.py").write_text(RECORD.format(root=root))

    loaded = load_configs(root)

    order = [name.removeprefix(root + ".") for name in sys.modules[root].ORDER]
    assert order == ["sub.beta", "sub.experiments", "alpha", "multiruns", "zeta", "experiments"]
    assert loaded == [f"{root}.sub", *(f"{root}.{n}" for n in order)]


def test_missing_package_is_a_clear_error():
    with pytest.raises(ConfigDiscoveryError, match="Config package 'no_such_configs_pkg' not"):
        load_configs("no_such_configs_pkg")


def test_folder_without_init_is_a_clear_error(on_path: Path):
    root = f"cfg_{uuid.uuid4().hex[:8]}"
    (on_path / root).mkdir()
    (on_path / root / "deriva.py").write_text("")
    with pytest.raises(ConfigDiscoveryError, match="has no __init__.py; add one"):
        load_configs(root)


def test_import_errors_of_config_modules_propagate(on_path: Path):
    root = f"cfg_{uuid.uuid4().hex[:8]}"
    (on_path / root).mkdir()
    (on_path / root / "__init__.py").write_text("")
    (on_path / root / "broken.py").write_text("import not_a_real_module_xyz\n")
    with pytest.raises(ModuleNotFoundError, match="not_a_real_module_xyz"):
        load_configs(root)


def test_config_package_of(tmp_path: Path):
    with pytest.raises(ConfigDiscoveryError, match="Config directory not found"):
        config_package_of(tmp_path / "src" / "configs")
    (tmp_path / "src" / "configs").mkdir(parents=True)
    with pytest.raises(ConfigDiscoveryError, match="has no __init__.py; add one"):
        config_package_of(tmp_path / "src" / "configs")
    (tmp_path / "src" / "configs" / "__init__.py").write_text("")
    assert config_package_of(tmp_path / "src" / "configs") == (tmp_path / "src", "configs")
