"""deriva-ml's table-definition classes (``ColumnDefinition``, ``KeyDefinition``,
``ForeignKeyDefinition``, ``TableDefinition``, ``BuiltinTypes``), converted to the catalog
contract's ``Column``/``ForeignKey``/``Table`` when ``ml.create_table`` or ``ml.create_asset``
gets them.

They take the arguments of deriva-py's typed definitions that deriva-ml re-exports
(``columns``, ``referenced_schema``, ...) and of deriva-ml's older pydantic ones
(``column_defs``, ``colnames``, ``pk_sname``, ...). ACLs, ACL bindings and annotations are
accepted and not stored: the local catalog has no access control and no Chaise display.

Example::

    ml.create_table(TableDefinition(
        name="Subject",
        columns=[ColumnDefinition("Name", BuiltinTypes.text, nullok=False)],
        keys=[KeyDefinition(["Name"])]))
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..catalog.contract import COLUMN_TYPES, Column, ForeignKey, Table
from ..core.errors import DerivaMLValidationError


class BuiltinTypes(StrEnum):
    """ERMrest column types, by deriva-py's names. ``timestamp``, ``json`` and the system
    types ``ermrest_rct``/``rmt``/``rcb``/``rmb`` are stored as ``timestamptz``, ``jsonb`` and
    ``text``, the nearest types every backend here has."""

    text = "text"
    markdown = "markdown"
    int2 = "int2"
    int4 = "int4"
    int8 = "int8"
    float4 = "float4"
    float8 = "float8"
    boolean = "boolean"
    date = "date"
    timestamp = "timestamp"
    timestamptz = "timestamptz"
    json = "json"
    jsonb = "jsonb"
    ermrest_uri = "ermrest_uri"
    ermrest_curie = "ermrest_curie"
    ermrest_rid = "ermrest_rid"
    ermrest_rct = "ermrest_rct"
    ermrest_rmt = "ermrest_rmt"
    ermrest_rcb = "ermrest_rcb"
    ermrest_rmb = "ermrest_rmb"


_STORED_AS = {"timestamp": "timestamptz", "json": "jsonb", "ermrest_rct": "timestamptz",
              "ermrest_rmt": "timestamptz", "ermrest_rcb": "text", "ermrest_rmb": "text"}


def column_type(type_: Any) -> str:
    """The contract's type name for a ``BuiltinTypes`` member, a type name, or a deriva-py
    ``builtin_types`` entry (anything with ``typename``)."""
    name = str(getattr(type_, "typename", type_))
    name = _STORED_AS.get(name, name)
    if name not in COLUMN_TYPES:
        raise DerivaMLValidationError(
            f"Column type {name!r} is not supported here; use one of "
            f"{', '.join(sorted(COLUMN_TYPES))}.")
    return name


@dataclass
class ColumnDefinition:
    """A column: ``ColumnDefinition("Score", BuiltinTypes.float4, nullok=True)``."""

    name: str
    type: Any = BuiltinTypes.text
    nullok: bool = True
    default: Any = None
    comment: str | None = None
    acls: dict = field(default_factory=dict)
    acl_bindings: dict = field(default_factory=dict)
    annotations: dict = field(default_factory=dict)

    def to_column(self) -> Column:
        return Column(self.name, column_type(self.type), self.nullok, self.default,
                      self.comment or "")

    def to_dict(self) -> dict[str, Any]:
        """The column as deriva-py's ``Column.define`` writes it."""
        return {"name": self.name, "type": {"typename": column_type(self.type)},
                "nullok": self.nullok, "default": self.default, "comment": self.comment}


class KeyDefinition:
    """A unique key over ``columns`` (deriva-ml's older name for them: ``colnames``)."""

    def __init__(self, columns: Sequence[str] | None = None, constraint_names: Any = None,
                 comment: str | None = None, annotations: dict | None = None, *,
                 colnames: Sequence[str] | None = None, **_ignored: Any):
        self.columns = tuple(_required(columns, colnames, "KeyDefinition", "columns"))
        self.constraint_names = constraint_names
        self.comment = comment
        self.annotations = annotations or {}


class ForeignKeyDefinition:
    """``columns`` reference ``referenced_columns`` of ``referenced_schema.referenced_table``
    (older names: ``colnames``, ``pk_sname``, ``pk_tname``, ``pk_colnames``)."""

    def __init__(self, columns: Sequence[str] | None = None,
                 referenced_schema: str | None = None, referenced_table: str | None = None,
                 referenced_columns: Sequence[str] = ("RID",), *, on_update: str = "NO ACTION",
                 on_delete: str = "NO ACTION", constraint_names: Any = None,
                 comment: str | None = None, colnames: Sequence[str] | None = None,
                 pk_sname: str | None = None, pk_tname: str | None = None,
                 pk_colnames: Sequence[str] | None = None, **_ignored: Any):
        self.columns = tuple(_required(columns, colnames, "ForeignKeyDefinition", "columns"))
        self.referenced_schema = referenced_schema or pk_sname
        self.referenced_table = _required(referenced_table, pk_tname, "ForeignKeyDefinition",
                                          "referenced_table")
        self.referenced_columns = tuple(pk_colnames or referenced_columns)
        self.on_update, self.on_delete = on_update, on_delete
        self.constraint_names, self.comment = constraint_names, comment

    def to_foreign_key(self, default_schema: str) -> ForeignKey:
        return ForeignKey(self.columns, self.referenced_schema or default_schema,
                          self.referenced_table, self.referenced_columns, self.on_delete)


class TableDefinition:
    """A table: its name, ``columns``, ``keys`` and ``foreign_keys`` (older names:
    ``column_defs``, ``key_defs``, ``fkey_defs``); ``schema_name`` if not the domain schema."""

    def __init__(self, name: str, columns: Iterable[ColumnDefinition] = (),
                 keys: Iterable[KeyDefinition] = (),
                 foreign_keys: Iterable[ForeignKeyDefinition] = (), comment: str | None = None,
                 *, schema_name: str | None = None, column_defs: Iterable = (),
                 key_defs: Iterable = (), fkey_defs: Iterable = (), **_ignored: Any):
        self.name = name
        self.schema_name = schema_name
        self.columns = [*columns, *column_defs]
        self.keys = [*keys, *key_defs]
        self.foreign_keys = [*foreign_keys, *fkey_defs]
        self.comment = comment

    def to_table(self, default_schema: str) -> Table:
        """The contract's ``Table``, in ``schema_name`` or else ``default_schema``."""
        schema = self.schema_name or default_schema
        return Table(schema, self.name, [c.to_column() for c in self.columns],
                     [k.columns for k in self.keys],
                     [fk.to_foreign_key(schema) for fk in self.foreign_keys], "table",
                     self.comment or "")


def as_column(c: Column | ColumnDefinition | str | tuple) -> Column:
    """A ``Column`` from any way of naming one: ``Column``, ``ColumnDefinition``, a name, or
    ``(name, type, ...)``."""
    if isinstance(c, Column):
        return c
    if isinstance(c, ColumnDefinition):
        return c.to_column()
    if isinstance(c, str):
        return Column(c)
    return Column(*c)


def as_foreign_key(fk: ForeignKey | ForeignKeyDefinition, schema: str) -> ForeignKey:
    return fk.to_foreign_key(schema) if isinstance(fk, ForeignKeyDefinition) else fk


def _required(value: Any, alias: Any, what: str, name: str) -> Any:
    if value is None:
        value = alias
    if value is None:
        raise DerivaMLValidationError(f"{what} needs {name}.")
    return value
