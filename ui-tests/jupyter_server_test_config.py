"""Jupyter server configuration of the Galata UI tests: galata's test settings (no token, a
temporary root folder), a temporary ``DERIVAML_HOME`` holding the demo catalog and one
uploaded execution."""

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

HERE = Path(__file__).resolve().parent

c = get_config()  # noqa: F821 (Jupyter defines get_config when it loads this file)
configure_jupyter_server(c)
c.ServerApp.allow_root = True  # CI runs as root

home = tempfile.mkdtemp(prefix="derivaml-ui-home-")
atexit.register(shutil.rmtree, home, ignore_errors=True)
os.environ["DERIVAML_HOME"] = home
subprocess.run([str(Path(sys.executable).with_name("derivaml")), "demo", "--quiet"], check=True)
subprocess.run([sys.executable, str(HERE / "add_execution.py")], check=True)
