"""``Feature`` (a feature's definition) and ``FeatureRecord`` (one value of it), as
``deriva_ml.feature`` offers them.

A feature's record class has one field per feature column, ``Feature_Name`` (defaulted), the
target table's RID column (required), ``Execution`` and ``RCT``. Construction checks field
names, the target field and types, and resolves term values to their vocabulary's ``Name``;
as in deriva-ml, feature columns default to None (``add_features`` checks the required ones).
``model_fields`` and ``model_dump()`` behave like pydantic's.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from ..catalog.contract import Column, Table
from ..core.errors import DerivaMLException, DerivaMLValidationError

if TYPE_CHECKING:
    from ..ml import DerivaML

STRUCTURAL = frozenset({"RID", "RCT", "RMT", "RCB", "RMB", "Feature_Name", "Execution"})
PY_TYPES: dict[str, type] = {"int2": int, "int4": int, "int8": int, "float4": float,
                             "float8": float, "boolean": bool}


@dataclass(frozen=True)
class FieldInfo:
    """A field of a record class (pydantic's ``model_fields`` values)."""

    annotation: Any
    default: Any = None
    required: bool = False

    def is_required(self) -> bool:
        return self.required


def reduce_with_selector(
    records: Iterable[FeatureRecord], target_col: str,
    selector: Callable[[list[FeatureRecord]], FeatureRecord | None],
    qualifier_cols: Iterable[str] = (),
) -> Iterator[FeatureRecord]:
    """Group ``records`` by target RID (and qualifiers); yield ``selector``'s non-None pick of
    each group."""
    qualifier_cols = tuple(qualifier_cols)
    grouped: dict[tuple, list[FeatureRecord]] = defaultdict(list)
    for rec in records:
        target_rid = getattr(rec, target_col, None)
        if target_rid is not None:
            grouped[(target_rid, *(getattr(rec, q, None) for q in qualifier_cols))].append(rec)
    for group in grouped.values():
        chosen = selector(group)
        if chosen is not None:
            yield chosen


class FeatureRecord:
    """Base class of the record classes ``Feature.feature_record_class()`` makes."""

    model_fields: ClassVar[dict[str, FieldInfo]] = {
        "Execution": FieldInfo(str | None), "Feature_Name": FieldInfo(str, required=True),
        "RCT": FieldInfo(str | None)}
    feature: ClassVar[Feature | None] = None

    def __init__(self, **values: Any):
        cls = type(self)
        unknown = sorted(set(values) - set(cls.model_fields))
        if unknown:
            raise DerivaMLValidationError(
                f"{cls.__name__} has no field(s) {', '.join(unknown)}; its fields are "
                f"{', '.join(cls.model_fields)}.")
        for name, info in cls.model_fields.items():
            if name in values:
                value = _coerce(cls, name, info, values[name])
            elif info.required:
                raise DerivaMLValidationError(f"{cls.__name__} needs a value for {name}.")
            else:
                value = info.default
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: Any) -> None:
        info = type(self).model_fields.get(name)
        if info is None:
            raise DerivaMLValidationError(f"{type(self).__name__} has no field {name}.")
        object.__setattr__(self, name, _coerce(type(self), name, info, value))

    def model_dump(self, *, exclude_none: bool = False) -> dict[str, Any]:
        values = {name: getattr(self, name) for name in type(self).model_fields}
        return {k: v for k, v in values.items() if v is not None} if exclude_none else values

    def model_dump_json(self) -> str:
        return json.dumps(self.model_dump(), default=str)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.model_dump() == self.model_dump()

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.model_dump().items())
        return f"{type(self).__name__}({fields})"

    # -- selectors -------------------------------------------------------------------------
    @staticmethod
    def select_newest(records: list[FeatureRecord]) -> FeatureRecord:
        """The record with the latest ``RCT``."""
        return max(records, key=lambda r: r.RCT or "")

    @staticmethod
    def select_latest(records: list[FeatureRecord]) -> FeatureRecord:
        """Alias of ``select_newest``."""
        return FeatureRecord.select_newest(records)

    @staticmethod
    def select_first(records: list[FeatureRecord]) -> FeatureRecord:
        """The record with the earliest ``RCT``."""
        return min(records, key=lambda r: r.RCT or "")

    @staticmethod
    def select_by_execution(execution_rid: str):
        """A selector: the newest record of execution ``execution_rid`` (None if none)."""

        def _selector(records: list[FeatureRecord]) -> FeatureRecord | None:
            mine = [r for r in records if r.Execution == execution_rid]
            return FeatureRecord.select_newest(mine) if mine else None

        return _selector

    @classmethod
    def select_by_workflow(cls, workflow: str, *, container):
        """A selector: the newest record made by an execution of ``workflow`` (a Workflow RID
        or Workflow_Type name), resolved now through ``container.list_workflow_executions``."""
        execution_rids = set(container.list_workflow_executions(workflow))

        def _selector(records: list[FeatureRecord]) -> FeatureRecord | None:
            matched = [r for r in records if r.Execution in execution_rids]
            return FeatureRecord.select_newest(matched) if matched else None

        return _selector

    @classmethod
    def select_majority_vote(cls, column: str | None = None):
        """A selector: the newest record holding the most common value of ``column`` (default:
        the feature's only term column)."""

        def _selector(records: list[FeatureRecord]) -> FeatureRecord | None:
            if not records:
                return None
            col = column or _only_term_column(type(records[0]))
            counts = Counter(getattr(r, col, None) for r in records)
            top = max(counts.values())
            return max((r for r in records if counts[getattr(r, col, None)] == top),
                       key=lambda r: r.RCT or "")

        return _selector

    # -- columns ---------------------------------------------------------------------------
    @classmethod
    def _require_feature(cls) -> Feature:
        if cls.feature is None:
            raise DerivaMLException(
                f"{cls.__name__}.feature is None: the column accessors work on classes made "
                "by Feature.feature_record_class(), not on FeatureRecord itself.")
        return cls.feature

    @classmethod
    def feature_columns(cls) -> set[Column]:
        return cls._require_feature().feature_columns

    @classmethod
    def asset_columns(cls) -> set[Column]:
        return cls._require_feature().asset_columns

    @classmethod
    def term_columns(cls) -> set[Column]:
        return cls._require_feature().term_columns

    @classmethod
    def value_columns(cls) -> set[Column]:
        return cls._require_feature().value_columns


