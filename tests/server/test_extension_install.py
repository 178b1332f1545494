"""``jupyter server extension list`` shows the extension enabled and valid, from the config
file this repository ships (``jupyter-config/server-config``) and from the installed copy
that the wheel's shared-data puts under ``<sys.prefix>/etc/jupyter`` (also for ``pip install
-e .``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_CONFIG = Path(__file__).resolve().parents[2] / "jupyter-config" / "server-config" / \
    "derivaml_jupyter.json"
INSTALLED_CONFIG = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / \
    "derivaml_jupyter.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def extension_list(config_dir: Path) -> dict[str, str]:
    """``{config dir: its lines}`` printed by ``jupyter server extension list``."""
    jupyter = Path(sys.executable).with_name("jupyter")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(config_dir))
    done = subprocess.run([str(jupyter), "server", "extension", "list"], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sections = ANSI.sub("", done.stdout + done.stderr).split("Config dir: ")[1:]
    return {s.splitlines()[0].strip(): s for s in sections}


def assert_enabled_and_ok(listing: str) -> None:
    assert re.search(r"^\s+derivaml_jupyter enabled$", listing, re.M), listing
    assert re.search(r"^\s+derivaml_jupyter \S+ OK$", listing, re.M), listing


def test_shipped_config_enables_the_extension(tmp_path):
    config_dir = tmp_path / "jupyter-config"
    (config_dir / "jupyter_server_config.d").mkdir(parents=True)
    shutil.copy(REPO_CONFIG, config_dir / "jupyter_server_config.d")
    assert_enabled_and_ok(extension_list(config_dir)[str(config_dir)])


def test_installed_package_enables_the_extension(tmp_path):
    if not INSTALLED_CONFIG.is_file():
        pytest.skip(f"{INSTALLED_CONFIG} is missing: install the package (pip install -e .) "
                    "to place its server config")
    assert INSTALLED_CONFIG.read_text() == REPO_CONFIG.read_text()
    listing = extension_list(tmp_path / "empty")
    assert_enabled_and_ok(listing[str(INSTALLED_CONFIG.parents[1])])
