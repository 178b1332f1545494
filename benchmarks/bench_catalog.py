"""Local catalog throughput against raw ``sqlite3`` doing the same work in the same run.

Three measurements, each printed as rows/s for ours and for raw sqlite3, and the ratio of
the times (ours / raw; lower is better):

1. bulk inserts of 100k rows, as a user would send them: 10 batches of 10k, and one batch
   of 100k. Raw sqlite3 writes the same columns (system columns included) into a table in WAL
   mode, one transaction per batch, with ``executemany``.
2. keyset paging through those 100k rows, 1000 rows a page (``iter_rows``); raw sqlite3 runs
   ``WHERE RID > ? ORDER BY RID LIMIT 1000`` (no OFFSET) and builds the same row dicts.
3. reading a dataset of 10k members as of its first version after later edits (members
   removed, member rows updated, new rows): ours reads through the history tables; raw sqlite3
   reads the same number of member rows of a plain association join (no history), so the
   ratio is the price of time travel.

Times are CPU time of this process (best of ``--repeat`` interleaved runs), so other work on
a shared machine does not skew the ratios; ``--wall`` measures wall-clock time instead.
Targets: bulk inserts within 3x of raw sqlite3, paged reads within 2x.

    python benchmarks/bench_catalog.py [--rows 100000] [--members 10000] [--repeat 3] [--wall]
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TARGETS = {"insert": 3.0, "page": 2.0}
PAGE = 1000
COLUMNS = {"Name": "text", "Value": "int4", "Score": "float8", "Label": "text"}


def make_rows(n: int, start: int = 0) -> list[dict]:
    return [{"Name": f"row-{i}", "Value": i % 1000, "Score": i * 0.5, "Label": f"L{i % 7}"}
            for i in range(start, start + n)]


CLOCK = time.process_time  # CPU time: other work on a shared machine does not skew ratios


def timed(action: Callable[[], object]) -> float:
    started = CLOCK()
    action()
    return CLOCK() - started


class RawSQLite:
    """The baseline: one SQLite file, same columns, WAL, one transaction per batch."""

    def __init__(self, path: Path):
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.next_id = 0
        self.names = ["RID", "RCT", "RMT", "RCB", "RMB", *COLUMNS]

    def create(self, table: str) -> None:
        self.conn.execute(
            f'CREATE TABLE "{table}" (RID TEXT PRIMARY KEY, RCT TEXT, RMT TEXT, RCB TEXT, '
            'RMB TEXT, Name TEXT, Value INTEGER, Score REAL, Label TEXT)')

    def insert(self, table: str, rows: list[dict]) -> None:
        now = time.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        values = []
        for row in rows:
            self.next_id += 1
            values.append((f"{self.next_id:010d}", now, now, "raw", "raw", row["Name"],
                           row["Value"], row["Score"], row["Label"]))
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * 9)})', values)
        self.conn.execute("COMMIT")

    def page_through(self, table: str) -> int:
        seen, last = 0, ""
        sql = f'SELECT * FROM "{table}" WHERE RID > ? ORDER BY RID LIMIT {PAGE}'
        while True:
            page = [dict(zip(self.names, v)) for v in self.conn.execute(sql, (last,))]
            seen += len(page)
            if len(page) < PAGE:
                return seen
            last = page[-1]["RID"]

    def add_members(self, members: int) -> None:
        """A ``Member`` table and a dataset ``D`` holding its rows."""
        self.create("Member")
        self.conn.execute('CREATE TABLE "Dataset_Member" (Dataset TEXT, Member TEXT, '
                          'UNIQUE (Dataset, Member))')
        self.insert("Member", make_rows(members))
        self.conn.execute("BEGIN")
        self.conn.execute('INSERT INTO "Dataset_Member" SELECT \'D\', RID FROM "Member"')
        self.conn.execute("COMMIT")

    def read_members(self) -> int:
        """Read the member rows of ``D`` the way ours does: link rows, then member rows."""
        rids = [r for (r,) in self.conn.execute(
            'SELECT Member FROM "Dataset_Member" WHERE Dataset = ?', ("D",))]
        return len([dict(zip(self.names, v)) for v in self.conn.execute(
            'SELECT * FROM "Member" WHERE RID IN (SELECT value FROM json_each(?))',
            (json.dumps(rids),))])


def report(name: str, rows: int, ours: float, raw: float, target: float | None) -> None:
    ratio = ours / raw
    verdict = "" if target is None else (" ok" if ratio <= target else f" MISSED (>{target}x)")
    print(f"{name:<38} ours {rows / ours:>10,.0f} rows/s   raw sqlite3 {rows / raw:>10,.0f} "
          f"rows/s   ratio {ratio:4.2f}x{verdict}")


def best_of(repeat: int, ours: Callable[[int], float], raw: Callable[[int], float]
            ) -> tuple[float, float]:
    """The best time of each side over ``repeat`` interleaved runs (the machine may be busy);
    each callable gets the run number and returns its time."""
    times = [(ours(r), raw(r)) for r in range(repeat)]
    return min(t[0] for t in times), min(t[1] for t in times)


def bench_inserts_and_paging(catalog, raw: RawSQLite, n: int, repeat: int) -> None:
    from derivaml_jupyter.catalog import Column, Table

    for r in range(repeat):
        for table in (f"Batched{r}", f"OneBatch{r}"):
            catalog.create_table(Table("bench", table,
                                       [Column(c, t) for c, t in COLUMNS.items()]))
            raw.create(table)
    batch = n // 10
    batches = [make_rows(batch, i * batch) for i in range(10)]
    report(f"insert 10 x {batch:,}", n, *best_of(
        repeat, lambda r: sum(timed(lambda b=b: catalog.insert("bench", f"Batched{r}", b))
                              for b in batches),
        lambda r: sum(timed(lambda b=b: raw.insert(f"Batched{r}", b)) for b in batches)),
        TARGETS["insert"])
    rows = make_rows(n)
    report(f"insert 1 x {n:,}", n, *best_of(
        repeat, lambda r: timed(lambda: catalog.insert("bench", f"OneBatch{r}", rows)),
        lambda r: timed(lambda: raw.insert(f"OneBatch{r}", rows))), TARGETS["insert"])
    count = []
    report(f"keyset paging, {PAGE} rows a page", n, *best_of(
        repeat, lambda r: timed(lambda: count.append(sum(1 for _ in catalog.iter_rows(
            "bench", "Batched0", page_size=PAGE)))),
        lambda r: timed(lambda: count.append(raw.page_through("Batched0")))), TARGETS["page"])
    assert count == [n] * 2 * repeat, count


def edited_dataset(ml, members: int) -> tuple:
    """A dataset of ``members`` new ``Member`` rows, then edited: a fifth of them removed,
    three tenths of the rows updated, ``members`` new rows added. Returns the dataset and its
    version before the edits (``bench_deriva.py`` reads it on a server)."""
    ml.create_table("Member", COLUMNS)
    ml.add_dataset_element_type("Member")
    rids = [r["RID"] for r in ml.insert_rows("Member", make_rows(members))]
    ds = ml.create_dataset("Complete", description="benchmark")
    ml.add_dataset_members(ds, rids)
    version = ds.current_version
    ml.delete_dataset_members(ds, rids[: members // 5])
    ml.catalog.update(ml.domain_schema, "Member",
                      [{"RID": r, "Value": -1} for r in rids[members // 5: members // 2]])
    ml.add_dataset_members(ds, [r["RID"] for r in ml.insert_rows("Member",
                                                                 make_rows(members, members))])
    return ds, version


def bench_snapshot_read(ml, raw: RawSQLite, members: int, repeat: int) -> None:
    ds, version = edited_dataset(ml, members)
    raw.add_members(members)
    found = []
    report(f"dataset of {members:,} as of an old version", members, *best_of(
        repeat, lambda r: timed(lambda: found.append(len(ml.list_dataset_members(
            ds, version=version)["Member"]))),
        lambda r: timed(lambda: found.append(raw.read_members()))), None)
    assert found == [members] * 2 * repeat, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; best is kept")
    parser.add_argument("--wall", action="store_true", help="wall-clock instead of CPU time")
    args = parser.parse_args()
    if args.wall:
        global CLOCK
        CLOCK = time.perf_counter
    with tempfile.TemporaryDirectory(prefix="derivaml-bench-") as tmp:
        os.environ["DERIVAML_HOME"] = tmp
        from derivaml_jupyter.ml import DerivaML

        ml = DerivaML("local", "bench")
        ml.catalog.create_schema("bench")
        raw = RawSQLite(Path(tmp) / "raw.db")
        bench_inserts_and_paging(ml.catalog, raw, args.rows, args.repeat)
        bench_snapshot_read(ml, raw, args.members, args.repeat)


if __name__ == "__main__":
    main()
