"""Jupyter server configuration of the Galata UI tests: galata's test settings (no token),
and in ``ui-tests/.run/`` (emptied at each start) the server's root folder and a
``DERIVAML_HOME`` holding the demo catalog with one uploaded execution, the demo catalog
``quickstart`` that the example project's notebook reads, an empty catalog ``ui-empty``, and
``ui-offline`` with an execution to push to the empty ``ui-pushed``;
the root holds a copy of the example project, ``quickstart/``, whose notebook has run there
headless as ``make demo`` runs it (an execution that uploaded the notebook and its Markdown),
and a sweep of two learning rates through ``deriva-ml-run`` (described ``UI-sweep-setup``).
With ``DERIVAML_TEST_HOST`` set, also a new catalog on that DERIVA server holding the same demo
data and execution, and a second execution ("UI compared run", of the Testing dataset, with a
metrics file), named with the demo datasets' RIDs in ``.run/remote.json`` and deleted when the
server stops (or at the next start)."""

import atexit
import contextlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

from jupyterlab.galata import configure_jupyter_server

HERE = Path(__file__).resolve().parent
RUN = HERE / ".run"

HOST = os.environ.get("DERIVAML_TEST_HOST")
REMOTE = RUN / "remote.json"


def delete_remote_catalog() -> None:
    """Delete the DERIVA catalog a run made (Playwright may stop the server before its exit
    handlers run, so the next start deletes what the last one left), trusting the CA bundle
    that run had: without it, as in a run with no DERIVAML_TEST_HOST, deriva-py would retry
    the failing TLS handshake for minutes."""
    from deriva.core import ErmrestCatalog, get_credential

    made = json.loads(REMOTE.read_text())
    with contextlib.suppress(Exception), mock.patch.dict(os.environ, made["env"]):  # or gone
        ErmrestCatalog("https", made["host"], made["catalog"], get_credential(made["host"])
                       ).delete_ermrest_catalog(really=True)
    REMOTE.unlink()


if REMOTE.is_file():
    delete_remote_catalog()
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
subprocess.run([DERIVAML, "init", "--catalog", "ui-empty"], check=True, capture_output=True)
subprocess.run([sys.executable, str(HERE / "add_offline_execution.py")], check=True)
QUICKSTART = RUN / "root" / "quickstart"
shutil.copytree(HERE.parent / "examples" / "quickstart", QUICKSTART,
                ignore=shutil.ignore_patterns("__pycache__", "outputs", "multirun"))
for command in (["deriva-ml-run-notebook", "notebooks/digits_analysis.ipynb"],
                ["deriva-ml-run", "--multirun", "model_config=quick",
                 "model_config.learning_rate=0.1,1.0", "description=UI-sweep-setup"]):
    subprocess.run([str(Path(sys.executable).with_name(command[0])), *command[1:]],
                   cwd=QUICKSTART, check=True, capture_output=True)

if HOST:
    from deriva.core import DerivaServer, get_credential

    from derivaml_jupyter.catalog.deriva.retry import call

    # A server busy with other clients aborts some transactions (503), after which creating
    # the catalog again is safe.
    SERVER = DerivaServer("https", HOST, credentials=get_credential(HOST))
    CATALOG = str(call(SERVER.create_ermrest_catalog, "create the UI tests' catalog", HOST,
                       idempotent=False).catalog_id)
    CA_BUNDLE = {k: v for k, v in os.environ.items() if k == "REQUESTS_CA_BUNDLE"}
    REMOTE.write_text(json.dumps({"host": HOST, "catalog": CATALOG, "env": CA_BUNDLE}))
    atexit.register(delete_remote_catalog)
    subprocess.run([DERIVAML, "demo", "--host", HOST, "--catalog", CATALOG, "--quiet"],
                   check=True)
    for extra in ([], ["UI compared run", "Testing", "0.8"]):
        subprocess.run([sys.executable, str(HERE / "add_execution.py"), HOST, CATALOG, *extra],
                       check=True)
    from derivaml import DerivaML
    from derivaml_jupyter.demo import find_demo_data

    REMOTE.write_text(json.dumps({"host": HOST, "catalog": CATALOG, "env": CA_BUNDLE,
                                  "datasets": find_demo_data(DerivaML(HOST, CATALOG))}))
