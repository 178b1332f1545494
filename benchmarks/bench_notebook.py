"""Notebook runner overhead: ``deriva-ml-run-notebook`` vs plain papermill, same notebook.

Both sides run the same one-cell notebook (it calls ``run_notebook`` and uploads its outputs)
in the same kernel; ours also converts the executed notebook to Markdown and uploads both
files. Also reports the import time of ``derivaml`` against a bare interpreter start.

    python benchmarks/bench_notebook.py [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

CELL = """from derivaml import run_notebook
ml, execution, config = run_notebook("bench")
execution.upload_execution_outputs()"""

CONFIG = """from hydra_zen import builds, store
from derivaml import DerivaMLConfig
from derivaml.execution import notebook_config

store(builds(DerivaMLConfig, populate_full_signature=True)(hostname="local", catalog_id="bench"),
      group="deriva_ml", name="default_deriva")
store([], group="datasets", name="default_dataset")
store([], group="assets", name="default_asset")
notebook_config("bench")
"""


def make_project(root: Path) -> Path:
    (root / "src" / "configs").mkdir(parents=True)
    (root / "src" / "configs" / "__init__.py").write_text("")
    (root / "src" / "configs" / "bench.py").write_text(CONFIG)
    (root / "notebooks").mkdir()
    notebook = root / "notebooks" / "bench.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, notebook)
    return notebook


def timed(cmd: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        notebook = make_project(root)
        env = dict(os.environ, DERIVAML_HOME=str(root / "home"),
                   DERIVA_ML_NOTEBOOK_PATH=str(notebook), DERIVA_ML_ALLOW_DIRTY="true")
        ours_cmd = [str(bindir / "deriva-ml-run-notebook"), str(notebook), "--kernel", "python3"]
        papermill_cmd = [sys.executable, "-m", "papermill", str(notebook),
                         str(root / "out.ipynb"), "-k", "python3"]
        timed(papermill_cmd, root, env)  # warm caches and create the catalog
        ours, plain = [], []
        for _ in range(args.runs):
            plain.append(timed(papermill_cmd, root, env))
            ours.append(timed(ours_cmd, root, env))
        bare = [timed([sys.executable, "-c", "pass"], root, env) for _ in range(5)]
        imported = [timed([sys.executable, "-c", "import derivaml"], root, env)
                    for _ in range(5)]
    p, o = statistics.median(plain), statistics.median(ours)
    print(f"plain papermill          {p:7.2f} s (median of {args.runs})")
    print(f"deriva-ml-run-notebook   {o:7.2f} s (median of {args.runs})")
    print(f"ratio                    {o / p:7.2f}x (target <= 1.5x)")
    cost = statistics.median(imported) - statistics.median(bare)
    print(f"import derivaml          {cost:7.3f} s over a bare interpreter (target < 0.3 s)")


if __name__ == "__main__":
    main()
