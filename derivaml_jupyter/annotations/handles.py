"""Handles on a table or column of a catalog whose ``annotations`` can be edited in memory and
pushed with ``apply()`` (deriva-py's ``TableHandle``/``ColumnHandle`` role in deriva-ml).

A handle reads its annotations from the catalog on first use; edits stay in the handle until
``apply()`` sends what changed (tags set or deleted) in one catalog call.

Example::

    table = ml.table_handle("Subject")
    table.annotations[Display.tag] = Display(name="Subjects").to_dict()
    table.columns["Name"].annotations[Display.tag] = {"name": "Subject name"}
    ml.apply_annotations()
"""

from __future__ import annotations

import copy
from typing import Any

from ..catalog.contract import Catalog, Table


class _Annotated:
    """Something annotated: the catalog (no schema/table), a table or a column."""

    def __init__(self, catalog: Catalog, schema: str | None = None, table: str | None = None,
                 column: str | None = None):
        self.catalog = catalog
        self._target = {"schema": schema, "table": table, "column": column}
        self._stored: dict[str, Any] | None = None
        self._annotations: dict[str, Any] | None = None

    @property
    def annotations(self) -> dict[str, Any]:
        """The annotations (tag -> value), with this handle's unapplied edits."""
        if self._annotations is None:
            self._stored = self.catalog.annotations(**self._target)
            self._annotations = copy.deepcopy(self._stored)
        return self._annotations

    def changed(self) -> bool:
        """Whether there are edits ``apply()`` would send."""
        return self._annotations is not None and self._annotations != self._stored

    def apply(self) -> None:
        """Send the edits made since the annotations were read (or last applied)."""
        if not self.changed():
            return
        stored, current = self._stored or {}, self._annotations or {}
        changes = {tag: value for tag, value in current.items()
                   if tag not in stored or stored[tag] != value}
        removed = [tag for tag in stored if tag not in current]
        self.catalog.update_annotations(changes, removed, **self._target)
        self._stored = copy.deepcopy(current)

    def discard(self) -> None:
        """Forget unapplied edits: the next read comes from the catalog."""
        self._stored = self._annotations = None


class CatalogHandle(_Annotated):
    """The catalog's own annotations (navigation bar, chaise-config, ...)."""

    def __repr__(self) -> str:
        return f"CatalogHandle({self.catalog!r})"


class ColumnHandle(_Annotated):
    """A column of a catalog table, with its annotations."""

    def __init__(self, catalog: Catalog, table: Table, name: str):
        table.column(name)
        super().__init__(catalog, table.schema, table.name, name)
        self.table = table
        self.name = name

    @property
    def definition(self):
        """The column's definition (name, type, nullok, default, comment)."""
        return self.table.column(self.name)

    def __repr__(self) -> str:
        return f"ColumnHandle({self.table.schema}.{self.table.name}.{self.name})"


class TableHandle(_Annotated):
    """A catalog table, with its annotations and handles on its columns."""

    def __init__(self, catalog: Catalog, table: Table):
        super().__init__(catalog, table.schema, table.name)
        self.table = table
        self.name = table.name
        self.schema_name = table.schema
        self._columns: dict[str, ColumnHandle] = {}

    @property
    def columns(self) -> dict[str, ColumnHandle]:
        """Handles on the table's columns, by name."""
        for name in self.table.column_names:
            if name not in self._columns:
                self._columns[name] = ColumnHandle(self.catalog, self.table, name)
        return self._columns

    def column(self, name: str) -> ColumnHandle:
        """The handle on column ``name``; an unknown column raises ``DerivaMLNotFound``."""
        self.table.column(name)
        return self.columns[name]

    def changed(self) -> bool:
        return super().changed() or any(c.changed() for c in self._columns.values())

    def apply(self) -> None:
        """Send the edits of the table's and its columns' annotations."""
        super().apply()
        for column in self._columns.values():
            column.apply()

    def discard(self) -> None:
        super().discard()
        for column in self._columns.values():
            column.discard()

    def __repr__(self) -> str:
        return f"TableHandle({self.schema_name}.{self.name})"
