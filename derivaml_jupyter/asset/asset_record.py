"""``AssetRecord``: typed values of an asset table's own columns (deriva-ml's
``deriva_ml.asset.asset_record``), made per table by ``asset_record_class``.

Example::

    ImageAsset = ml.asset_record_class("Image")
    path = exe.asset_file_path("Image", "scan.png", metadata=ImageAsset(Subject="1-ABC"))
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from ..catalog.contract import Model, Table
from ..core.errors import DerivaMLTableTypeError, DerivaMLValidationError
from ..feature.record import PY_TYPES, FieldInfo

# Columns of every asset table that the catalog and the upload fill in.
ASSET_FILE_COLUMNS = frozenset({"RID", "RCT", "RMT", "RCB", "RMB", "URL", "Filename", "Length",
                                "MD5", "Description"})


class AssetRecord:
    """Base class of the classes ``asset_record_class`` makes: one field per metadata column
    of the asset table (required where the column is not nullable); unknown fields, missing
    required ones and values of the wrong type raise. ``model_fields`` and ``model_dump()``
    behave like pydantic's."""

    model_fields: ClassVar[dict[str, FieldInfo]] = {}
    asset_table: ClassVar[str] = ""

    def __init__(self, **values: Any):
        fields = type(self).model_fields
        missing = sorted(n for n, info in fields.items() if info.required and n not in values)
        if missing:
            raise DerivaMLValidationError(
                f"{type(self).__name__} needs a value for {', '.join(missing)}.")
        for name, value in {**{n: info.default for n, info in fields.items()}, **values}.items():
            setattr(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        """Set a field, its value checked (an unknown field raises)."""
        fields = type(self).model_fields
        if name not in fields:
            raise DerivaMLValidationError(
                f"{type(self).__name__} has no field {name}; its fields are "
                f"{', '.join(fields) or '(none)'}.")
        object.__setattr__(self, name, _checked(type(self).__name__, name, fields[name], value))

    def model_dump(self, *, exclude_none: bool = False) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in type(self).model_fields}
        return {k: v for k, v in values.items() if v is not None} if exclude_none else values

    def model_dump_json(self) -> str:
        return json.dumps(self.model_dump())

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.model_dump() == self.model_dump()

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.model_dump().items())
        return f"{type(self).__name__}({fields})"


def _checked(owner: str, name: str, info: FieldInfo, value: Any) -> Any:
    if value is None:
        if info.required:
            raise DerivaMLValidationError(f"{owner}.{name} cannot be None.")
        return None
    kind = info.annotation
    if kind is Any:
        return value
    if kind is bool and not isinstance(value, bool):
        raise DerivaMLValidationError(f"{owner}.{name} takes a bool, not {value!r}.")
    try:
        return kind(value)
    except (TypeError, ValueError):
        raise DerivaMLValidationError(
            f"{owner}.{name} takes a {kind.__name__}, not {value!r}.") from None


def metadata_columns(table: Table) -> list[str]:
    """The columns of asset table ``table`` a user sets (not the file's, not the system's)."""
    return [c.name for c in table.columns if c.name not in ASSET_FILE_COLUMNS]


def asset_record_class(model: Any, asset_table_name: str) -> type[AssetRecord]:
    """The ``AssetRecord`` subclass ``<Table>AssetRecord`` of an asset table's metadata
    columns. ``model`` is a ``DerivaML`` or its catalog's ``Model``; a table that is not an
    asset table raises ``DerivaMLTableTypeError``."""
    table = _find_table(model, asset_table_name)
    if table.kind != "asset":
        raise DerivaMLTableTypeError("asset", table.name)
    own = set(metadata_columns(table))
    fields = {c.name: FieldInfo(_python_type(c.type), c.default, required=not c.nullok)
              for c in table.columns if c.name in own}
    doc = (f"Typed metadata for the {table.name} asset table.\n"
           f"Metadata columns: {', '.join(sorted(own))}")
    return type(f"{table.name}AssetRecord", (AssetRecord,),
                {"model_fields": fields, "asset_table": table.name, "__doc__": doc})


def _python_type(column_type: str) -> Any:
    return Any if column_type in ("json", "jsonb") else PY_TYPES.get(column_type, str)


def _find_table(model: Any, name: str) -> Table:
    if not isinstance(model, Model):
        return model.find_table(name)
    found = [t for t in model.tables() if t.name == name]
    if len(found) != 1:
        raise DerivaMLValidationError(
            f"{'No' if not found else 'More than one'} table named {name} in the catalog"
            + ("." if not found else f" ({', '.join(t.schema for t in found)}): "
               "use a DerivaML, which knows its schemas."))
    return found[0]
