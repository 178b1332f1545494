"""``LocalCatalog``: the catalog contract on one SQLite file plus a file object store.

Safe for many processes at once: WAL journaling, a long busy timeout, and every write in a
``BEGIN IMMEDIATE`` transaction (retried while another writer holds the lock). Each write
transaction takes the next snapshot id (microseconds since the epoch, strictly increasing),
stamps RCT/RMT with it, and the history triggers record row versions under it.
"""

from __future__ import annotations

import getpass
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ...core.errors import (
    DerivaMLConflict,
    DerivaMLException,
    DerivaMLNotFound,
    DerivaMLRidsNotFound,
    DerivaMLValidationError,
)
from ...core.rid import decode, encode, normalize_rid
from ..contract import (
    COLUMN_TYPES,
    SYSTEM_COLUMNS,
    AtLeast,
    Catalog,
    Column,
    Contains,
    ForeignKey,
    Model,
    ObjectInfo,
    Progress,
    ResolvedRID,
    Table,
    Where,
    check_annotation_target,
    check_name_length,
)
from . import ddl
from .objects import ObjectStore

BUSY_TIMEOUT_S = 60.0
LOCK_RETRY_S = 600.0
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\- ]*$")
# RIDs already in canonical form (no leading zeros, upper case, dashed groups of four).
_CANONICAL_RID = re.compile(
    r"^(?:[1-9A-HJKMNP-TV-Z][0-9A-HJKMNP-TV-Z]{0,3}(?:-[0-9A-HJKMNP-TV-Z]{4})*|0)$")


def snapshot_time(snap: int) -> str:
    """The ISO timestamp of a snapshot id."""
    return datetime.fromtimestamp(snap / 1e6, tz=UTC).isoformat()


