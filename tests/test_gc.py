"""``derivaml gc`` removes the ``.partial-*`` objects, bag folders and files fetched into bags
of writers killed with SIGKILL, reports them with their bytes (``--dry-run`` removes nothing),
and never touches those of a writer still running; a new bag download clears its own killed
predecessors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from derivaml_jupyter.cli.main import main
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.ml import DerivaML

WRITER = Path(__file__).with_name("gc_writer.py")


@pytest.fixture
def home(ml: DerivaML, tmp_path: Path) -> dict:
    """A catalog with a Model asset table, an Image dataset of 3 files at version 0.2.0, and
    a 3 MB source file to store."""
    ml.create_asset("Model")
    ml.create_asset("Image")
    ml.add_dataset_element_type("Image")
    rows = []
    for i in range(3):
        image = tmp_path / f"img{i}.png"
        image.write_bytes(os.urandom(1000))
        info = ml.catalog.put_object("domain/Image", image.name, image)
        rows.append({"URL": info.url, "Filename": image.name, "Length": info.length,
                     "MD5": info.md5})
    dataset = ml.create_dataset(["Training"], description="images")
    dataset.add_dataset_members([r["RID"] for r in ml.insert_rows("Image", rows)])
    assert str(dataset.increment_dataset_version("minor")) == "0.3.0"
    ml.download_dataset_bag(DatasetSpec(rid=dataset.dataset_rid, version="0.2.0",
                                        materialize=False))
    source = tmp_path / "big.bin"
    source.write_bytes(os.urandom(3 * 1024 * 1024))
    return {"ml": ml, "path": tmp_path, "source": source, "rid": dataset.dataset_rid}


def start_writer(home: dict) -> subprocess.Popen:
    """A writer stopped half-way through storing an object and building a bag."""
    proc = subprocess.Popen([sys.executable, str(WRITER), str(home["source"]), home["rid"]],
                            env={**os.environ, "DERIVAML_HOME": str(home["path"])},
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()


def partials(root: Path) -> set[Path]:
    return set(root.rglob(".partial-*"))


def size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def gc(capsys, *args: str) -> list[str]:
    assert main(["gc", *args]) == 0
    return capsys.readouterr().out.splitlines()


def test_gc_removes_what_killed_writers_left_and_spares_live_ones(home, capsys):
    root = home["path"]
    live = start_writer(home)
    try:
        held = partials(root)
        assert {p.parent.name for p in held} == {"Model", "bags", "Image"}  # object, bag, file
        killed = start_writer(home)
        stop(killed)
        left = partials(root) - held
        assert {p.parent.name for p in left} == {"Model", "bags", "Image"}
        total = sum(size(p) for p in left)
        assert total > 3 * 1024 * 1024 // 2

        report = gc(capsys, "--dry-run")

        assert sorted(report[:-1]) == sorted(
            f"would remove {p.relative_to(root)} ({size(p)} bytes)" for p in left)
        assert report[-1] == (f"Would remove 3 leftover(s), {total} bytes, under {root}; 3 in "
                              "use by a running writer, left alone.")
        assert partials(root) == left | held

        report = gc(capsys)

        assert report[-1].startswith(f"Removed 3 leftover(s), {total} bytes")
        assert partials(root) == held
        assert gc(capsys)[-1].startswith("Removed 0 leftover(s), 0 bytes")
        assert partials(root) == held  # the live writer's work is untouched
    finally:
        stop(live)
    held_total = sum(size(p) for p in held)
    assert gc(capsys)[-1] == f"Removed 3 leftover(s), {held_total} bytes, under {root}."
    assert not partials(root)
    bag = home["ml"].download_dataset_bag(DatasetSpec(rid=home["rid"]))
    assert len(bag.list_dataset_members()["Image"]) == 3


def test_a_bag_download_clears_the_half_built_bags_of_killed_downloads(home):
    bags = Path(home["ml"].cache_dir) / "bags"
    stop(start_writer(home))
    (killed,) = bags.glob(".partial-*")
    live = start_writer(home)  # its download starts by clearing the killed one's folder
    try:
        (held,) = bags.glob(".partial-*")
        assert held != killed and not killed.exists()
        bag = home["ml"].download_dataset_bag(DatasetSpec(rid=home["rid"]))
        assert len(bag.list_dataset_members()["Image"]) == 3
        assert list(bags.glob(".partial-*")) == [held]  # a live download's work is left be
    finally:
        stop(live)


def test_gc_forgets_runs_that_ended_long_ago_with_their_logs(tmp_path, monkeypatch, capsys):
    import time

    from derivaml_jupyter.runners.run_store import RunStore

    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    store = RunStore(tmp_path / "runs" / "runs.sqlite")
    now = time.time()
    runs = {}
    for name, ended in (("old", now - 40 * 86400), ("recent", now - 86400), ("running", None)):
        log = tmp_path / "runs" / f"{name}.log"
        log.write_text("x" * 100)
        runs[name] = (store.add(owner="me", kind="model", target=name, status="succeeded"
                                if ended else "running", started=now - 50 * 86400,
                                ended=ended, log_path=str(log)), log)
    assert gc(capsys, "--dry-run")[-1] == \
        "Would forget 1 run(s) that ended over 30 days ago, and 100 bytes of their logs."
    assert store.get(runs["old"][0]) is not None and runs["old"][1].exists()
    assert gc(capsys)[-1].startswith("Forgot 1 run(s)")
    assert store.get(runs["old"][0]) is None and not runs["old"][1].exists()
    assert all(store.get(i) and log.exists() for i, log in (runs["recent"], runs["running"]))
    assert gc(capsys, "--runs-older-than", "0.5")[-1].startswith("Forgot 1 run(s)")
    assert store.get(runs["running"][0]) is not None  # a running run is never forgotten
