"""What the local backend adds to the contract: many processes writing one catalog at once,
and an object store that never rewrites or half-writes a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.core.errors import DerivaMLNotFound, DerivaMLValidationError
from derivaml_jupyter.ml import DerivaML

WORKERS = 8
ROWS = 300
BATCH = 10

# Each worker waits for the others to be ready, then (all at once) creates the catalog, a
# table, inserts its rows in small transactions and makes two datasets of them.
WORKER = """
import json, os, sys, time
from pathlib import Path
from derivaml_jupyter.catalog import Column, Table
from derivaml_jupyter.ml import DerivaML

home, wid, rows, batch = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
(home / f"ready-{wid}").touch()
while not (home / "go").exists():
    time.sleep(0.005)
ml = DerivaML()
ml.catalog.create_table(Table("domain", "Sample", [Column("Worker", "int4"), Column("Seq", "int4")],
                              keys=[("Worker", "Seq")]))
ml.add_dataset_element_type("Sample")
rids = []
for start in range(0, rows, batch):
    rids += [r["RID"] for r in ml.insert_rows(
        "Sample", [{"Worker": wid, "Seq": s} for s in range(start, start + batch)])]
for part in range(2):
    ds = ml.create_dataset("Training", description=f"worker {wid} part {part}")
    ml.add_dataset_members(ds, rids[part::2])
print(json.dumps(rids))
"""


def test_eight_processes_create_and_write_one_catalog_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    env = {**os.environ, "DERIVAML_HOME": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path), str(w), str(ROWS),
                               str(BATCH)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for w in range(WORKERS)]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("ready-*"))) < WORKERS:
        assert time.monotonic() < deadline, "workers did not start"
        assert all(p.poll() is None for p in procs), [p.communicate() for p in procs]
        time.sleep(0.01)
    assert not (tmp_path / "catalogs").exists()
    (tmp_path / "go").touch()
    results = [p.communicate(timeout=300) for p in procs]
    for p, (_, err) in zip(procs, results):
        assert p.returncode == 0, err
        assert "locked" not in err.lower()
    returned = [rid for out, _ in results for rid in json.loads(out)]
    assert len(returned) == len(set(returned)) == WORKERS * ROWS

    ml = DerivaML()  # the catalog the workers made
    assert ml.catalog.path == tmp_path / "catalogs" / "default"
    rows = ml.catalog.select("domain", "Sample")
    assert sorted((r["Worker"], r["Seq"]) for r in rows) == [
        (w, s) for w in range(WORKERS) for s in range(ROWS)]
    assert {r["RID"] for r in rows} == set(returned)
    datasets = ml.find_datasets()
    assert len(datasets) == 2 * WORKERS
    assert {str(d.current_version) for d in datasets} == {"0.2.0"}
    for dataset in datasets:
        assert len(dataset.list_dataset_members()["Sample"]) == ROWS // 2
    for vocabulary in ("Dataset_Type", "Asset_Type", "Execution_Status"):
        terms = [t.name for t in ml.list_vocabulary_terms(vocabulary)]
        assert len(set(terms)) == len(terms) > 0


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_same_content_is_not_rewritten(home, tmp_path):
    catalog = connect_catalog("local", "objects")
    source = tmp_path / "model.pt"
    source.write_bytes(b"weights" * 1000)
    info = catalog.put_object("domain/Model", "model.pt", source)
    stored = catalog.path / info.url.removeprefix("/")
    before = stored.stat()
    time.sleep(0.01)
    assert catalog.put_object("domain/Model", "model.pt", source) == info
    assert catalog.put_object("domain/Model", "model.pt", source, md5=info.md5) == info
    after = stored.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert [p.name for p in stored.parent.iterdir()] == [stored.name]


def test_failed_put_leaves_no_partial_file(home, tmp_path):
    catalog = connect_catalog("local", "objects")
    source = tmp_path / "data.csv"
    source.write_text("a,b\n1,2\n")
    with pytest.raises(DerivaMLValidationError, match="MD5"):
        catalog.put_object("domain/Table", "data.csv", source, md5="f" * 32)
    assert list((catalog.path / "hatrac").rglob("*.*")) == []


def test_catalog_names_are_checked(home):
    with pytest.raises(DerivaMLValidationError, match="not a valid local catalog name"):
        connect_catalog("local", "../escape")
    assert not (home / "escape").exists()


@pytest.mark.parametrize("url", ["/hatrac//etc/hostname", "/hatrac/../../etc/hostname",
                                 "/hatrac/domain/../../../etc/hostname"])
def test_object_urls_cannot_reach_outside_the_store(home, tmp_path, url):
    """An empty or '..' part never leads out of the catalog's object store."""
    catalog = connect_catalog("local", "objects")
    dest = tmp_path / "copy"
    with pytest.raises((DerivaMLNotFound, DerivaMLValidationError)):
        catalog.get_object(url, dest)
    assert not dest.exists()
    with pytest.raises((DerivaMLNotFound, DerivaMLValidationError)):
        catalog.object_path(url)
