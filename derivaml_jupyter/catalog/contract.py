"""The one narrow interface domain code uses to talk to a catalog.

Domain code (DerivaML, datasets, executions) calls only what is defined here; the local
backend (SQLite + file object store) and the DERIVA backend (ERMrest + Hatrac through
deriva-py) implement it. Tables are addressed by ``(schema, table)`` names, rows are plain
dicts keyed by column name, and every row carries the system columns ``RID, RCT, RMT, RCB, RMB``.

Filters (``where``) map a column to a value (equality), to a list/tuple/set of values
(membership) or to ``None`` (is null). ``sort`` lists column names, ``-`` prefixed for
descending; ``RID`` is always the final tie-breaker so pages are stable. ``after`` is the last
row of the previous page (keyset paging).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.definitions import DerivaSystemColumns
from ..core.errors import (
    DerivaMLNotFound,
    DerivaMLNotImplemented,
    DerivaMLTableNotFound,
    DerivaMLValidationError,
)

SYSTEM_COLUMNS = tuple(DerivaSystemColumns)

# ERMrest column types understood by every backend.
COLUMN_TYPES = frozenset(
    {"text", "markdown", "int2", "int4", "int8", "float4", "float8", "boolean", "date",
     "timestamptz", "jsonb", "text[]", "ermrest_uri", "ermrest_curie", "ermrest_rid"}
)

Where = Mapping[str, Any]


@dataclass(frozen=True)
class Contains:
    """A ``where`` value: the column's text holds ``text``, in any case."""

    text: str


@dataclass(frozen=True)
class AtLeast:
    """A ``where`` value: the column's value is ``value`` or more (times: at or after)."""

    value: Any
Progress = Callable[[int], None]  # called with the number of bytes just transferred

MAX_NAME_BYTES = 63  # PostgreSQL's limit on names, which a DERIVA server has


def check_name_length(name: str, what: str) -> str:
    """``name`` if a DERIVA server can hold it (at most 63 bytes), else a clear error."""
    size = len(name.encode())
    if size > MAX_NAME_BYTES:
        raise DerivaMLValidationError(
            f"The {what} name {name[:30] + '...'!r} is {size} bytes long: a DERIVA server "
            f"(PostgreSQL) allows at most {MAX_NAME_BYTES}, so use a shorter one (an asset "
            "table's own tables add up to 14 characters to its name).")
    return name


def check_annotation_target(schema: str | None, table: str | None, column: str | None) -> bool:
    """Whether annotations go to a table or column (True) or to the catalog (all None);
    a column needs its table, a table its schema."""
    if (column is not None and table is None) or ((schema is None) != (table is None)):
        raise DerivaMLValidationError(
            f"Annotations belong to the catalog, a table (schema and table) or a column "
            f"(schema, table and column): got schema={schema!r}, table={table!r}, "
            f"column={column!r}.")
    return table is not None


@dataclass(frozen=True)
class Column:
    """A column definition (ERMrest type names)."""

    name: str
    type: str = "text"
    nullok: bool = True
    default: Any = None
    comment: str = ""


@dataclass(frozen=True)
class ForeignKey:
    """``columns`` of this table reference ``pk_columns`` of ``pk_schema.pk_table``."""

    columns: tuple[str, ...]
    pk_schema: str
    pk_table: str
    pk_columns: tuple[str, ...] = ("RID",)
    on_delete: str = "NO ACTION"


