"""SQLite table layout for the local catalog: live tables, their history twins and triggers.

Each catalog table ``schema.name`` is stored as ``"schema:name"`` with a hidden
``_valid_from`` column (the snapshot that wrote the row); its history twin
``"schema:name@history"`` holds every superseded version with the snapshot interval
``[_valid_from, _valid_to)`` in which it was current. Triggers fill the twin on update and
delete, reading the snapshot of the running write transaction from ``_state``. A read as of
snapshot S is the union of live rows with ``_valid_from <= S`` and history rows current at S.
"""

from __future__ import annotations

import json
from typing import Any

from ..contract import SYSTEM_COLUMNS, Column, ForeignKey, Table

_SQL_TYPES = {
    "int2": "INTEGER", "int4": "INTEGER", "int8": "INTEGER", "boolean": "INTEGER",
    "float4": "REAL", "float8": "REAL",
}
# Types stored as JSON text and decoded when read.
JSON_TYPES = frozenset({"jsonb", "text[]"})

BOOTSTRAP = """
CREATE TABLE IF NOT EXISTS _state (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO _state VALUES ('rid', 1048576), ('snapshot', 0), ('txn_snapshot', 0);
CREATE TABLE IF NOT EXISTS _schema (name TEXT PRIMARY KEY, comment TEXT);
CREATE TABLE IF NOT EXISTS _model (schema TEXT, name TEXT, definition TEXT NOT NULL,
                                   PRIMARY KEY (schema, name));
CREATE TABLE IF NOT EXISTS _annotation (schema TEXT NOT NULL, tbl TEXT NOT NULL,
                                        col TEXT NOT NULL, tag TEXT NOT NULL,
                                        value TEXT NOT NULL,
                                        PRIMARY KEY (schema, tbl, col, tag));
"""
# The last table BOOTSTRAP makes: a catalog without it (made by an older version) is completed.
BOOTSTRAP_LAST = "_annotation"