def _only_term_column(cls: type[FeatureRecord]) -> str:
    terms = sorted(c.name for c in cls.feature.term_columns) if cls.feature else []
    if len(terms) != 1:
        raise DerivaMLException(
            "select_majority_vote needs a column name: the feature has "
            f"{'term columns ' + ', '.join(terms) if terms else 'no term column'}.")
    return terms[0]


def _coerce(cls: type[FeatureRecord], name: str, info: FieldInfo, value: Any) -> Any:
    """``value`` checked against field ``name``: types converted, terms resolved."""
    if value is None:
        if info.required:
            raise DerivaMLValidationError(f"{cls.__name__}.{name} cannot be None.")
        return None
    feature = cls.feature
    if feature is not None and name in feature._term_tables:
        return feature._resolve_term(name, value)
    if feature is not None and name in {c.name for c in feature.asset_columns}:
        if not isinstance(value, str | Path):
            raise DerivaMLValidationError(
                f"{cls.__name__}.{name} takes an asset RID or the path of a file staged with "
                f"asset_file_path, not {value!r}.")
        return value
    target = PY_TYPES.get(feature._column_types.get(name, "text")) if feature else None
    try:
        if target is bool and not isinstance(value, bool):
            raise ValueError
        return target(value) if target is not None else value
    except (TypeError, ValueError):
        raise DerivaMLValidationError(
            f"{cls.__name__}.{name} takes a {target.__name__}, not {value!r}.") from None


class Feature:
    """A feature's definition: ``feature_table`` (``Execution_<Target>_<Name>``),
    ``target_table``, ``feature_name`` and its columns by role (``term_columns``,
    ``asset_columns``, ``value_columns``, all in ``feature_columns``). Obtain one with
    ``ml.lookup_feature`` or ``ml.find_features``."""

    def __init__(self, feature_table: Table, target_table: Table, ml: DerivaML | None,
                 vocabularies: dict[str, Table], assets: set[str]):
        self.feature_table = feature_table
        self.target_table = target_table
        prefix = f"Execution_{target_table.name}_"
        default = feature_table.column("Feature_Name").default
        self.feature_name: str = default or feature_table.name.removeprefix(prefix)
        self._ml = ml
        self._term_tables = vocabularies  # column name -> vocabulary table
        self.feature_columns = {c for c in feature_table.columns
                                if c.name not in STRUCTURAL | {target_table.name}}
        self.term_columns = {c for c in self.feature_columns if c.name in vocabularies}
        self.asset_columns = {c for c in self.feature_columns if c.name in assets}
        self.value_columns = self.feature_columns - self.term_columns - self.asset_columns
        self.qualifier_columns: list[str] = []
        self._column_types = {c.name: c.type for c in feature_table.columns}

    def _resolve_term(self, column: str, value: Any) -> str:
        if self._ml is None:
            return str(value)
        return self._ml.lookup_term(self._term_tables[column], str(value))["Name"]

    def feature_record_class(self) -> type[FeatureRecord]:
        """A ``FeatureRecord`` subclass named ``<Target>Feature<Name>`` for this feature."""
        fields = {
            **FeatureRecord.model_fields,
            "Feature_Name": FieldInfo(str, self.feature_name),
            self.target_table.name: FieldInfo(str, required=True),
        }
        for c in sorted(self.feature_columns, key=lambda c: c.name):
            kind = str | Path if c in self.asset_columns else PY_TYPES.get(c.type, str)
            fields[c.name] = FieldInfo(kind if not c.nullok else kind | None, c.default)
        name = f"{self.target_table.name}Feature{self.feature_name}"
        doc = (f"Class to capture fields in a feature {self.feature_name} on table "
               f"{self.target_table.name}. Feature columns include:\n"
               + "\n".join(f"    {c.name}" for c in sorted(self.feature_columns,
                                                            key=lambda c: c.name)))
        return type(name, (FeatureRecord,), {"model_fields": fields, "feature": self,
                                             "__doc__": doc})

    def __repr__(self) -> str:
        return (f"Feature(target_table={self.target_table.name}, "
                f"feature_name={self.feature_name}, feature_table={self.feature_table.name})")
