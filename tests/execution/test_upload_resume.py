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

from derivaml_jupyter.core.definitions import Status
from derivaml_jupyter.execution.upload import Manifest
from derivaml_jupyter.ml import DerivaML

WORKER = Path(__file__).with_name("upload_worker.py")
FILES = 40


def start_and_kill(home: Path) -> tuple[str, int]:
    """Run the worker, SIGKILL it once the object store holds a few of its files; return the
    execution RID and how many files the manifest had finished by then."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DERIVA_ML_")}
    env.update(DERIVAML_HOME=str(home), DERIVA_ML_ALLOW_DIRTY="true")
    proc = subprocess.Popen([sys.executable, str(WORKER), str(FILES), "2"], env=env,
                            stdout=subprocess.PIPE, text=True)
    try:
        rid = proc.stdout.readline().strip()
        store = home / "catalogs" / "default" / "hatrac" / "domain" / "Model"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if store.is_dir() and len(list(store.glob("*.part-*.bin"))) >= 3:
                break
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
        proc.stdout.close()
    working_dir = home / "work" / "local" / "default" / "execution" / rid
    done = sum(e.state == "done" and e.table == "Model"
               for e in Manifest(working_dir).entries.values())
    return rid, done


def test_kill_during_upload_then_resume(tmp_path, monkeypatch):
    for attempt in range(5):  # the upload is fast: retry until the kill lands mid-way
        home = tmp_path / f"home{attempt}"
        rid, done_before = start_and_kill(home)
        if done_before < FILES:
            break
    else:
        pytest.fail("the worker always finished its upload before it could be killed")
    monkeypatch.setenv("DERIVAML_HOME", str(home))
    ml = DerivaML()
    sources = json.loads((home / "sources.json").read_text())

    resumed = ml.restore_execution(rid).upload_execution_outputs(progress=False)

    assert len(resumed.get("domain/Model", [])) == FILES - done_before
    rows = ml.catalog.select("domain", "Model")
    assert sorted(r["Filename"] for r in rows) == sorted(sources)
    for row in rows:
        assert row["MD5"] == sources[row["Filename"]]
        stored = ml.catalog.objects.path_of(row["URL"]).read_bytes()
        assert hashlib.md5(stored).hexdigest() == sources[row["Filename"]]
    links = ml.catalog.select("domain", "Model_Execution", where={"Execution": rid})
    assert sorted(r["Model"] for r in links) == sorted(r["RID"] for r in rows)
    types = ml.catalog.select("domain", "Model_Asset_Type")
    assert len(types) == 2 * FILES  # Model + Output_File, once each
    assert ml.lookup_execution(rid).status == Status.uploaded
    again = ml.restore_execution(rid).upload_execution_outputs(progress=False)
    assert again == {} and ml.catalog.count("domain", "Model") == FILES
