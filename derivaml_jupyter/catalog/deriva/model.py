"""ERMrest model documents <-> the contract's ``Model``/``Table`` (type names are ERMrest's)."""

from __future__ import annotations

from typing import Any

from ...core.errors import DerivaMLValidationError
from ..contract import COLUMN_TYPES, SYSTEM_COLUMNS, Column, ForeignKey, Model, Table

VOCABULARY_COLUMNS = frozenset({"ID", "URI", "Name", "Description", "Synonyms"})
ASSET_COLUMNS = frozenset({"URL", "Filename", "Length", "MD5"})
# Column types whose default may be a template such as ``PREFIX:{RID}`` (ERMrest fills it in).
RID_TEMPLATE_TYPES = frozenset({"ermrest_curie", "ermrest_uri"})


def model_from_doc(doc: dict) -> Model:
    """Our model of an ERMrest ``/schema`` document."""
    from deriva.core import ermrest_model

    em = ermrest_model.Model(None, doc)
    model = Model()
    for sname, schema in em.schemas.items():
        model.schemas[sname] = {tname: _table(sname, t) for tname, t in schema.tables.items()}
    return model


def _kind(t: Any, names: set[str]) -> str:
    if VOCABULARY_COLUMNS <= names:
        return "vocabulary"
    if ASSET_COLUMNS <= names:
        return "asset"
    if t.is_association(max_arity=None, pure=False):
        return "association"
    return "table"


def _table(schema: str, t: Any) -> Table:
    columns = [Column(c.name, c.type.typename, c.nullok, c.default, c.comment or "")
               for c in t.column_definitions]
    foreign_keys = [
        ForeignKey(tuple(c.name for c in fk.foreign_key_columns), fk.pk_table.schema.name,
                   fk.pk_table.name, tuple(c.name for c in fk.referenced_columns),
                   fk.on_delete or "NO ACTION")
        for fk in t.foreign_keys
        if not {c.name for c in fk.foreign_key_columns} <= {"RCB", "RMB"}
    ]
    keys = [tuple(c.name for c in k.unique_columns) for k in t.keys]
    return Table(schema, t.name, columns, [k for k in keys if k != ("RID",)], foreign_keys,
                 _kind(t, {c.name for c in columns}), t.comment or "")


def table_def(t: Table) -> dict:
    """The ERMrest table definition creating ``t`` (system columns and keys added by
    deriva-py's ``Table.define``)."""
    from deriva.core.ermrest_model import Key
    from deriva.core.ermrest_model import Table as ETable

    return ETable.define(
        t.name, [column_def(t, c) for c in t.columns if c.name not in SYSTEM_COLUMNS],
        key_defs=[Key.define(list(k)) for k in t.keys if tuple(k) != ("RID",)],
        fkey_defs=[foreign_key_def(fk) for fk in t.foreign_keys],
        comment=t.comment or None,
    )


def column_def(t: Table, c: Column) -> dict:
    """The ERMrest definition of column ``c`` of ``t``."""
    from deriva.core.ermrest_model import Column as ECol
    from deriva.core.ermrest_model import builtin_types

    if c.type not in COLUMN_TYPES:
        raise DerivaMLValidationError(
            f"Column {c.name} of {t.name} has unknown type {c.type!r}; "
            f"use one of {', '.join(sorted(COLUMN_TYPES))}.")
    if isinstance(c.default, str) and "{RID}" in c.default \
            and c.type not in RID_TEMPLATE_TYPES:
        raise DerivaMLValidationError(
            f"Column {c.name} of {t.name}: a default with {{RID}} works only for types "
            f"{' and '.join(sorted(RID_TEMPLATE_TYPES))} on a DERIVA server; change the "
            "column type or fill the value in yourself.")
    return ECol.define(c.name, builtin_types[c.type], c.nullok, c.default, c.comment or None)


def foreign_key_def(fk: ForeignKey) -> dict:
    """The ERMrest definition of foreign key ``fk``."""
    from deriva.core.ermrest_model import ForeignKey as EFkey

    return EFkey.define(list(fk.columns), fk.pk_schema, fk.pk_table, list(fk.pk_columns),
                        on_delete=fk.on_delete)