def qident(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def live_name(schema: str, table: str) -> str:
    return f"{schema}:{table}"


def history_name(schema: str, table: str) -> str:
    return f"{schema}:{table}@history"


def system_columns() -> list[Column]:
    return [
        Column("RID", "ermrest_rid", nullok=False),
        Column("RCT", "timestamptz", nullok=False),
        Column("RMT", "timestamptz", nullok=False),
        Column("RCB", "text"),
        Column("RMB", "text"),
    ]


def _column_sql(c: Column) -> str:
    sql = f"{qident(c.name)} {_SQL_TYPES.get(c.type, 'TEXT')}"
    if c.name == "RID":
        return sql + " PRIMARY KEY"
    if not c.nullok:
        sql += " NOT NULL"
    return sql


def create_statements(t: Table) -> list[str]:
    """DDL for the live table, its history twin, indexes and history triggers.

    A live row carries ``_valid_from``, the snapshot that wrote it; updates and deletes move
    the old version into the history twin with ``_valid_to`` set. Inserts write one row only.
    """
    live, hist = qident(live_name(t.schema, t.name)), qident(history_name(t.schema, t.name))
    cols = [_column_sql(c) for c in t.columns] + ["_valid_from INTEGER NOT NULL"]
    for key in t.keys:
        cols.append(f"UNIQUE ({', '.join(map(qident, key))})")
    for fk in t.foreign_keys:
        on_delete = " ON DELETE CASCADE" if fk.on_delete.upper() == "CASCADE" else ""
        cols.append(
            f"FOREIGN KEY ({', '.join(map(qident, fk.columns))}) REFERENCES "
            f"{qident(live_name(fk.pk_schema, fk.pk_table))} "
            f"({', '.join(map(qident, fk.pk_columns))}){on_delete}"
        )
    hist_cols = ["_valid_from INTEGER NOT NULL", "_valid_to INTEGER NOT NULL"] + [
        f"{qident(c.name)} {_SQL_TYPES.get(c.type, 'TEXT')}" for c in t.columns
    ]
    base = live_name(t.schema, t.name)
    stmts = [
        f"CREATE TABLE {live} ({', '.join(cols)})",
        f"CREATE TABLE {hist} ({', '.join(hist_cols)})",
        f"CREATE INDEX {qident(base + '@h_rid')} ON {hist} (RID, _valid_from)",
        *_trigger_statements(t),
        creation_index_statement(t.schema, t.name),
    ]
    for fk in t.foreign_keys:
        stmts += _fk_index_statements(t, fk)
    return stmts


def creation_index_statement(schema: str, table: str) -> str:
    """The index listing the live rows newest first (``sort=["-RCT"]``, RID the tie-breaker),
    so a page of a listing reads only its own rows."""
    base = live_name(schema, table)
    return (f"CREATE INDEX IF NOT EXISTS {qident(base + '@rct')} "
            f"ON {qident(base)} (RCT DESC, RID)")


def missing_index_statements(conn: Any) -> list[str]:
    """``creation_index_statement`` for each live table of an older catalog that lacks it."""
    kinds = dict(conn.execute("SELECT name, type FROM sqlite_master"))
    live = sorted(n for n, kind in kinds.items() if kind == "table" and ":" in n and "@" not in n)
    return [creation_index_statement(*n.split(":", 1)) for n in live if f"{n}@rct" not in kinds]


def add_column_statements(t: Table, column: Column, fk: ForeignKey | None) -> list[str]:
    """DDL adding nullable ``column`` (last of ``t``'s columns) to the live table and its
    history twin, with the history triggers remade to archive it too."""
    live, hist = qident(live_name(t.schema, t.name)), qident(history_name(t.schema, t.name))
    sql_type = f"{qident(column.name)} {_SQL_TYPES.get(column.type, 'TEXT')}"
    references = (f" REFERENCES {qident(live_name(fk.pk_schema, fk.pk_table))} "
                  f"({', '.join(map(qident, fk.pk_columns))})") if fk else ""
    base = live_name(t.schema, t.name)
    return [
        f"ALTER TABLE {live} ADD COLUMN {sql_type}{references}",
        f"ALTER TABLE {hist} ADD COLUMN {sql_type}",
        f"DROP TRIGGER {qident(base + '@upd')}",
        f"DROP TRIGGER {qident(base + '@del')}",
        *_trigger_statements(t),
        *(_fk_index_statements(t, fk) if fk else []),
    ]


def _trigger_statements(t: Table) -> list[str]:
    """Triggers copying the old version of an updated or deleted row into the history twin."""
    live, hist = qident(live_name(t.schema, t.name)), qident(history_name(t.schema, t.name))
    snap = "(SELECT value FROM _state WHERE name = 'txn_snapshot')"
    old_values = ", ".join(f"OLD.{qident(c.name)}" for c in t.columns)
    archive = f"INSERT INTO {hist} VALUES (OLD._valid_from, {snap}, {old_values});"
    base = live_name(t.schema, t.name)
    return [
        f"CREATE TRIGGER {qident(base + '@upd')} AFTER UPDATE ON {live} BEGIN {archive} END",
        f"CREATE TRIGGER {qident(base + '@del')} AFTER DELETE ON {live} BEGIN {archive} END",
    ]


def _fk_index_statements(t: Table, fk: ForeignKey) -> list[str]:
    """Indexes on a foreign key's columns; the live one goes on newest first, so a listing
    filtered by the key (executions of one workflow, of one status) reads only its page."""
    live, hist = qident(live_name(t.schema, t.name)), qident(history_name(t.schema, t.name))
    cols_sql = ", ".join(map(qident, fk.columns))
    idx = live_name(t.schema, t.name) + "@fk_" + "_".join(fk.columns)
    return [f"CREATE INDEX {qident(idx)} ON {live} ({cols_sql}, RCT DESC, RID)",
            f"CREATE INDEX {qident(idx + '@h')} ON {hist} ({cols_sql})"]


def with_system_columns(t: Table) -> Table:
    """A copy of ``t`` whose columns start with the system columns."""
    user = [c for c in t.columns if c.name not in SYSTEM_COLUMNS]
    return Table(t.schema, t.name, system_columns() + user, list(t.keys),
                 list(t.foreign_keys), t.kind, t.comment)


def encode_value(column: Column, value: Any) -> Any:
    """Python value -> SQLite value for ``column``."""
    if value is None:
        return None
    if column.type in JSON_TYPES:
        return json.dumps(value)
    if column.type == "boolean":
        return int(bool(value))
    return value


def encoder(columns: list[Column]):
    """A function turning a row dict into the SQLite values of ``columns``, in order."""
    names = [c.name for c in columns]
    special = [(i, c) for i, c in enumerate(columns)
               if c.type in JSON_TYPES or c.type == "boolean"]
    if not special:
        return lambda row: map(row.get, names)

    def encode(row):
        values = list(map(row.get, names))
        for i, column in special:
            values[i] = encode_value(column, values[i])
        return values

    return encode


def decoder(table: Table, names: list[str]):
    """A function turning a result tuple with columns ``names`` into a row dict."""
    special = [(i, table.column(n).type) for i, n in enumerate(names)
               if table.column(n).type in JSON_TYPES or table.column(n).type == "boolean"]
    if not special:
        return lambda values: dict(zip(names, values))

    def decode(values):
        row = dict(zip(names, values))
        for i, typ in special:
            v = values[i]
            if v is not None:
                row[names[i]] = json.loads(v) if typ in JSON_TYPES else bool(v)
        return row

    return decode
