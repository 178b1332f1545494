"""A process killed with SIGKILL in the middle of an upload loses nothing: restoring the
execution and uploading again stores every file once, with no duplicate rows."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from backends import TEST_HOST

from derivaml_jupyter.core.definitions import Status
from derivaml_jupyter.core.rid import normalize_rid
from derivaml_jupyter.execution.upload import Manifest
from derivaml_jupyter.ml import DerivaML

WORKER = Path(__file__).with_name("upload_worker.py")
FILES = 40
pytestmark = pytest.mark.real_server


def reached(working_dir: Path, *states: str) -> int:
    """How many Model files the execution's upload manifest records in one of ``states``."""
    return sum(e.state in states and e.table == "Model"
               for e in Manifest(working_dir).entries.values())


def start_and_kill(home: Path, host: str, catalog: str) -> tuple[str, int]:
    """Run the worker, SIGKILL it once a few files are stored (files are stored first, then
    recorded in the catalog together); return the execution RID and how many files the
    manifest had finished by then."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DERIVA_ML_")}
    env.update(DERIVAML_HOME=str(home), DERIVA_ML_ALLOW_DIRTY="true")
    proc = subprocess.Popen([sys.executable, str(WORKER), str(FILES), "2", host, catalog],
                            env=env, stdout=subprocess.PIPE, text=True)
    try:
        rid = normalize_rid(proc.stdout.readline().strip())
        working_dir = home / "work" / host / catalog / "execution" / rid
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            if (working_dir / "manifest.jsonl").is_file() \
                    and reached(working_dir, "stored", "done") >= 3:
                break
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
        proc.stdout.close()
    return rid, reached(working_dir, "done")


def test_kill_during_upload_then_resume(request, backend, tmp_path, monkeypatch):
    host, catalog = (("local", "default") if backend == "local" else
                     (TEST_HOST, request.getfixturevalue("fresh_deriva_catalog")))
    for attempt in range(5):  # the upload is fast: retry until the kill lands mid-way
        home = tmp_path / f"home{attempt}"
        rid, done_before = start_and_kill(home, host, catalog)
        if done_before < FILES:
            break
    else:
        pytest.fail("the worker always finished its upload before it could be killed")
    monkeypatch.setenv("DERIVAML_HOME", str(home))
    ml = DerivaML(host, catalog)
    sources = json.loads((home / "sources.json").read_text())

    resumed = ml.restore_execution(rid).upload_execution_outputs(progress=False)

    assert len(resumed.get("domain/Model", [])) == FILES - done_before
    links = ml.catalog.select("domain", "Model_Execution", where={"Execution": rid})
    rows = ml.catalog.select("domain", "Model", where={"RID": [r["Model"] for r in links]})
    assert len(links) == FILES and sorted(r["Filename"] for r in rows) == sorted(sources)
    for row in rows:
        assert row["MD5"] == sources[row["Filename"]]
        stored = tmp_path / "stored" / row["Filename"]
        ml.catalog.get_object(row["URL"], stored)
        assert hashlib.md5(stored.read_bytes()).hexdigest() == sources[row["Filename"]]
    types = ml.catalog.select("domain", "Model_Asset_Type",
                              where={"Model": [r["RID"] for r in rows]})
    assert len(types) == 2 * FILES  # Model + Output_File, once each
    assert ml.lookup_execution(rid).status == Status.uploaded
    again = ml.restore_execution(rid).upload_execution_outputs(progress=False)
    assert again == {}
    assert ml.catalog.count("domain", "Model_Execution", where={"Execution": rid}) == FILES
