"""Upload throughput: an execution's ``upload_execution_outputs`` vs ``shutil.copy`` of the
same files, in the same run (default: 1,000 files of 1 MB plus one of 500 MB).

The upload stores each file content-addressed (hashing while copying) and records its asset
row, asset types and execution link; the baseline only copies bytes. Target ratio <= 1.5.

    python benchmarks/bench_upload.py [--small-files 1000] [--small-mb 1] [--big-mb 500]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path


def make_files(folder: Path, count: int, small_mb: float, big_mb: int) -> list[Path]:
    """``count`` files of ``small_mb`` and one of ``big_mb`` (if not 0) of fresh random bytes
    (also used by ``deriva_runner.py``)."""
    folder.mkdir(parents=True)
    files = []
    for i in range(count):
        path = folder / f"small-{i:05d}.bin"
        path.write_bytes(os.urandom(int(small_mb * 1024 * 1024)))
        files.append(path)
    if big_mb:
        big = folder / "big.bin"
        with open(big, "wb") as f:
            for _ in range(big_mb):
                f.write(os.urandom(1024 * 1024))
        files.append(big)
    return files


def copy_baseline(files: list[Path], dest: Path) -> float:
    dest.mkdir(parents=True)
    start = time.perf_counter()
    for f in files:
        shutil.copy(f, dest / f.name)
    return time.perf_counter() - start


def upload_through_execution(files: list[Path]) -> float:
    from derivaml_jupyter.execution.configuration import ExecutionConfiguration
    from derivaml_jupyter.ml import DerivaML

    ml = DerivaML("local", "bench-upload")
    ml.create_asset("Model")
    workflow = ml.create_workflow("Upload benchmark", "Training")
    workflow.allow_dirty = True
    with ml.create_execution(ExecutionConfiguration(workflow=workflow)) as exe:
        for f in files:
            exe.asset_file_path("Model", f)
    start = time.perf_counter()
    uploaded = exe.upload_execution_outputs(progress=False)
    elapsed = time.perf_counter() - start
    assert len(uploaded["domain/Model"]) == len(files), "not every file was uploaded"
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-files", type=int, default=1000)
    parser.add_argument("--small-mb", type=int, default=1)
    parser.add_argument("--big-mb", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as tmp:
        root = Path(tmp)
        os.environ["DERIVAML_HOME"] = str(root / "home")
        files = make_files(root / "sources", args.small_files, args.small_mb, args.big_mb)
        total_mb = sum(f.stat().st_size for f in files) / 2**20
        copy_s = copy_baseline(files, root / "copies")
        shutil.rmtree(root / "copies")
        upload_s = upload_through_execution(files)
        print(f"{len(files)} files, {total_mb:.0f} MB")
        print(f"shutil.copy:              {copy_s:8.2f} s  ({total_mb / copy_s:7.1f} MB/s)")
        print(f"upload_execution_outputs: {upload_s:8.2f} s  ({total_mb / upload_s:7.1f} MB/s)")
        print(f"ratio upload/copy:        {upload_s / copy_s:8.2f}  (target <= 1.5)")


if __name__ == "__main__":
    main()
