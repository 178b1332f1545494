"""Schema drift and pinning, as deriva-ml offers them (``diff_schema``, ``pin_schema``,
``pin_status``): how the catalog's model differs from the one a connection was opened (or
pinned) with, and a pin, kept in ``<working_dir>/schema-pin.json``, that makes
``refresh_schema`` refuse until ``unpin_schema``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from .catalog.contract import Model, Table

PIN_FILE = "schema-pin.json"


@dataclass(frozen=True)
class SchemaDiff:
    """What changed between two models; items are ``schema.table`` names, columns
    ``schema.table.column`` (with their type where added or changed), foreign keys
    ``schema.table(columns) -> schema.table(columns)``."""

    added_schemas: list[str] = field(default_factory=list)
    removed_schemas: list[str] = field(default_factory=list)
    added_tables: list[str] = field(default_factory=list)
    removed_tables: list[str] = field(default_factory=list)
    added_columns: list[str] = field(default_factory=list)
    removed_columns: list[str] = field(default_factory=list)
    column_type_changes: list[str] = field(default_factory=list)
    added_fkeys: list[str] = field(default_factory=list)
    removed_fkeys: list[str] = field(default_factory=list)

    @classmethod
    def between(cls, old: Model, new: Model) -> SchemaDiff:
        def tables(model: Model) -> set[str]:
            return {f"{t.schema}.{t.name}" for t in model.tables()}

        both = tables(old) & tables(new)  # columns and keys of added tables are not listed

        def columns(model: Model) -> dict[str, str]:
            return {f"{t.schema}.{t.name}.{c.name}": c.type for t in model.tables()
                    if f"{t.schema}.{t.name}" in both for c in t.columns}

        def fkeys(model: Model) -> set[str]:
            return {f"{t.schema}.{t.name}({', '.join(fk.columns)}) -> {fk.pk_schema}."
                    f"{fk.pk_table}({', '.join(fk.pk_columns)})"
                    for t in model.tables() if f"{t.schema}.{t.name}" in both
                    for fk in t.foreign_keys}

        old_cols, new_cols = columns(old), columns(new)
        return cls(
            sorted(new.schemas.keys() - old.schemas.keys()),
            sorted(old.schemas.keys() - new.schemas.keys()),
            sorted(tables(new) - tables(old)), sorted(tables(old) - tables(new)),
            sorted(f"{c} ({new_cols[c]})" for c in new_cols.keys() - old_cols.keys()),
            sorted(old_cols.keys() - new_cols.keys()),
            sorted(f"{c}: {old_cols[c]} -> {new_cols[c]}" for c in old_cols.keys() & new_cols
                   if old_cols[c] != new_cols[c]),
            sorted(fkeys(new) - fkeys(old)), sorted(fkeys(old) - fkeys(new)))

    def is_empty(self) -> bool:
        return not any(vars(self).values())

    def render(self) -> str:
        """One line per change: ``+ table domain.Image``, ``- column ...``, ``~ column ...``."""
        def label(field: str) -> str:  # added_tables: "+ table"; column_type_changes: "~ column"
            change, _, what = field.partition("_")
            return {"added": "+ ", "removed": "- "}.get(change, "~ ") + (
                "column" if change == "column" else what.removesuffix("s"))

        return "\n".join(f"{label(name)} {item}"
                         for name, items in vars(self).items() for item in items)


@dataclass(frozen=True)
class PinStatus:
    """Whether the schema is pinned, when and why, and the catalog snapshot it is pinned at
    (unpinned: the catalog's current snapshot)."""

    pinned: bool
    pinned_at: datetime | None
    pin_reason: str | None
    pinned_snapshot_id: str


class SchemaPin:
    """The pin file of a working directory."""

    def __init__(self, working_dir: Path):
        self.path = Path(working_dir) / PIN_FILE

    def read(self) -> dict | None:
        return json.loads(self.path.read_text()) if self.path.is_file() else None

    def write(self, snapshot: str, reason: str | None, model: Model) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({
            "snapshot": snapshot, "reason": reason,
            "pinned_at": datetime.now(UTC).isoformat(),
            "tables": [t.to_dict() for t in model.tables()],
            "schemas": sorted(model.schemas)}, indent=1))

    def model(self) -> Model | None:
        """The model as pinned."""
        pin = self.read()
        if pin is None:
            return None
        model = Model({name: {} for name in pin["schemas"]})
        for d in pin["tables"]:
            t = Table.from_dict(d)
            model.schemas.setdefault(t.schema, {})[t.name] = t
        return model

    def status(self, current_snapshot: str) -> PinStatus:
        pin = self.read()
        if pin is None:
            return PinStatus(False, None, None, current_snapshot)
        return PinStatus(True, datetime.fromisoformat(pin["pinned_at"]), pin["reason"],
                         pin["snapshot"])

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
