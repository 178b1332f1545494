"""The DERIVA backend against a real server, side by side with deriva-ml in the same run.

Needs a DERIVA server you are logged in to (deriva-py credential file) and, for the side by
side parts, a Python with deriva-ml installed. Every catalog it makes is new and is deleted
at the end. Three measurements:

1. one execution with parameters, a metric and 201 output files (200 x 100 KB + 1 x 200 MB,
   fresh random bytes every run, so nothing is deduplicated): seconds from
   ``create_execution`` until ``upload_execution_outputs`` returns, ours and deriva-ml's,
   each on its own new catalog, run from a committed file of a git repository with an
   ``origin`` remote (deriva-ml records workflows only from one). Target: <= 0.5x deriva-ml.
2. one execution with one 1 KB output, end to end: the wall time of a ``python -c`` that
   imports, connects, creates a workflow and an execution, writes 1 KB and uploads it, ours
   and deriva-ml's. Target: ours <= 1.5 s.
3. ours only: ``derivaml demo`` on a new catalog (and ``derivaml init`` alone), listing
   ``--executions`` executions (``find_executions``, one page of the Runs sidebar, keyset
   paging) and reading the members of a dataset as of an old version after later edits.

HTTP requests are counted by wrapping ``requests.Session.send`` in each process (other
clients of the server are not counted) and grouped by kind, to show what dominates.
Nothing is asserted; it prints times, ratios and request counts.

    REQUESTS_CA_BUNDLE=... python benchmarks/bench_deriva.py [--host H]
        [--deriva-ml-python PY] [--runs 3] [--small-files 200] [--small-kb 100] [--big-mb 200]
        [--executions 100000] [--members 10000] [--skip upload,small,ours]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import deriva_runner
from bench_catalog import edited_dataset

HERE = Path(__file__).resolve().parent
DEFAULT_DML_PYTHON = Path("~/deriva-lab/venv-dml/bin/python").expanduser()
TARGETS = {"upload": 0.5, "small": 1.5}
RUNNER = "deriva_runner.py"
RUNNER_FILES = (RUNNER, "bench_upload.py")  # the runner makes its files with bench_upload's

# Part 2's program, for either side; the ``phases`` calls only read the clock and the
# request count.
SMALL = """import deriva_runner; phases = deriva_runner.Phases(deriva_runner.count_requests())
import logging, os
{imports}
phases("import")
ml = DerivaML({host!r}, {catalog!r}{connect})
phases("connect")
workflow = ml.create_workflow("Small run", "Benchmark")
phases("create_workflow")
execution = ml.create_execution(ExecutionConfiguration(workflow=workflow))
phases("create_execution")
with execution:
    execution.asset_file_path("Execution_Asset", "small.bin").write_bytes(os.urandom(1024))
