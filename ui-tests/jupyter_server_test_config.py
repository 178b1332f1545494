"""Jupyter server configuration of the Galata UI tests: galata's test settings (no token),
and in ``ui-tests/.run/`` (emptied at each start) the server's root folder and a
``DERIVAML_HOME`` holding the demo catalog with one uploaded execution, and the demo catalog
``quickstart`` that the example project's notebook reads."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from jupyterlab.galata import configure_jupyter_server

HERE = Path(__file__).resolve().parent
RUN = HERE / ".run"

shutil.rmtree(RUN, ignore_errors=True)
(RUN / "root").mkdir(parents=True)
os.environ["JUPYTERLAB_GALATA_ROOT_DIR"] = str(RUN / "root")
os.environ["DERIVAML_HOME"] = str(RUN / "home")

c = get_config()  # noqa: F821 (Jupyter defines get_config when it loads this file)
configure_jupyter_server(c)
c.ServerApp.allow_root = True  # CI runs as root

DERIVAML = str(Path(sys.executable).with_name("derivaml"))
subprocess.run([DERIVAML, "demo", "--quiet"], check=True)
subprocess.run([DERIVAML, "demo", "--catalog", "quickstart", "--quiet"], check=True)
subprocess.run([sys.executable, str(HERE / "add_execution.py")], check=True)
