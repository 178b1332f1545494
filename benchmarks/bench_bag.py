"""Time downloading a dataset bag against plainly copying the same files.

Builds a throw-away local catalog with one dataset of ``--files`` Image assets of ``--size``
bytes each, then times, in the same run: ``shutil.copy`` of every file into an empty folder,
the same into the bag's layout (``asset/<RID>/<Table>/<Filename>``: two new folders a file),
and ``ml.download_dataset_bag`` (materialized), alternating for ``--rounds`` rounds (each side
starts after the previous one's files are flushed), then a cached re-download and a
metadata-only download. Nothing is deleted until the end: on an ext4 without a journal (as
here), each new inode skips, one by one, those freed in the last minute, so a side run right
after the deletion of another's 30,000 files and folders paid several times more for each
of its own. Prints the best and median wall-clock times, the process CPU time (user +
system, all threads) of each side's best round, and both ratios of the best times, bag /
flat copy (issue 10's target: <= 1.5x) and bag / copy into the bag layout; the best time is
the least disturbed by other work on the machine.

    .venv/bin/python benchmarks/bench_bag.py --files 10000 --size 10240
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from derivaml_jupyter.dataset.spec import DatasetSpec


def build_catalog(home: Path, files: int, size: int) -> tuple[object, str, list[Path]]:
    """A catalog under ``home`` with one dataset of ``files`` Image assets; returns
    (ml, dataset RID, source files)."""
    os.environ["DERIVAML_HOME"] = str(home)
    from derivaml_jupyter.ml import DerivaML

    ml = DerivaML()
    ml.create_asset("Image", {"Label": "text"})
    ml.add_dataset_element_type("Image")
    src = home / "src"
    src.mkdir()
    rows, paths = [], []
    for i in range(files):
        path = src / f"img{i:06d}.bin"
        path.write_bytes(os.urandom(size))
        info = ml.catalog.put_object("Image", path.name, path)
        rows.append({"URL": info.url, "Filename": path.name, "Length": info.length,
                     "MD5": info.md5, "Label": f"class{i % 10}"})
        paths.append(path)
    rids = [r["RID"] for r in ml.insert_rows("Image", rows)]
    dataset = ml.create_dataset(description=f"{files} images of {size} bytes")
    dataset.add_dataset_members(rids)
    return ml, dataset.dataset_rid, paths


def copy_in_layout(paths: list[Path], dest: Path) -> None:
    """``shutil.copy`` each file to ``dest/asset/<n>/Image/<name>``, as a bag lays them out."""
    for n, path in enumerate(paths):
        folder = dest / "asset" / str(n) / "Image"
        folder.mkdir(parents=True)
        shutil.copy(path, folder / path.name)


def set_aside(folder: Path, spent: Path) -> None:
    """Move ``folder`` into ``spent`` (deleted at the end) and flush the file system, so that
    the next timed side does not pay for writing back this one's files."""
    os.rename(folder, spent / f"{len(os.listdir(spent))}")
    os.sync()


def timed(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def cpu_timed(action) -> tuple[float, float, object]:
    """(wall-clock seconds, CPU seconds of this process, result) of ``action()``."""
    start = os.times()
    seconds, result = timed(action)
    end = os.times()
    return seconds, (end.user - start.user) + (end.system - start.system), result


def best(runs: list[tuple[float, float]]) -> str:
    """The best and median wall-clock time of ``runs`` and the CPU time of the best one."""
    walls = [w for w, _ in runs]
    return (f"best {min(runs)[0]:.3f}s (CPU {min(runs)[1]:.3f}s), "
            f"median {statistics.median(walls):.3f}s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=10_000, help="number of asset files")
    parser.add_argument("--size", type=int, default=10 * 1024, help="bytes per file")
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds of each")
    parser.add_argument("--threads", type=int, default=DatasetSpec.fetch_concurrency,
                        help="concurrent file copies of the bag download (DatasetSpec."
                             "fetch_concurrency, default %(default)s)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-bag-") as tmp:
        home = Path(tmp)
        setup, (ml, rid, paths) = timed(lambda: build_catalog(home, args.files, args.size))
        print(f"setup: {args.files} files x {args.size} B stored in {setup:.2f}s; "
              f"{args.threads} fetch threads; load average {os.getloadavg()[0]:.1f}")

        spec = DatasetSpec(rid=rid, fetch_concurrency=args.threads)
        copies, layouts, bags = [], [], []
        copy_dir, spent = home / "copy", home / "spent"
        spent.mkdir()
        os.sync()
        for _ in range(args.rounds):
            copy_dir.mkdir()
            copies.append(cpu_timed(lambda: [shutil.copy(p, copy_dir / p.name) for p in paths])[:2])
            set_aside(copy_dir, spent)
            layouts.append(cpu_timed(lambda: copy_in_layout(paths, copy_dir))[:2])
            set_aside(copy_dir, spent)
            *run, bag = cpu_timed(lambda: ml.download_dataset_bag(spec))
            bags.append(tuple(run))
            set_aside(bag.path, spent)
        bag = ml.download_dataset_bag(spec)
        cached_s, _ = timed(lambda: ml.download_dataset_bag(spec))
        members = len(bag.list_dataset_members()["Image"])
        shutil.rmtree(bag.path)
        meta_s, _ = timed(lambda: ml.download_dataset_bag(DatasetSpec(rid=rid, materialize=False)))

        print(f"shutil.copy of {len(paths)} files into one folder: {best(copies)}")
        print(f"shutil.copy into the bag layout: {best(layouts)}")
        print(f"download_dataset_bag ({members} members, materialized): {best(bags)}")
        flat, layout, ours = (min(runs)[0] for runs in (copies, layouts, bags))
        print(f"ratio bag / flat copy (best times): {ours / flat:.2f}x (target <= 1.5x); "
              f"bag / copy into the bag layout: {ours / layout:.2f}x")
        print(f"cached re-download: {cached_s:.3f}s")
        print(f"metadata-only download (materialize=False): {meta_s:.3f}s")


if __name__ == "__main__":
    main()
