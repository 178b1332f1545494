"""A push killed half-way (SIGKILL, in a subprocess) completes on the next push with nothing
missing and nothing twice: killed right after a row insert the push had not recorded yet
(an execution, found again by its claim and content; an asset row, by its URL), after a
ledger write, and after some rows. Against a local catalog always, and a fresh catalog of
DERIVAML_TEST_HOST when set; each compared with a clean push of the same rows."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from backends import BACKENDS, TEST_HOST, new_deriva_catalog

from catalog.test_push import make_domain, record_offline_work
from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.catalog.push import push_executions
from derivaml_jupyter.catalog.push.ledger import LEDGER_TABLE
from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.ml import DerivaML

WORKER = textwrap.dedent("""
    import os, signal, sys
    from derivaml_jupyter.catalog.deriva import DerivaCatalog
    from derivaml_jupyter.catalog.local import LocalCatalog
    from derivaml_jupyter.catalog.push import push_executions
    host, catalog, table, after = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    seen = [0]

    def killing(insert):
        def wrapped(self, schema, name, rows, **kw):
            done = insert(self, schema, name, rows, **kw)
            if name == table and self.catalog_id == catalog:
                seen[0] += 1
                if seen[0] == after:
                    os.kill(os.getpid(), signal.SIGKILL)
            return done
        return wrapped

    for cls in (DerivaCatalog, LocalCatalog):
        cls.insert = killing(cls.insert)

    def progress(kind, done, total):
        if table == "rows" and kind == "rows" and done >= after:
            os.kill(os.getpid(), signal.SIGKILL)

    from derivaml_jupyter.ml import DerivaML
    push_executions(DerivaML(), host, catalog, progress=progress)
    print("not killed")
""")

COUNTED = [(ML_SCHEMA, t) for t in (
    "Execution", "Workflow", "Workflow_Workflow_Type", "Dataset", "Dataset_Version",
    "Dataset_Dataset_Type", "Dataset_Dataset", "Dataset_Execution", "Execution_Execution",
    "Execution_Metadata",
    "Execution_Metadata_Asset_Type", "Execution_Metadata_Execution", LEDGER_TABLE)] + [
    ("domain", t) for t in ("Image", "Image_Asset_Type", "Dataset_Image", "Model",
                            "Model_Asset_Type", "Model_Execution", "Execution_Image_Quality",
                            "Execution_Image_Grading", "Grade")]


@pytest.fixture(params=BACKENDS)
def targets(request, tmp_path, monkeypatch):
    """Two empty targets with the project's tables (``(host, catalog)`` each) and the
    DERIVAML_HOME whose default local catalog holds the offline work."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    record_offline_work(DerivaML(), tmp_path / "sources", images=12)
    if request.param == "local":
        for name in ("killed", "clean"):
            make_domain(DerivaML("local", name))
        yield ("local", "killed"), ("local", "clean")
        return
    with new_deriva_catalog() as killed, new_deriva_catalog() as clean:
        for name in (killed, clean):
            make_domain(DerivaML(TEST_HOST, name))
        yield (TEST_HOST, killed), (TEST_HOST, clean)


def _counts(host: str, catalog: str) -> dict:
    c = connect_catalog(host, catalog)
    return {f"{s}.{t}": c.count(s, t) for s, t in COUNTED}


@pytest.mark.parametrize("table, after", [
    ("Execution", 1), ("Image", 1), (LEDGER_TABLE, 3), ("rows", 20)])
def test_a_killed_push_completes_without_duplicates(targets, table, after):
    (host, killed), clean = targets
    done = subprocess.run([sys.executable, "-c", WORKER, host, killed, table, str(after)],
                          capture_output=True, text=True, env=os.environ, timeout=600,
                          cwd=Path(__file__).parent)
    assert done.returncode == -9, done.stdout + done.stderr
    half = _counts(host, killed)
    result = push_executions(DerivaML(), host, killed, progress=lambda *_: None)
    expected = push_executions(DerivaML(), *clean, progress=lambda *_: None)
    assert half != _counts(host, killed)  # the kill left work to do
    assert _counts(host, killed) == _counts(*clean)
    assert result.mapping.keys() == expected.mapping.keys()
    assert len(set(result.mapping.values())) == len(result.mapping)
