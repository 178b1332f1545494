"""The durable record of headless runs started from Jupyter: one row per run in a small SQLite
file (``$DERIVAML_HOME/runs/runs.sqlite``), so a restarted server still lists them."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

SCHEMA = """CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, owner TEXT NOT NULL, kind TEXT NOT NULL,
    target TEXT NOT NULL, overrides TEXT NOT NULL, status TEXT NOT NULL, status_detail TEXT,
    exit_code INTEGER, host TEXT, catalog TEXT, execution_rid TEXT, started REAL NOT NULL,
    ended REAL, pid INTEGER, pgid INTEGER, leader TEXT, log_path TEXT)"""


class RunStore:
    """Rows of runs in the SQLite file ``path`` (WAL, so several servers may share it)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(self._connect()) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        db.row_factory = sqlite3.Row
        return db

    def add(self, **values: Any) -> int:
        """A new row (``overrides`` a list), its id."""
        values["overrides"] = json.dumps(values.get("overrides", []))
        names = ", ".join(values)
        with closing(self._connect()) as db, db:
            cursor = db.execute(f"INSERT INTO runs ({names}) VALUES "
                                f"({', '.join('?' * len(values))})", tuple(values.values()))
            return int(cursor.lastrowid)

    def update(self, run_id: int, when_status: str | None = None, **values: Any) -> bool:
        """Set ``values`` of run ``run_id`` (only while its status is ``when_status``, if
        given); whether the row changed."""
        sets = ", ".join(f"{name} = ?" for name in values)
        condition = "id = ?" + (" AND status = ?" if when_status else "")
        arguments = (*values.values(), run_id, *([when_status] if when_status else []))
        with closing(self._connect()) as db, db:
            return db.execute(f"UPDATE runs SET {sets} WHERE {condition}",
                              arguments).rowcount == 1

    def get(self, run_id: int) -> dict[str, Any] | None:
        with closing(self._connect()) as db:
            row = db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        return None if row is None else _record(row)

    def ended_before(self, time: float) -> list[dict[str, Any]]:
        """The runs that ended before ``time`` (seconds since the epoch), oldest first."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT * FROM runs WHERE ended IS NOT NULL AND ended < ? "
                              "ORDER BY id", (time,)).fetchall()
        return [_record(row) for row in rows]

    def forget(self, run_ids: list[int]) -> None:
        """Delete the rows of ``run_ids``."""
        with closing(self._connect()) as db, db:
            db.executemany("DELETE FROM runs WHERE id = ?", [(i,) for i in run_ids])

    def list(self, owner: str) -> list[dict[str, Any]]:
        """``owner``'s runs, newest first."""
        with closing(self._connect()) as db:
            rows = db.execute("SELECT * FROM runs WHERE owner = ? ORDER BY id DESC",
                              (owner,)).fetchall()
        return [_record(row) for row in rows]


def _record(row: sqlite3.Row) -> dict[str, Any]:
    record = dict(row)
    record["overrides"] = json.loads(record["overrides"])
    return record
