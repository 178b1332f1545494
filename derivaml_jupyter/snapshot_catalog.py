"""A read-only view of a catalog as of one snapshot, on any backend:
``ml.catalog_snapshot(snaptime)`` opens a ``DerivaML`` on it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any, NoReturn

from .catalog.contract import Catalog, Column, ForeignKey, Model, ObjectInfo, ResolvedRID, Table
from .core.errors import DerivaMLConflict, DerivaMLNotFound, DerivaMLReadOnlyError


class SnapshotCatalog(Catalog):
    """``base`` as of ``snapshot``: every read is as of it, every write raises
    ``DerivaMLReadOnlyError``. ``catalog_id`` is ``<id>@<snapshot>``, as ERMrest names it."""

    def __init__(self, base: Catalog, snapshot: str):
        try:
            base.model(snapshot)  # a future snapshot raises DerivaMLNotFound
        except DerivaMLConflict as e:  # ERMrest: before the catalog's first revision
            raise DerivaMLNotFound(str(e)) from None
        self.base, self.snap = base, snapshot
        self.hostname = base.hostname
        self.catalog_id = f"{base.catalog_id}@{snapshot}"

    def __repr__(self) -> str:
        return f"SnapshotCatalog({self.base!r}, {self.snap!r})"

    def _read_only(self, action: str) -> NoReturn:
        raise DerivaMLReadOnlyError(
            f"Cannot {action}: this is catalog {self.base.catalog_id} as of snapshot "
            f"{self.snap}, which is read-only. Write through the live catalog's DerivaML.")

    # -- reads, as of the snapshot ----------------------------------------------------------
    def model(self, snapshot: str | None = None) -> Model:
        return self.base.model(snapshot or self.snap)

    def select(self, schema: str, table: str, *, where: Any = None,
               columns: Iterable[str] | None = None, sort: Iterable[str] | None = None,
               limit: int | None = None, after: Mapping[str, Any] | None = None,
               snapshot: str | None = None) -> list[dict]:
        return self.base.select(schema, table, where=where, columns=columns, sort=sort,
                                limit=limit, after=after, snapshot=snapshot or self.snap)

    def count(self, schema: str, table: str, *, where: Any = None,
              snapshot: str | None = None) -> int:
        return self.base.count(schema, table, where=where, snapshot=snapshot or self.snap)

    def resolve_rid(self, rid: str, snapshot: str | None = None) -> ResolvedRID:
        return self.base.resolve_rid(rid, snapshot or self.snap)

    def select_linked(self, schema: str, table: str, *, via: tuple[str, str, str],
                      where: Any, snapshot: str | None = None) -> list[dict]:
        return self.base.select_linked(schema, table, via=via, where=where,
                                       snapshot=snapshot or self.snap)

    def snapshot(self) -> str:
        return self.snap

    def object_info(self, url: str) -> ObjectInfo | None:
        return self.base.object_info(url)

    def get_object(self, url: str, dest: Path, *, progress: Any = None) -> ObjectInfo:
        return self.base.get_object(url, dest, progress=progress)

    def object_path(self, url: str) -> Path | None:
        return self.base.object_path(url)

    def annotations(self, schema: str | None = None, table: str | None = None,
                    column: str | None = None) -> dict[str, Any]:
        return self.base.annotations(schema, table, column)

    def whoami(self) -> str:
        return self.base.whoami()

    def url_for(self, rid: str, snapshot: str | None = None) -> str:
        return self.base.url_for(rid, snapshot or self.snap)

    def transaction(self) -> AbstractContextManager[None]:
        return nullcontext()

    # -- writes ------------------------------------------------------------------------------
    def create_schema(self, name: str, comment: str = "") -> None:
        self._read_only(f"create schema {name}")

    def create_table(self, table: Table) -> Table:
        self._read_only(f"create table {table.name}")

    def add_column(self, schema: str, table: str, column: Column,
                   foreign_key: ForeignKey | None = None) -> Table:
        self._read_only(f"add column {column.name} to {table}")

    def insert(self, schema: str, table: str, rows: Iterable[Mapping[str, Any]], *,
               on_conflict_skip: bool = False) -> list[dict]:
        self._read_only(f"insert into {table}")

    def update(self, schema: str, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        self._read_only(f"update {table}")

    def delete(self, schema: str, table: str, where: Any) -> int:
        self._read_only(f"delete from {table}")

    def update_annotations(self, changes: Mapping[str, Any], removed: Iterable[str] = (),
                           schema: str | None = None, table: str | None = None,
                           column: str | None = None) -> None:
        self._read_only("change annotations")

    def put_object(self, namespace: str, filename: str, source: Path, *,
                   md5: str | None = None, progress: Any = None) -> ObjectInfo:
        self._read_only(f"store {filename}")
