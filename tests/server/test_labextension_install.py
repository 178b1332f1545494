"""``jupyter labextension list`` shows the JupyterLab extension (built from ``labextension/``
into ``derivaml_jupyter/labextension`` by the package build) enabled and OK, at the version
of the Python package, which takes its version from ``package.json``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import derivaml_jupyter

PACKAGE_JSON = Path(__file__).resolve().parents[2] / "package.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_versions_agree():
    npm_version = json.loads(PACKAGE_JSON.read_text())["version"]
    assert version("derivaml-jupyter") == npm_version == derivaml_jupyter.__version__


def test_labextension_is_enabled_and_ok():
    jupyter = Path(sys.executable).with_name("jupyter")
    done = subprocess.run([str(jupyter), "labextension", "list"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    listing = ANSI.sub("", done.stdout + done.stderr)
    pattern = rf"^\s+derivaml-jupyter v{re.escape(derivaml_jupyter.__version__)} enabled OK"
    assert re.search(pattern, listing, re.M), listing
