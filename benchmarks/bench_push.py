"""``derivaml push`` against a real server: one execution recorded on a local catalog and
pushed to a DERIVA catalog, vs the same execution recorded directly on the server, in the
same run.

The execution is bench_deriva's: parameters, a metric and 201 output files (200 x 100 KB +
1 x 200 MB of fresh random bytes, so nothing is deduplicated), run by ``deriva_runner.py``
from a committed file of a scratch git repository. Direct: seconds from ``create_execution``
until ``upload_execution_outputs`` returns, on a new server catalog. Push: the same run on a
local catalog, then ``push_executions`` to another new server catalog, timed in its own
process (the workflow, execution, 202 asset rows and files, their type and execution links,
the ledger). Target: push <= 1.2x direct (issue 12). Requests are counted by kind. Every
catalog it makes is deleted at the end.

    REQUESTS_CA_BUNDLE=... python benchmarks/bench_push.py [--host H] [--runs 3]
        [--small-files 200] [--small-kb 100] [--big-mb 200]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from bench_deriva import RUNNER, Catalogs, counted_run, last_json, make_repo, run, show

TARGET = 1.2
ADD_TERM = ("from derivaml import DerivaML; DerivaML('local', 'bench').add_term("
            "'Workflow_Type', 'Benchmark', description='Benchmark runs.')")
PUSH = """import json, time, deriva_runner; deriva_runner.count_requests()
from derivaml import DerivaML
from derivaml_jupyter.catalog.push import push_executions
ml = DerivaML("local", "bench")
started = time.perf_counter()
result = push_executions(ml, {host!r}, {catalog!r}, [{rid!r}], progress=lambda *_: None)
print(json.dumps({{"seconds": time.perf_counter() - started, "rows": result.rows_inserted,
                  "files": result.files_uploaded}}))
"""


def new_catalog(catalogs: Catalogs, host: str) -> str:
    """A new server catalog with DerivaML's schema and the ``Benchmark`` workflow type."""
    from derivaml import DerivaML

    catalog = catalogs.new()
    DerivaML(host, catalog).add_term("Workflow_Type", "Benchmark", description="Benchmark runs.")
    return catalog


def one_round(args, catalogs: Catalogs, repo: Path, env: dict, r: int) -> dict:
    """Seconds (and requests) of a direct run, a local run and its push."""
    sizes = [str(args.small_files), str(args.small_kb), str(args.big_mb)]
    measured = {}
    direct = repo.parent / f"direct-{r}"
    _, stdout = run([sys.executable, RUNNER, "upload", "ours", args.host,
                     new_catalog(catalogs, args.host), str(direct), *sizes], repo, env,
                    "direct run")
    measured["direct"] = last_json(stdout)
    shutil.rmtree(direct, ignore_errors=True)
    work = repo.parent / f"local-{r}"
    local_env = {**env, "DERIVAML_HOME": str(work / "home")}
    run([sys.executable, "-c", ADD_TERM], repo, local_env, "local catalog setup")
    _, stdout = run([sys.executable, RUNNER, "upload", "ours", "local", "bench", str(work),
                     *sizes], repo, env, "local run")
    measured["local"] = last_json(stdout)
    code = PUSH.format(host=args.host, catalog=new_catalog(catalogs, args.host),
                       rid=measured["local"]["execution"])
    _, requests, stdout = counted_run([sys.executable, "-c", code], repo, local_env, "push")
    measured["push"] = {**last_json(stdout), "requests": requests}
    shutil.rmtree(work, ignore_errors=True)
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default=os.environ.get("DERIVAML_TEST_HOST"),
                        help="DERIVA server (default: $DERIVAML_TEST_HOST)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--small-files", type=int, default=200)
    parser.add_argument("--small-kb", type=int, default=100)
    parser.add_argument("--big-mb", type=int, default=200)
    args = parser.parse_args()
    if not args.host:
        sys.exit("No DERIVA server to measure: pass --host HOST or set DERIVAML_TEST_HOST "
                 "(and log in to it first).")
    catalogs = Catalogs(args.host)
    big = f" + 1 x {args.big_mb} MB" if args.big_mb else ""
    print(f"one execution, params + metric + {args.small_files} x {args.small_kb} KB{big}")
    with tempfile.TemporaryDirectory(prefix="bench-push-") as tmp:
        repo = make_repo(Path(tmp) / "repo")
        env = {**os.environ, "DERIVAML_HOME": str(Path(tmp) / "home")}
        try:
            rounds = [one_round(args, catalogs, repo, env, r) for r in range(args.runs)]
        finally:
            catalogs.delete_all()
    for name, label in (("direct", "recorded on the server"), ("local", "recorded locally"),
                        ("push", "pushed to the server")):
        runs = [x[name] for x in rounds]
        best = min(runs, key=lambda x: x["seconds"])
        times = ", ".join(f"{x['seconds']:.2f}" for x in runs)
        show(f"{label} (runs: {times})", best["seconds"], best.get("requests"))
    direct, push = (min(x[k]["seconds"] for x in rounds) for k in ("direct", "push"))
    verdict = "met" if push <= TARGET * direct else "MISSED"
    print(f"  {'ratio push / direct (best of each)':<50} {push / direct:8.2f}x "
          f"(target <= {TARGET}x: {verdict})")
    print("  per round: " + "; ".join(
        f"{x['push']['seconds'] / x['direct']['seconds']:.2f}x" for x in rounds))


if __name__ == "__main__":
    main()
