"""The executions page the sidebar polls (``GET /derivaml/api/executions``) at 100k and 1M rows
of the local catalog, against raw ``sqlite3`` answering the same page from the same file.

One catalog grows to each ``--rows`` size in turn (rows inserted through ``catalog.insert`` in
batches of 10k, one workflow, statuses in turn). At each size, ``--calls`` timed calls of each:

- ours: ``views.execution_list`` (what the handler runs: the workflows' names, the count, the
  page, the ETag) for the first page of 50, the page after a cursor halfway down, and the
  first page of one status;
- raw: the same three queries in plain SQL on the same file (names, ``count(*)``, ``ORDER BY
  RCT DESC, RID LIMIT 51`` over the catalog's index), building the same row dicts;
- before (at sizes up to ``--before-max``): what the handler did before keyset paging,
  ``find_executions(sort=True)`` then a slice.

Prints p50 and p95 (wall clock, ms) and the ratio ours / raw of the p50s. Target: p95 below
50 ms at 100k rows.

    python benchmarks/bench_listing.py [--rows 100000,1000000] [--calls 200] [--before-max 100000]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable

TARGET_P95_MS = 50.0
BATCH = 10_000
PAGE = 50


def percentiles(action: Callable[[], object], calls: int) -> tuple[float, float]:
    """p50 and p95 of ``calls`` timed calls of ``action``, in ms."""
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(times, n=20)
    return statistics.median(times), cuts[18]


def grow(ml, workflow: str, statuses: list[str], start: int, stop: int) -> None:
    """Insert executions ``start`` .. ``stop - 1`` in batches."""
    from derivaml_jupyter.core.definitions import ML_SCHEMA

    for first in range(start, stop, BATCH):
        ml.catalog.insert(ML_SCHEMA, "Execution", [
            {"Workflow": workflow, "Description": f"run {i}",
             "Status": statuses[i % len(statuses)], "Status_Detail": ""}
            for i in range(first, min(first + BATCH, stop))])


def raw_page(conn: sqlite3.Connection, status: str | None = None) -> dict:
    """The first page, its total and its workflows' names in plain SQL."""
    where, params = ("WHERE Status = ?", [status]) if status else ("", [])
    names = dict(conn.execute('SELECT RID, Name FROM "deriva-ml:Workflow"'))
    total = conn.execute(f'SELECT count(*) FROM "deriva-ml:Execution" {where}',
                         params).fetchone()[0]
    cursor = conn.execute(
        'SELECT RID, Workflow, Description, Status, Status_Detail, Start_Time, '
        'Execution_Duration AS Duration '
        f'FROM "deriva-ml:Execution" {where} ORDER BY RCT DESC, RID LIMIT {PAGE + 1}', params)
    columns = [c[0] for c in cursor.description]
    rows = [dict(zip(columns, values)) for values in cursor]
    return {"total": total, "executions": [
        {**r, "Workflow": names.get(r["Workflow"]), "Workflow_RID": r["Workflow"]}
        for r in rows[:PAGE]]}


def report(name: str, ours: tuple[float, float], raw: tuple[float, float] | None) -> None:
    ratio = f"{ours[0] / raw[0]:6.1f}x raw" if raw else ""
    verdict = "met" if ours[1] < TARGET_P95_MS else "MISSED"
    print(f"  {name:<34} p50 {ours[0]:8.2f} ms  p95 {ours[1]:8.2f} ms  {ratio}"
          f"  (p95 < {TARGET_P95_MS:.0f} ms: {verdict})")


def bench_size(ml, conn: sqlite3.Connection, rows: int, calls: int, before: bool) -> None:
    from derivaml_jupyter.server import views

    print(f"{rows:,} executions")
    first = views.execution_list(ml, None, None, PAGE, 0)
    assert first["total"] == rows and len(first["executions"]) == PAGE
    middle = views.execution_list(ml, None, None, rows // 2, 0)["next"]
    raw = percentiles(lambda: raw_page(conn), calls)
    print(f"  {'raw sqlite3, first page':<34} p50 {raw[0]:8.2f} ms  p95 {raw[1]:8.2f} ms")
    report("ours, first page", percentiles(
        lambda: views.execution_list(ml, None, None, PAGE, 0), calls), raw)
    report("ours, page after a middle cursor", percentiles(
        lambda: views.execution_list(ml, None, None, PAGE, 0, middle), calls), raw)
    raw_failed = percentiles(lambda: raw_page(conn, "Failed"), calls)
    print(f"  {'raw sqlite3, first Failed page':<34} p50 {raw_failed[0]:8.2f} ms  "
          f"p95 {raw_failed[1]:8.2f} ms")
    report("ours, first Failed page", percentiles(
        lambda: views.execution_list(ml, "Failed", None, PAGE, 0), calls), raw_failed)
    if before:
        report("before: find_executions + slice", percentiles(
            lambda: ml.find_executions(sort=True)[:PAGE].to_dataframe(), 5), raw)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="100000,1000000",
                        help="catalog sizes, comma-separated, increasing")
    parser.add_argument("--calls", type=int, default=200, help="timed calls per measurement")
    parser.add_argument("--before-max", type=int, default=100_000,
                        help="largest size at which the old full read is timed too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        os.environ["DERIVAML_HOME"] = home
        from derivaml_jupyter.core.definitions import Status
        from derivaml_jupyter.execution.configuration import ExecutionConfiguration
        from derivaml_jupyter.ml import DerivaML

        ml = DerivaML()
        workflow = ml.create_workflow("Listing benchmark", "Training")
        ml.create_execution(ExecutionConfiguration(workflow=workflow, description="first"))
        workflow_rid = ml.find_executions()[0].workflow_rid
        statuses = [ml.profile.status_words(s)[0] for s in (
            Status.created, Status.running, Status.completed, Status.failed)]
        conn = sqlite3.connect(ml.catalog.path / "catalog.db")
        size = 1
        for rows in sorted(int(n) for n in args.rows.split(",")):
            started = time.perf_counter()
            grow(ml, workflow_rid, statuses, size, rows)
            print(f"(inserted {rows - size:,} rows in {time.perf_counter() - started:.1f} s)")
            size = rows
            bench_size(ml, conn, rows, args.calls, rows <= args.before_max)


if __name__ == "__main__":
    main()