phases("run")
execution.upload_execution_outputs({finish})
phases("upload")
phases.report()
"""
SMALL_SIDES = {
    "ours": {"imports": "from derivaml import DerivaML, ExecutionConfiguration",
             "connect": "", "finish": "progress=False"},
    "deriva-ml": {"imports": "from deriva_ml import DerivaML\n"
                             "from deriva_ml.execution import ExecutionConfiguration",
                  "connect": ", working_dir={work!r}, logging_level=logging.WARNING",
                  "finish": "clean_folder=False"},
}

CLI = """import sys, deriva_runner; deriva_runner.count_requests()
from derivaml_jupyter.cli.main import main
sys.argv = {argv!r}
main()
"""


# -- requests -----------------------------------------------------------------------------
def total(requests: dict[str, list]) -> int:
    return sum(n for n, _ in requests.values())


def top(requests: dict[str, list], count: int = 6) -> str:
    """The kinds of request that took longest (seconds summed over threads), with their
    counts, and every kind of error answer."""
    worst = sorted(requests.items(), key=lambda kv: -kv[1][1])
    shown = worst[:count] + [kv for kv in worst[count:] if " -> " in kv[0]]
    return "; ".join(f"{k} x{n} {s:.1f}s" for k, (n, s) in shown)


def show(label: str, seconds: float, requests: dict[str, list] | None = None,
         extra: str = "") -> None:
    counted = "" if requests is None else (
        f"  {total(requests):>7,} requests, {sum(s for _, s in requests.values()):6.1f} s "
        "in them")
    print(f"  {label:<50} {seconds:8.2f} s{counted}{extra}")
    if requests:
        print(f"  {'':<50}   most time: {top(requests)}")


# -- catalogs and processes ---------------------------------------------------------------
class Catalogs:
    """New catalogs on ``host``; ``delete_all`` removes every one made or adopted."""

    def __init__(self, host: str):
        from deriva.core import get_credential

        self.host = host
        self.credential = get_credential(host)
        self.ids: list[str] = []

    def new(self) -> str:
        from deriva.core import DerivaServer

        catalog = DerivaServer("https", self.host, self.credential).create_ermrest_catalog()
        self.ids.append(str(catalog.catalog_id))
        return self.ids[-1]

    def adopt(self, catalog_id: str) -> str:
        self.ids.append(catalog_id)
        return catalog_id

    def delete_all(self) -> None:
        from deriva.core import ErmrestCatalog

        for catalog_id in self.ids:
            try:
                ErmrestCatalog("https", self.host, catalog_id, self.credential
                               ).delete_ermrest_catalog(really=True)
            except Exception as e:  # keep deleting the others
                print(f"could not delete catalog {catalog_id} on {self.host}: {e}",
                      file=sys.stderr)


def make_repo(repo: Path) -> Path:
    """A git repository with an ``origin`` remote and the runner committed in it."""
    repo.mkdir(parents=True)
    for name in RUNNER_FILES:
        shutil.copy(HERE / name, repo / name)
    git = ["git", "-C", str(repo), "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    for command in (["init", "-q"], ["remote", "add", "origin", "https://localhost/bench.git"],
                    ["add", *RUNNER_FILES], ["commit", "-q", "-m", "benchmark runner"]):
        subprocess.run(git + command, check=True, capture_output=True)
    return repo


def run(cmd: list[str], cwd: Path, env: dict, what: str) -> tuple[float, str]:
    """Wall time and stdout of ``cmd``; exits with its output when it fails."""
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode:
        sys.exit(f"{what} failed (exit {done.returncode}):\n{done.stdout[-3000:]}\n"
                 f"{done.stderr[-3000:]}")
    return elapsed, done.stdout


def last_json(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])


def counted_run(cmd: list[str], cwd: Path, env: dict, what: str
                ) -> tuple[float, dict[str, list], str]:
    """``run`` with the requests the process logged (``deriva_runner.count_requests``)."""
    log = cwd / "requests.json"
    log.unlink(missing_ok=True)
    elapsed, stdout = run(cmd, cwd, {**env, "BENCH_REQUEST_LOG": str(log)}, what)
    return elapsed, json.loads(log.read_text()) if log.exists() else {}, stdout


# -- 1. one execution with 201 files -----------------------------------------------------
def bench_upload(args, sides: dict[str, tuple[str, str]], repo: Path, env: dict) -> None:
    big = f" + 1 x {args.big_mb} MB" if args.big_mb else ""
    print(f"1. one execution, params + metric + {args.small_files} x {args.small_kb} KB{big}, "
          "create_execution through upload")
    results: dict[str, list[dict]] = {side: [] for side in sides}
    for r in range(args.runs):
        for side, (python, catalog) in sides.items():
            work = repo.parent / f"upload-{side}-{r}"
            _, stdout = run([python, RUNNER, "upload", side, args.host, catalog, str(work),
                             str(args.small_files), str(args.small_kb), str(args.big_mb)],
                            repo, env, f"upload run of {side}")
            shutil.rmtree(work, ignore_errors=True)
            results[side].append(last_json(stdout))
    for side, runs in results.items():
        best = min(runs, key=lambda x: x["seconds"])
        times = ", ".join(f"{x['seconds']:.2f}" for x in runs)
        show(f"{side} (runs: {times})", best["seconds"], best["requests"],
             f"  [create {best['create_execution']:.2f} s, stage {best['stage']:.2f} s, "
             f"upload {best['upload']:.2f} s; {best['megabytes'] / best['seconds']:.0f} MB/s]")
    if len(results) == 2:
        ours, theirs = (min(x["seconds"] for x in results[s]) for s in ("ours", "deriva-ml"))
        print(f"  {'ratio ours/deriva-ml (best of each)':<50} {ours / theirs:8.2f}x "
              f"(target <= {TARGETS['upload']}x)")


# -- 2. one small execution, end to end ----------------------------------------------------
def bench_small(args, sides: dict[str, tuple[str, str]], repo: Path, env: dict) -> None:
    print("2. one execution with one 1 KB output: `python -c` import + connect + workflow + "
          "execution + upload, wall time")
    walls: dict[str, list[float]] = {side: [] for side in sides}
    requests: dict[str, dict] = {}
    phases: dict[str, dict] = {}
    bare: dict[str, list[float]] = {side: [] for side in sides}
    for _ in range(args.runs):
        for side, (python, catalog) in sides.items():
            parts = SMALL_SIDES[side]
            code = SMALL.format(host=args.host, catalog=catalog, imports=parts["imports"],
                                finish=parts["finish"], connect=parts["connect"].format(
                                    work=str(repo.parent / f"small-{side}")))
            elapsed, requests[side], stdout = counted_run([python, "-c", code], repo, env,
                                                          f"small run of {side}")
            walls[side].append(elapsed)
            phases[side] = last_json(stdout)
            bare[side].append(run([python, "-c", "pass"], repo, env, "python")[0])
    for side, times in walls.items():
        show(f"{side} (median of {len(times)}, best {min(times):.2f} s)",
             statistics.median(times), requests[side],
             f"  [bare interpreter {statistics.median(bare[side]):.2f} s]")
        print(f"  {'':<50}   last run: " + ", ".join(
            f"{step} {s:.2f} s/{n} req" for step, (s, n) in phases[side].items()))
    ours = statistics.median(walls["ours"])
    verdict = "ok" if ours <= TARGETS["small"] else "MISSED"
    print(f"  {'ours end to end (median)':<50} {ours:8.2f} s (target <= {TARGETS['small']} s: "
          f"{verdict})")
    if len(walls) == 2:
        print(f"  {'ratio ours/deriva-ml (medians)':<50} "
              f"{ours / statistics.median(walls['deriva-ml']):8.2f}x")


# -- 3. ours: demo, listing executions, a dataset as of an old version ---------------------
def timed(tally: dict[str, list], action: Callable[[], object]) -> tuple[float, dict, object]:
    before = deriva_runner.copy(tally)
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, deriva_runner.since(tally, before), result


def bench_ours(args, catalogs: Catalogs, repo: Path, env: dict) -> None:
    print("3. ours only")
    for command in ("init", "demo"):
        catalog = catalogs.new()
        argv = ["derivaml", command, "--host", args.host, "--catalog", catalog, "--quiet"]
        if command == "init":
            argv.remove("--quiet")
        elapsed, requests, _ = counted_run(
            [sys.executable, "-c", CLI.format(argv=argv)], repo, env, f"derivaml {command}")
        show(f"derivaml {command} on a new catalog", elapsed, requests)
    tally = deriva_runner.count_requests()
    from derivaml import DerivaML

    ml = DerivaML(args.host, catalog)  # the demo catalog
    bench_listing(args, ml, tally)
    bench_old_version(args, ml, tally)


def bench_listing(args, ml, tally: dict[str, list]) -> None:
    from derivaml import ExecutionConfiguration, Status
    from derivaml_jupyter.server.views import execution_list

    n = args.executions
    ml.add_term("Workflow_Type", "Benchmark", description="Benchmark runs.")
    workflow = ml.create_workflow("Listing benchmark", "Benchmark")
    workflow.allow_dirty = True
    first = ml.create_execution(ExecutionConfiguration(workflow=workflow))
    rows = [ml.profile.execution_values(
        Workflow=first.workflow_rid, Description=f"Listed execution {i}",
        Status=Status.uploaded, Status_Detail="Inserted by bench_deriva.py") for i in range(n)]
    batch = 10_000
    seconds, requests, _ = timed(tally, lambda: [
        ml.catalog.insert("deriva-ml", "Execution", rows[i:i + batch])
        for i in range(0, n, batch)])
    show(f"insert {n:,} Execution rows ({batch:,} a call)", seconds, requests,
         f"  [{n / seconds:,.0f} rows/s]")
    seconds, requests, found = timed(tally, ml.find_executions)
    show(f"find_executions() -> {len(found):,} records", seconds, requests)
    for offset in (0, n - 50):
        seconds, requests, page = timed(
            tally, lambda o=offset: execution_list(ml, None, None, 50, o))
        show(f"Runs sidebar page: 50 at offset {offset:,}", seconds, requests)
    seconds, requests, count = timed(tally, lambda: sum(
        1 for _ in ml.catalog.iter_rows("deriva-ml", "Execution", page_size=1000)))
    show(f"keyset paging, 1000 a page -> {count:,} rows", seconds, requests)


def bench_old_version(args, ml, tally: dict[str, list]) -> None:
    dataset, version = edited_dataset(ml, args.members)  # as bench_catalog.py reads locally
    for label, at in ((f"old version {version}", version), ("current version", None)):
        seconds, requests, members = timed(
            tally, lambda v=at: ml.list_dataset_members(dataset, version=v))
        show(f"list_dataset_members, {label} -> {len(members['Member']):,}", seconds,
             requests)
    seconds, requests, _ = timed(tally, lambda: ml.list_dataset_members_page(
        dataset, "Member", limit=100, version=version))
    show("first page of 100 members, old version", seconds, requests)


def setup_sides(args, catalogs: Catalogs, repo: Path, env: dict) -> dict[str, tuple[str, str]]:
    """``{side: (python, catalog)}``: a new catalog for ours and, when deriva-ml's Python
    exists, one made by deriva-ml; each has the ``Benchmark`` workflow type."""
    from derivaml import DerivaML

    started = time.perf_counter()
    sides = {"ours": (sys.executable, catalogs.new())}
    DerivaML(args.host, sides["ours"][1]).add_term(
        "Workflow_Type", "Benchmark", description="Benchmark runs.")
    print(f"ours: catalog {sides['ours'][1]} ready in {time.perf_counter() - started:.1f} s")
    if not args.deriva_ml_python.exists():
        print(f"{args.deriva_ml_python} does not exist: parts 1 and 2 run ours only "
              "(pass --deriva-ml-python to compare with deriva-ml).")
        return sides
    _, stdout = run([str(args.deriva_ml_python), RUNNER, "setup-deriva-ml", args.host], repo,
                    env, "deriva-ml catalog setup")
    made = last_json(stdout)
    sides["deriva-ml"] = (str(args.deriva_ml_python), catalogs.adopt(made["catalog_id"]))
    print(f"deriva-ml: catalog {made['catalog_id']} ready in {made['seconds']:.1f} s")
    return sides


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("DERIVAML_TEST_HOST"),
                        help="DERIVA server (default: $DERIVAML_TEST_HOST)")
    parser.add_argument("--deriva-ml-python", type=Path, default=DEFAULT_DML_PYTHON,
                        help=f"Python with deriva-ml installed (default: {DEFAULT_DML_PYTHON})")
    parser.add_argument("--runs", type=int, default=3, help="runs per side in parts 1 and 2")
    parser.add_argument("--small-files", type=int, default=200)
    parser.add_argument("--small-kb", type=int, default=100)
    parser.add_argument("--big-mb", type=int, default=200)
    parser.add_argument("--executions", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--skip", default="", help="comma-separated: upload, small, ours")
    args = parser.parse_args()
    if not args.host:
        sys.exit("No DERIVA server to measure: pass --host HOST or set DERIVAML_TEST_HOST "
                 "(and log in to it first, so that deriva-py's credential file holds a login).")
    skip = set(filter(None, args.skip.split(",")))
    catalogs = Catalogs(args.host)
    with tempfile.TemporaryDirectory(prefix="bench-deriva-") as tmp:
        repo = make_repo(Path(tmp) / "repo")
        os.environ["DERIVAML_HOME"] = str(Path(tmp) / "home")
        env = dict(os.environ)
        try:
            if {"upload", "small"} - skip:
                sides = setup_sides(args, catalogs, repo, env)
            if "upload" not in skip:
                bench_upload(args, sides, repo, env)
            if "small" not in skip:
                bench_small(args, sides, repo, env)
            if "ours" not in skip:
                bench_ours(args, catalogs, repo, env)
        finally:
            catalogs.delete_all()


if __name__ == "__main__":
    main()