class LocalCatalog(Catalog):
    """A catalog stored in the directory ``path`` (created if missing)."""

    def __init__(self, path: Path, *, hostname: str = "local", catalog_id: str = "default"):
        self.path = Path(path)
        self.hostname = hostname
        self.catalog_id = catalog_id
        self.path.mkdir(parents=True, exist_ok=True)
        self.objects = ObjectStore(self.path / "hatrac")
        self._lock = threading.RLock()
        self._depth = 0
        self._txn_snapshot = 0
        self._model: Model | None = None
        self._user = f"local:{getpass.getuser()}"
        self._conn = sqlite3.connect(
            self.path / "catalog.db", timeout=BUSY_TIMEOUT_S, isolation_level=None,
            check_same_thread=False,
        )
        self._retry_locked(lambda: self._conn.execute("PRAGMA journal_mode=WAL"))
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute("PRAGMA foreign_keys=ON")
        if not self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name=?", (ddl.BOOTSTRAP_LAST,)
        ).fetchone():
            with self.transaction(bootstrap=True):
                for statement in ddl.BOOTSTRAP.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
        if missing := ddl.missing_index_statements(self._conn):
            with self.transaction(bootstrap=True):
                for statement in missing:
                    self._conn.execute(statement)

    def close(self) -> None:
        self._conn.close()

    def __repr__(self) -> str:
        return f"LocalCatalog({str(self.path)!r})"

    # -- transactions ----------------------------------------------------------------------
    def _retry_locked(self, action):
        deadline = time.monotonic() + LOCK_RETRY_S
        delay = 0.01
        while True:
            try:
                return action()
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) and "busy" not in str(e):
                    raise
                if time.monotonic() > deadline:
                    raise DerivaMLException(
                        f"The catalog {self.path} stayed locked by another writer for "
                        f"{LOCK_RETRY_S:.0f}s; is a process stuck holding it?"
                    ) from e
                time.sleep(delay)
                delay = min(delay * 2, 0.5)

    @contextmanager
    def transaction(self, bootstrap: bool = False) -> Iterator[None]:
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._retry_locked(lambda: self._conn.execute("BEGIN IMMEDIATE"))
            self._depth = 1
            try:
                if not bootstrap:
                    self._begin_snapshot()
                yield
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0

    def _begin_snapshot(self) -> None:
        last = self._conn.execute("SELECT value FROM _state WHERE name='snapshot'").fetchone()[0]
        snap = max(int(time.time() * 1e6), last + 1)
        self._conn.execute(
            "UPDATE _state SET value=? WHERE name IN ('snapshot', 'txn_snapshot')", (snap,)
        )
        self._txn_snapshot = snap

    def snapshot(self) -> str:
        return encode(self._current_snapshot())

    def _current_snapshot(self) -> int:
        with self._lock:
            return self._conn.execute(
                "SELECT value FROM _state WHERE name='snapshot'"
            ).fetchone()[0]

    def _parse_snapshot(self, snapshot: str) -> int:
        snap = decode(snapshot)
        if snap > self._current_snapshot():
            raise DerivaMLNotFound(
                f"Snapshot {snapshot} is not a snapshot of catalog {self.catalog_id}: it is "
                "later than its latest change. Use a snapshot recorded by this catalog."
            )
        return snap

    # -- model -----------------------------------------------------------------------------
    def model(self, snapshot: str | None = None) -> Model:
        """The model; the same as of any snapshot, since a table or column added later reads
        as empty or null at earlier snapshots here."""
        if snapshot is not None:
            self._parse_snapshot(snapshot)
        with self._lock:
            if self._model is None:
                model = Model()
                for (name,) in self._conn.execute("SELECT name FROM _schema"):
                    model.schemas[name] = {}
                for (definition,) in self._conn.execute("SELECT definition FROM _model"):
                    t = Table.from_dict(json.loads(definition))
                    model.schemas.setdefault(t.schema, {})[t.name] = t
                self._model = model
            return self._model

    def _table(self, schema: str, table: str) -> Table:
        model = self.model()
        if not model.has_table(schema, table):
            self._model = None  # another process may have created it
            model = self.model()
        return model.table(schema, table)

    def create_schema(self, name: str, comment: str = "") -> None:
        self._check_name(name, "schema")
        with self.transaction():
            self._conn.execute("INSERT OR IGNORE INTO _schema VALUES (?, ?)", (name, comment))
        self._model = None

    def create_table(self, table: Table) -> Table:
        self._check_name(table.name, "table")
        t = ddl.with_system_columns(table)
        for c in t.columns:
            if c.type not in COLUMN_TYPES:
                raise DerivaMLValidationError(
                    f"Column {c.name} of {t.name} has unknown type {c.type!r}; "
                    f"use one of {', '.join(sorted(COLUMN_TYPES))}."
                )
        with self.transaction():
            self._model = None
            existing = self.model().check_new_table(t)
            if existing:
                return existing
            for stmt in ddl.create_statements(t):
                self._conn.execute(stmt)
            self._conn.execute(
                "INSERT INTO _model VALUES (?, ?, ?)", (t.schema, t.name, json.dumps(t.to_dict()))
            )
            self._model = None
        return t

    def add_column(self, schema: str, table: str, column: Column,
                   foreign_key: ForeignKey | None = None) -> Table:
        self._check_name(column.name, "column")
        if column.type not in COLUMN_TYPES:
            raise DerivaMLValidationError(
                f"Column {column.name} of {table} has unknown type {column.type!r}; "
                f"use one of {', '.join(sorted(COLUMN_TYPES))}.")
        with self.transaction():
            self._model = None
            t = self._table(schema, table)
            if column.name in t.column_names:
                return t
            if foreign_key is not None:
                self.model().table(foreign_key.pk_schema, foreign_key.pk_table)
            t = Table(t.schema, t.name, [*t.columns, replace(column, nullok=True)], t.keys,
                      t.foreign_keys + ([foreign_key] if foreign_key else []), t.kind,
                      t.comment)
            for stmt in ddl.add_column_statements(t, column, foreign_key):
                self._conn.execute(stmt)
            self._conn.execute("UPDATE _model SET definition = ? WHERE schema = ? AND name = ?",
                               (json.dumps(t.to_dict()), schema, table))
            self._model = None
        return t

    # -- annotations -----------------------------------------------------------------------
    def _annotation_target(self, schema: str | None, table: str | None,
                           column: str | None) -> tuple[str, str, str]:
        """The key of the annotated object: ``("", "", "")`` for the catalog."""
        if check_annotation_target(schema, table, column):
            t = self._table(schema, table)
            if column is not None:
                t.column(column)
        return schema or "", table or "", column or ""

    def annotations(self, schema: str | None = None, table: str | None = None,
                    column: str | None = None) -> dict[str, Any]:
        key = self._annotation_target(schema, table, column)
        with self._lock:
            rows = self._conn.execute(
                "SELECT tag, value FROM _annotation WHERE schema=? AND tbl=? AND col=? "
                "ORDER BY tag", key).fetchall()
        return {tag: json.loads(value) for tag, value in rows}

    def update_annotations(self, changes: Mapping[str, Any], removed: Iterable[str] = (),
                           schema: str | None = None, table: str | None = None,
                           column: str | None = None) -> None:
        key = self._annotation_target(schema, table, column)
        values = [(*key, tag, json.dumps(value)) for tag, value in changes.items()]
        with self.transaction():
            self._conn.executemany("INSERT OR REPLACE INTO _annotation VALUES (?, ?, ?, ?, ?)",
                                   values)
            self._conn.executemany(
                "DELETE FROM _annotation WHERE schema=? AND tbl=? AND col=? AND tag=?",
                [(*key, tag) for tag in removed])

    @staticmethod
    def _check_name(name: str, what: str) -> None:
        if not isinstance(name, str) or not _NAME.match(name):
            raise DerivaMLValidationError(
                f"{name!r} is not a valid {what} name: start with a letter and use letters, "
                "digits, '_', '-' or spaces."
            )
        check_name_length(name, what)

    # -- rows ------------------------------------------------------------------------------
    def insert(self, schema: str, table: str, rows: Iterable[Mapping[str, Any]],
               *, on_conflict_skip: bool = False) -> list[dict]:
        t = self._table(schema, table)
        rows = list(rows)
        if not rows:
            return []
        names = t.written_columns(rows)
        defaults = [c for c in t.columns if c.default is not None and c.name not in names
                    and c.name not in SYSTEM_COLUMNS]
        all_names = list(SYSTEM_COLUMNS) + names + [c.name for c in defaults] + ["_valid_from"]
        encode_row = ddl.encoder([t.column(n) for n in names])
        sql = (
            f"INSERT INTO {ddl.qident(ddl.live_name(schema, table))} "
            f"({', '.join(map(ddl.qident, all_names))}) VALUES ({', '.join('?' * len(all_names))})"
        )
        if on_conflict_skip:
            sql += " ON CONFLICT DO NOTHING"
        with self.transaction():
            now = snapshot_time(self._txn_snapshot)
            (last,) = self._conn.execute(
                "UPDATE _state SET value = value + ? WHERE name='rid' RETURNING value",
                (len(rows),),
            ).fetchone()
            first = last - len(rows) + 1
            values, result = [], []
            user, snap, blank = self._user, self._txn_snapshot, dict.fromkeys(t.column_names)
            for i, row in enumerate(rows):
                rid = encode(first + i)
                filled = {c.name: _default(c, rid) for c in defaults}
                values.append((rid, now, now, user, user, *encode_row(row), *filled.values(),
                               snap))
                result.append({**blank, **row, "RID": rid, "RCT": now, "RMT": now, "RCB": user,
                               "RMB": user, **filled})
            self._run_write(t, sql, values, rows)
            if on_conflict_skip:
                return self.select(schema, table, where={"RID": [v[0] for v in values]})
        return result

    def import_rows(self, schema: str, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Insert rows copied from another catalog as they are, system columns included (a
        clone keeps RIDs); rows whose RID or unique key is here already are skipped. New RIDs
        minted later come after every RID imported. Returns how many rows were added."""
        t = self._table(schema, table)
        rows = list(rows)
        if not rows:
            return 0
        names = [n for n in t.column_names if n in SYSTEM_COLUMNS or any(n in r for r in rows)]
        encode_row = ddl.encoder([t.column(n) for n in names])
        sql = (f"INSERT INTO {ddl.qident(ddl.live_name(schema, table))} "
               f"({', '.join(map(ddl.qident, [*names, '_valid_from']))}) "
               f"VALUES ({', '.join('?' * (len(names) + 1))}) ON CONFLICT DO NOTHING")
        with self.transaction():
            before = self._conn.total_changes
            rows = [{**r, "RID": normalize_rid(r["RID"])} for r in rows]
            self._run_write(t, sql, [(*encode_row(r), self._txn_snapshot) for r in rows], rows)
            added = self._conn.total_changes - before
            self._conn.execute("UPDATE _state SET value = max(value, ?) WHERE name='rid'",
                               (max(decode(r["RID"]) for r in rows),))
        return added

    def _run_write(self, t: Table, sql: str, values: list[tuple], rows: list[Mapping]) -> None:
        try:
            self._conn.executemany(sql, values)
        except sqlite3.IntegrityError as e:
            raise self._integrity_error(t, str(e), rows) from None

    def _integrity_error(self, t: Table, message: str, rows: list[Mapping]) -> DerivaMLException:
        name = f"{t.schema}.{t.name}"
        if message.startswith("UNIQUE"):
            cols = [c.split(".", 1)[-1] for c in message.split(":", 1)[1].split(",")]
            return DerivaMLConflict(
                f"Cannot write {name}: a row with the same {', '.join(c.strip() for c in cols)} "
                "already exists. Look the existing row up instead of adding it again."
            )
        if message.startswith("NOT NULL"):
            col = message.split(".")[-1]
            return DerivaMLValidationError(f"Cannot write {name}: column {col} needs a value.")
        if "FOREIGN KEY" in message:
            for fk in t.foreign_keys:
                for row in rows:
                    value = tuple(row.get(c) for c in fk.columns)
                    if None in value or not all(c in row for c in fk.columns):
                        continue
                    found = self.count(fk.pk_schema, fk.pk_table,
                                       where=dict(zip(fk.pk_columns, value)))
                    if not found:
                        return DerivaMLNotFound(
                            f"Cannot write {name}: {', '.join(fk.columns)} = "
                            f"{', '.join(map(str, value))} does not match any "
                            f"{'/'.join(fk.pk_columns)} of {fk.pk_schema}.{fk.pk_table}."
                        )
            return DerivaMLConflict(
                f"Cannot change {name}: other rows still refer to the rows being changed."
            )
        return DerivaMLException(f"Cannot write {name}: {message}")

    def update(self, schema: str, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        t = self._table(schema, table)
        rows = list(rows)
        if not rows:
            return 0
        by_columns: dict[tuple[str, ...], list[Mapping]] = {}
        for row in rows:
            if "RID" not in row:
                raise DerivaMLValidationError(f"Rows to update in {t.name} need their RID.")
            by_columns.setdefault(tuple(k for k in row if k != "RID"), []).append(row)
        with self.transaction():
            now = snapshot_time(self._txn_snapshot)
            for names, group in by_columns.items():
                t.written_columns([dict.fromkeys(names)])
                cols = [t.column(n) for n in names]
                sets = ", ".join(
                    f"{ddl.qident(n)} = ?" for n in names + ("RMT", "RMB", "_valid_from")
                )
                sql = (f"UPDATE {ddl.qident(ddl.live_name(schema, table))} SET {sets} "
                       "WHERE RID = ?")
                rids = [normalize_rid(r["RID"]) for r in group]
                values = [
                    tuple(ddl.encode_value(c, r[c.name]) for c in cols)
                    + (now, self._user, self._txn_snapshot, rid) for r, rid in zip(group, rids)
                ]
                missing = set(rids) - {r["RID"] for r in self.select(schema, table,
                                                                     where={"RID": rids},
                                                                     columns=["RID"])}
                if missing:
                    raise DerivaMLNotFound(
                        f"Cannot update {schema}.{table}: no rows with RID "
                        f"{', '.join(sorted(missing))}."
                    )
                self._run_write(t, sql, values, group)
        return len({normalize_rid(r["RID"]) for r in rows})

    def delete(self, schema: str, table: str, where: Where) -> int:
        t = self._table(schema, table)
        if not where:
            raise DerivaMLValidationError(f"Refusing to delete every row of {t.name}: "
                                          "give a filter.")
        clause, params = self._where(t, where)
        with self.transaction():
            try:
                cur = self._conn.execute(
                    f"DELETE FROM {ddl.qident(ddl.live_name(schema, table))} WHERE {clause}",
                    params,
                )
            except sqlite3.IntegrityError as e:
                raise self._integrity_error(t, str(e), []) from None
            return cur.rowcount

    def _where(self, t: Table, where: Where | None) -> tuple[str, list]:
        clauses, params = [], []
        for name, value in (where or {}).items():
            col = t.column(name)
            q = ddl.qident(name)
            if value is None:
                clauses.append(f"{q} IS NULL")
            elif isinstance(value, Contains):
                clauses.append(f"instr(lower(coalesce({q}, '')), lower(?)) > 0")
                params.append(value.text)
            elif isinstance(value, AtLeast):
                clauses.append(f"{q} >= ?")
                params.append(ddl.encode_value(col, value.value))
            elif isinstance(value, (list, tuple, set, frozenset)):
                values = [ddl.encode_value(col, v) for v in value]
                if name == "RID":
                    values = [_canonical_rid(v) for v in values]
                if not values:
                    clauses.append("0")
                    continue
                clauses.append(f"{q} IN (SELECT value FROM json_each(?))")
                params.append(json.dumps(values))
            else:
                clauses.append(f"{q} = ?")
                params.append(_canonical_rid(value) if name == "RID"
                              else ddl.encode_value(col, value))
        return (" AND ".join(clauses) or "1"), params

    def _source(self, t: Table, names: list[str], snapshot: str | None) -> tuple[str, list]:
        """A FROM target holding the rows of ``t`` now, or as of ``snapshot``."""
        live = ddl.qident(ddl.live_name(t.schema, t.name))
        if snapshot is None:
            return live, []
        snap = self._parse_snapshot(snapshot)
        cols = ", ".join(map(ddl.qident, names))
        hist = ddl.qident(ddl.history_name(t.schema, t.name))
        return (
            f"(SELECT {cols} FROM {live} WHERE _valid_from <= ? UNION ALL "
            f"SELECT {cols} FROM {hist} WHERE _valid_from <= ? AND _valid_to > ?)",
            [snap, snap, snap],
        )

    def select(self, schema: str, table: str, *, where: Where | None = None,
               columns: Iterable[str] | None = None, sort: Iterable[str] | None = None,
               limit: int | None = None, after: Mapping[str, Any] | None = None,
               snapshot: str | None = None) -> list[dict]:
        t = self._table(schema, table)
        names = list(columns) if columns else t.column_names
        for n in names:
            t.column(n)
        clause, where_params = self._where(t, where)
        order = [(s[1:], True) if s.startswith("-") else (s, False) for s in (sort or [])]
        order = [o for o in order if o[0] != "RID"] + [("RID", False)]
        for name, _ in order:
            t.column(name)
        needed = list(dict.fromkeys(names + [n for n, _ in order] + list(where or {})))
        source, params = self._source(t, needed, snapshot)
        sql = f"SELECT {', '.join(map(ddl.qident, names))} FROM {source} WHERE {clause}"
        params += where_params
        if after is not None:
            page_clause, page_params = _after_clause(order, after, not t.column(order[0][0]).nullok)
            sql += f" AND {page_clause}"
            params += page_params
        sql += " ORDER BY " + ", ".join(
            f"{ddl.qident(n)} {'DESC' if desc else 'ASC'}" for n, desc in order
        )
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        decode_row = ddl.decoder(t, names)
        with self._lock:
            return [decode_row(v) for v in self._conn.execute(sql, params)]

    def row_versions(self, schema: str, table: str, rid: str) -> list[dict]:
        """Every version of row ``rid`` of ``schema.table``, oldest first, its current one
        last (none once deleted): each as ``select`` returns it, ``RMT`` the time it was
        written. Local catalogs only (the history twin; not part of the contract)."""
        t = self._table(schema, table)
        names = t.column_names
        cols = ", ".join(map(ddl.qident, names))
        live = ddl.qident(ddl.live_name(schema, table))
        hist = ddl.qident(ddl.history_name(schema, table))
        decode_row = ddl.decoder(t, names)
        sql = (f"SELECT {cols} FROM (SELECT {cols}, 0 AS _live, _valid_from, rowid AS _seq "
               f"FROM {hist} WHERE RID = ? UNION ALL SELECT {cols}, 1, _valid_from, 0 "
               f"FROM {live} WHERE RID = ?) ORDER BY _live, _valid_from, _seq")
        rid = _canonical_rid(rid)
        with self._lock:
            return [decode_row(v) for v in self._conn.execute(sql, (rid, rid))]

    def count(self, schema: str, table: str, *, where: Where | None = None,
              snapshot: str | None = None) -> int:
        t = self._table(schema, table)
        source, params = self._source(t, list(where or {}) or ["RID"], snapshot)
        clause, where_params = self._where(t, where)
        # No WHERE at all when unfiltered: SQLite then counts the smallest index's entries.
        sql = f"SELECT count(*) FROM {source}" + (f" WHERE {clause}" if where else "")
        with self._lock:
            return self._conn.execute(sql, params + where_params).fetchone()[0]

    def resolve_rid(self, rid: str, snapshot: str | None = None) -> ResolvedRID:
        rid = normalize_rid(rid)
        if "@" in rid:
            rid, snapshot = rid.split("@", 1)
        for t in self.model().tables():
            rows = self.select(t.schema, t.name, where={"RID": rid}, snapshot=snapshot)
            if rows:
                return ResolvedRID(t.schema, t.name, rows[0])
        raise DerivaMLRidsNotFound([rid], message=(
            f"RID {rid} does not exist in catalog {self.catalog_id}"
            + (f" as of snapshot {snapshot}" if snapshot else "")
            + ". Check the RID (find_datasets() / find_executions() list valid ones)."))

    # -- objects ---------------------------------------------------------------------------
    def put_object(self, namespace: str, filename: str, source: Path, *, md5: str | None = None,
                   progress: Progress | None = None) -> ObjectInfo:
        return self.objects.put(namespace, filename, Path(source), md5=md5, progress=progress)

    def object_info(self, url: str) -> ObjectInfo | None:
        return self.objects.info(url)

    def get_object(self, url: str, dest: Path, *, progress: Progress | None = None) -> ObjectInfo:
        return self.objects.get(url, Path(dest), progress=progress)

    def object_path(self, url: str) -> Path | None:
        return self.objects.path_of(url)

    # -- identity --------------------------------------------------------------------------
    def whoami(self) -> str:
        return self._user

    def url_for(self, rid: str, snapshot: str | None = None) -> str:
        rid = normalize_rid(rid)
        return f"local://{self.catalog_id}/{rid}" + (f"@{snapshot}" if snapshot else "")


def _canonical_rid(rid: Any) -> str:
    """``normalize_rid``, skipping the work for RIDs already in canonical form."""
    return rid if isinstance(rid, str) and _CANONICAL_RID.match(rid) else normalize_rid(rid)


def _default(column, rid: str) -> Any:
    value = column.default
    return value.replace("{RID}", rid) if isinstance(value, str) else value


def _after_clause(order: list[tuple[str, bool]], after: Mapping[str, Any],
                  first_not_null: bool = False) -> tuple[str, list]:
    """Keyset condition: rows strictly after ``after`` in ``order`` (NULLs sort first). When
    the first column is NOT NULL, a bound on it leads, so an index on it is read from the
    cursor on rather than from its start."""
    ors, params = [], []
    for i, (name, desc) in enumerate(order):
        ands = []
        for prev, _ in order[:i]:
            ands.append(f"{ddl.qident(prev)} IS ?")
            params.append(after.get(prev))
        value = after.get(name)
        q = ddl.qident(name)
        if value is None:
            ands.append("0" if desc else f"{q} IS NOT NULL")
        else:
            ands.append(f"({q} < ? OR {q} IS NULL)" if desc else f"{q} > ?")
            params.append(value)
        ors.append("(" + " AND ".join(ands) + ")")
    first, desc = order[0]
    if first_not_null and after.get(first) is not None:
        bound = f"{ddl.qident(first)} {'<=' if desc else '>='} ?"
        return f"({bound} AND ({' OR '.join(ors)}))", [after[first], *params]
    return "(" + " OR ".join(ors) + ")", params
