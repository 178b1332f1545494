"""Handles on a table or column of a catalog whose ``annotations`` can be edited in memory and
pushed with ``apply()`` (deriva-py's ``TableHandle``/``ColumnHandle`` role in deriva-ml).

A handle reads its annotations from the catalog on first use; edits stay in the handle until
``apply()`` (or ``ml.apply_annotations()`` for the handles of ``ml.model``) sends what changed.
Other attributes are the table's or column's definition (``kind``, ``foreign_keys``, ``type``,
...). ``table.schema`` is the schema's name, which also answers ``.name``.

Example::

    table = ml.model.name_to_table("Subject")
    table.annotations[Display.tag] = Display(name="Subjects").to_dict()
    table.columns["Name"].annotations[Display.tag] = {"name": "Subject name"}
    ml.apply_annotations()
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any, ClassVar

from ..catalog.contract import SYSTEM_COLUMNS, Catalog, Column, Table
from ..core.errors import DerivaMLReadOnlyError
from .tags import TAG_COLUMN_DISPLAY, TAG_DISPLAY, TAG_TABLE_DISPLAY


class SchemaName(str):
    """A schema's name that also answers ``.name``, as deriva-py's ``table.schema.name``."""

    @property
    def name(self) -> str:
        return str(self)


class _Annotated:
    """Something annotated: the catalog (no schema/table), a table or a column. Attributes
    it lacks are those of its definition, the attribute named ``_definition``."""

    _definition: ClassVar[str | None] = None

    def __init__(self, catalog: Catalog | None, schema: str | None = None,
                 table: str | None = None, column: str | None = None):
        self.catalog = catalog
        self._target = {"schema": schema, "table": table, "column": column}
        self._stored: dict[str, Any] | None = None
        self._annotations: dict[str, Any] | None = None

    @property
    def annotations(self) -> dict[str, Any]:
        """The annotations (tag -> value), with this handle's unapplied edits."""
        if self._annotations is None:
            if self.catalog is None:
                raise DerivaMLReadOnlyError(
                    f"{self!r} has no catalog to read or keep annotations: use "
                    "ml.model.name_to_table(...), or TableHandle(table, ml.catalog).")
            self._stored = self.catalog.annotations(**self._target)
            self._annotations = copy.deepcopy(self._stored)
        return self._annotations

    def __getattr__(self, name: str) -> Any:
        held = type(self)._definition
        if held is None or name.startswith("_") or name == held:
            raise AttributeError(name)
        return getattr(getattr(self, held), name)

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

    def _set_entry(self, tag: str, key: str, value: Any) -> None:
        """Set ``annotations[tag][key]`` and apply, as deriva-py's handle setters do."""
        self.annotations[tag] = {**(self.annotations.get(tag) or {}), key: value}
        self.apply()

    def set_display_name(self, name: str) -> None:
        """Show this table or column as ``name`` in Chaise (applied at once)."""
        self._set_entry(TAG_DISPLAY, "name", name)

    def get_display_name(self) -> str | None:
        return (self.annotations.get(TAG_DISPLAY) or {}).get("name")


class CatalogHandle(_Annotated):
    """The catalog's own annotations (navigation bar, chaise-config, ...)."""

    def __repr__(self) -> str:
        return f"CatalogHandle({self.catalog!r})"


class ColumnHandle(_Annotated):
    """A column of a catalog table, with its annotations; other attributes are the column's
    definition (``type``, ``nullok``, ``default``, ``comment``)."""

    _definition = "definition"

    def __init__(self, catalog: Catalog | None, table: Table, name: str):
        self.definition: Column = table.column(name)
        super().__init__(catalog, table.schema, table.name, name)
        self.table = table
        self.name = name

    @property
    def is_system_column(self) -> bool:
        return self.name in SYSTEM_COLUMNS

    def set_column_display(self, markdown_pattern: str, context: str = "*") -> None:
        """Render the column's values with ``markdown_pattern`` in ``context`` (applied)."""
        self._set_entry(TAG_COLUMN_DISPLAY, context, {"markdown_pattern": markdown_pattern})

    def __repr__(self) -> str:
        return f"ColumnHandle({self.table.schema}.{self.table.name}.{self.name})"


class ColumnList(list):
    """Column handles in table order, also indexed by name (``columns["Name"]``)."""

    def __getitem__(self, key):
        if isinstance(key, str):
            for column in self:
                if column.name == key:
                    return column
            raise KeyError(key)
        return super().__getitem__(key)


class TableHandle(_Annotated):
    """A table (first, as deriva-py's ``TableHandle(table)``) of ``catalog``, with its
    annotations and handles on its columns; other attributes are the table's definition
    (``kind``, ``keys``, ``foreign_keys``, ``column_names``, ...). Without a catalog it only
    describes the table. ``ml.model.name_to_table(...)`` gives the handles DerivaML applies."""

    _definition = "table"

    def __init__(self, table: Table, catalog: Catalog | None = None):
        super().__init__(catalog, table.schema, table.name)
        self.table = table
        self.name = table.name
        self.schema = SchemaName(table.schema)
        self._columns = ColumnList(ColumnHandle(catalog, table, c.name) for c in table.columns)

    def redefine(self, table: Table) -> None:
        """Take ``table``'s (newer) definition, keeping staged edits; new columns get
        handles."""
        self.table = table
        known = {c.name: c for c in self._columns}
        self._columns = ColumnList(known.get(c.name) or ColumnHandle(self.catalog, table, c.name)
                                   for c in table.columns)
        for column in self._columns:
            column.table, column.definition = table, table.column(column.name)

    @property
    def schema_name(self) -> str:
        return str(self.schema)

    @property
    def columns(self) -> ColumnList:
        """Handles on the table's columns, in order; ``columns["Name"]`` finds one by name."""
        return self._columns

    def column(self, name: str) -> ColumnHandle:
        """The handle on column ``name``; an unknown column raises ``DerivaMLNotFound``."""
        self.table.column(name)
        return self._columns[name]

    def get_column(self, name: str) -> ColumnHandle | None:
        """The handle on column ``name``, or None."""
        return self._columns[name] if name in self.table.column_names else None

    @property
    def all_columns(self) -> Iterator[ColumnHandle]:
        return iter(self._columns)

    @property
    def user_columns(self) -> list[ColumnHandle]:
        """The columns besides the system ones."""
        return [c for c in self._columns if not c.is_system_column]

    @property
    def required_columns(self) -> list[ColumnHandle]:
        """The user columns a new row must give (not null, no default)."""
        return [c for c in self.user_columns if not c.nullok and c.default is None]

    def has_column(self, name: str) -> bool:
        return name in self.table.column_names

    @property
    def description(self) -> str:
        return self.table.comment or ""

    def changed(self) -> bool:
        return super().changed() or any(c.changed() for c in self._columns)

    def apply(self) -> None:
        """Send the edits of the table's and its columns' annotations."""
        super().apply()
        for column in self._columns:
            column.apply()

    def discard(self) -> None:
        super().discard()
        for column in self._columns:
            column.discard()

    def set_row_name_pattern(self, pattern: str) -> None:
        """Name rows by the Handlebars ``pattern`` (e.g. ``{{{Name}}}``), applied at once."""
        self._set_entry(TAG_TABLE_DISPLAY, "row_name", {"row_markdown_pattern": pattern})

    def get_row_name_pattern(self) -> str | None:
        row_name = (self.annotations.get(TAG_TABLE_DISPLAY) or {}).get("row_name") or {}
        return row_name.get("row_markdown_pattern")

    def __repr__(self) -> str:
        return f"TableHandle({self.schema}.{self.name})"