@dataclass
class Table:
    """A table definition. ``kind`` is one of table, vocabulary, asset, association."""

    schema: str
    name: str
    columns: list[Column] = field(default_factory=list)
    keys: list[tuple[str, ...]] = field(default_factory=list)
    foreign_keys: list[ForeignKey] = field(default_factory=list)
    kind: str = "table"
    comment: str = ""

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise DerivaMLNotFound(
            f"Table {self.schema}.{self.name} has no column {name!r}; "
            f"its columns are {', '.join(self.column_names)}."
        )

    def written_columns(self, rows: Iterable[Mapping[str, Any]], update: bool = False
                        ) -> list[str]:
        """The columns ``rows`` write, in first-seen order; system columns are refused (except
        ``RID``, the key of an update) and unknown ones raise."""
        names = list(dict.fromkeys(n for row in rows for n in row if not (update and n == "RID")))
        for name in names:
            if name in SYSTEM_COLUMNS:
                raise DerivaMLValidationError(
                    f"{name} is a system column of {self.schema}.{self.name}; the catalog sets "
                    "it.")
            self.column(name)
        return names

    def references(self, schema: str, table: str) -> list[ForeignKey]:
        """Foreign keys of this table that point at ``schema.table``."""
        return [fk for fk in self.foreign_keys if (fk.pk_schema, fk.pk_table) == (schema, table)]

    def to_dict(self) -> dict:
        return {
            "schema": self.schema, "name": self.name, "kind": self.kind, "comment": self.comment,
            "columns": [c.__dict__ for c in self.columns],
            "keys": [list(k) for k in self.keys],
            "foreign_keys": [fk.__dict__ for fk in self.foreign_keys],
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> Table:
        return cls(
            schema=d["schema"], name=d["name"], kind=d.get("kind", "table"),
            comment=d.get("comment", ""),
            columns=[Column(**c) for c in d["columns"]],
            keys=[tuple(k) for k in d.get("keys", [])],
            foreign_keys=[
                ForeignKey(**{**fk, "columns": tuple(fk["columns"]),
                              "pk_columns": tuple(fk["pk_columns"])})
                for fk in d.get("foreign_keys", [])
            ],
        )


@dataclass
class Model:
    """All tables of a catalog, by schema."""

    schemas: dict[str, dict[str, Table]] = field(default_factory=dict)

    def tables(self) -> Iterator[Table]:
        for tables in self.schemas.values():
            yield from tables.values()

    def has_table(self, schema: str, name: str) -> bool:
        return name in self.schemas.get(schema, {})

    def table(self, schema: str, name: str) -> Table:
        try:
            return self.schemas[schema][name]
        except KeyError:
            known = ", ".join(sorted(f"{t.schema}.{t.name}" for t in self.tables()))
            raise DerivaMLTableNotFound(f"{schema}.{name}", message=(
                f"There is no table {schema}.{name} in this catalog. Known tables: {known}.")
            ) from None

    def check_new_table(self, table: Table) -> Table | None:
        """Validate a table about to be created: its schema, key columns and foreign-key
        targets must exist, its names fit a DERIVA server. Returns the existing table of that
        name, if any."""
        if table.schema not in self.schemas:
            raise DerivaMLNotFound(f"There is no schema {table.schema!r}; create it first.")
        if self.has_table(table.schema, table.name):
            return self.table(table.schema, table.name)
        check_name_length(table.name, "table")
        for column in table.columns:
            check_name_length(column.name, "column")
        for fk in table.foreign_keys:
            target = self.table(fk.pk_schema, fk.pk_table)
            for col in fk.pk_columns:
                target.column(col)
        for key in table.keys:
            for col in key:
                table.column(col)
        return None

    def find_table(self, name: str, schemas: Iterable[str] | None = None) -> Table:
        """Find a table by bare name (``Image``) or ``schema.name``/``schema:name``."""
        for sep in (":", "."):
            if sep in name and name.split(sep, 1)[0] in self.schemas:
                schema, bare = name.split(sep, 1)
                return self.table(schema, bare)
        search = list(schemas) if schemas is not None else list(self.schemas)
        for schema in search:
            if name in self.schemas.get(schema, {}):
                return self.schemas[schema][name]
        raise DerivaMLTableNotFound(name, message=(
            f"There is no table named {name!r} in schemas {', '.join(search)}. "
            "Create it with ml.create_table(...) or ml.create_asset(...)."))


@dataclass(frozen=True)
class ObjectInfo:
    """A stored object: its URL in the object store, MD5 (hex) and length in bytes."""

    url: str
    md5: str
    length: int


@dataclass(frozen=True)
class ResolvedRID:
    """Where a RID lives, and its row."""

    schema: str
    table: str
    row: dict


class Catalog(ABC):
    """A catalog: a model (schemas of tables), rows with history, and an object store."""

    hostname: str
    catalog_id: str

    # -- model ---------------------------------------------------------------------------
    @abstractmethod
    def model(self, snapshot: str | None = None) -> Model:
        """The model (schemas and tables), current or as of ``snapshot``. Reads as of a
        snapshot must use that snapshot's model: a table or column added later is not there."""

    @abstractmethod
    def create_schema(self, name: str, comment: str = "") -> None:
        """Create a schema; no-op if it exists."""

    @abstractmethod
    def create_table(self, table: Table) -> Table:
        """Create a table with system columns added; return the existing one if it exists."""

    @abstractmethod
    def add_column(self, schema: str, table: str, column: Column,
                   foreign_key: ForeignKey | None = None) -> Table:
        """Add a nullable column (and a foreign key on it) to an existing table; existing rows,
        and reads as of earlier snapshots, have it null. Returns the table; a no-op when the
        column exists."""

    # -- annotations (tag -> JSON value) of the catalog, a table or a column -------------------
    # A backend that keeps none (a dataset bag) leaves these two as they are.
    def annotations(self, schema: str | None = None, table: str | None = None,
                    column: str | None = None) -> dict[str, Any]:
        """The annotations of the catalog (no arguments), of table ``schema.table``, or of
        one of its columns. An unknown table or column raises ``DerivaMLNotFound``."""
        raise self._no_annotations()

    def update_annotations(self, changes: Mapping[str, Any], removed: Iterable[str] = (),
                           schema: str | None = None, table: str | None = None,
                           column: str | None = None) -> None:
        """Set the annotations ``changes`` (tag -> value) and delete the tags ``removed``
        (absent ones are ignored) on the catalog, a table or a column; others stay."""
        raise self._no_annotations()

    def _no_annotations(self) -> DerivaMLNotImplemented:
        return DerivaMLNotImplemented(
            f"{self!r} keeps no Chaise annotations; read and set them on the catalog itself "
            "(a local catalog or a DERIVA server).")

    def create_model(self, schemas: Mapping[str, str], tables: Iterable[Table]) -> None:
        """Create those of ``schemas`` (name -> comment) and ``tables`` that do not exist yet,
        in one step where the backend can; tables may reference each other."""
        pending = {(t.schema, t.name): t for t in tables}
        with self.transaction():
            for name, comment in schemas.items():
                self.create_schema(name, comment)
            while pending:  # referenced tables first
                ready = [key for key, t in pending.items()
                         if not any((fk.pk_schema, fk.pk_table) in pending.keys() - {key}
                                    for fk in t.foreign_keys)] or list(pending)
                for key in ready:
                    self.create_table(pending.pop(key))

    # -- rows ----------------------------------------------------------------------------
    @abstractmethod
    def insert(
        self, schema: str, table: str, rows: Iterable[Mapping[str, Any]],
        *, on_conflict_skip: bool = False,
    ) -> list[dict]:
        """Insert rows; return them with system columns. With ``on_conflict_skip`` rows that
        collide on a unique key are skipped (and not returned)."""

    @abstractmethod
    def update(self, schema: str, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """Update rows identified by their ``RID``; only the given columns change. Return how
        many rows changed; an unknown RID raises ``DerivaMLNotFound`` and changes nothing."""

    @abstractmethod
    def delete(self, schema: str, table: str, where: Where) -> int:
        """Delete rows matching ``where`` (must be non-empty); return how many."""

    @abstractmethod
    def select(
        self, schema: str, table: str, *, where: Where | None = None,
        columns: Iterable[str] | None = None, sort: Iterable[str] | None = None,
        limit: int | None = None, after: Mapping[str, Any] | None = None,
        snapshot: str | None = None,
    ) -> list[dict]:
        """Rows matching ``where``, current or as of ``snapshot``."""

    @abstractmethod
    def count(self, schema: str, table: str, *, where: Where | None = None,
              snapshot: str | None = None) -> int:
        """Number of rows matching ``where``."""

    @abstractmethod
    def resolve_rid(self, rid: str, snapshot: str | None = None) -> ResolvedRID:
        """Find the table and row of a RID, or raise ``DerivaMLNotFound``."""

    def iter_rows(
        self, schema: str, table: str, *, where: Where | None = None,
        sort: Iterable[str] | None = None, page_size: int = 10_000, snapshot: str | None = None,
    ) -> Iterator[dict]:
        """Every matching row, fetched page by page."""
        sort = list(sort or [])
        after = None
        while True:
            page = self.select(schema, table, where=where, sort=sort, limit=page_size,
                               after=after, snapshot=snapshot)
            yield from page
            if len(page) < page_size:
                return
            after = page[-1]

    def select_linked(self, schema: str, table: str, *, via: tuple[str, str, str],
                      where: Where, snapshot: str | None = None) -> list[dict]:
        """Rows of ``schema.table`` that rows of the table ``via = (schema, table, column)``
        matching ``where`` point to through ``column``, each once, by RID. Example: the
        images of dataset ``1-ABC`` are ``select_linked("domain", "Image", via=("deriva-ml",
        "Dataset_Image", "Image"), where={"Dataset": "1-ABC"})``. A backend that can join
        does it in one query."""
        link_schema, link_table, column = via
        rids = list(dict.fromkeys(row[column] for row in self.select(
            link_schema, link_table, where=where, columns=[column], snapshot=snapshot)))
        rows = self.select(schema, table, where={"RID": rids}, snapshot=snapshot) if rids else []
        return sorted(rows, key=lambda row: row["RID"])

    # -- snapshots and transactions ------------------------------------------------------
    @abstractmethod
    def snapshot(self) -> str:
        """The id (snaptime) of the latest committed state."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[None]:
        """Group writes so they commit together (or not at all) under one snapshot."""

    # -- objects -------------------------------------------------------------------------
    @abstractmethod
    def put_object(
        self, namespace: str, filename: str, source: Path, *, md5: str | None = None,
        progress: Progress | None = None,
    ) -> ObjectInfo:
        """Store a file content-addressed as ``/hatrac/<namespace>/<md5>.<filename>``.

        Skips the transfer when that object already exists. ``md5``, when known, is checked
        against the bytes stored."""

    @abstractmethod
    def object_info(self, url: str) -> ObjectInfo | None:
        """The stored object at ``url``, or None."""

    @abstractmethod
    def get_object(self, url: str, dest: Path, *, progress: Progress | None = None) -> ObjectInfo:
        """Copy the object at ``url`` to the file ``dest``."""

    def object_path(self, url: str) -> Path | None:
        """The local file holding the object at ``url``, read-only to callers, when this
        backend keeps its objects on this machine (the embedded catalog); else None."""
        return None

    # -- identity ------------------------------------------------------------------------
    @abstractmethod
    def whoami(self) -> str:
        """The client id recorded in RCB/RMB for writes by this connection."""

    @abstractmethod
    def url_for(self, rid: str, snapshot: str | None = None) -> str:
        """A URL (or local citation) where a user can see the row ``rid``."""
