"""``FeatureAPI``: the feature methods of ``DerivaML``, with deriva-ml's signatures.

Example::

    Diagnosis = ml.create_feature("Image", "Diagnosis", terms=["Diagnosis_Type"],
                                  metadata=[Column("confidence", "float4")])
    with ml.create_execution(config) as exe:
        exe.add_features([Diagnosis(Image=rid, Diagnosis_Type="Normal", confidence=0.9)])
    exe.upload_execution_outputs()
    list(ml.feature_values("Image", "Diagnosis", selector=FeatureRecord.select_newest))
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..catalog.contract import COLUMN_TYPES, Catalog, Column, ForeignKey, Table
from ..core.definitions import ML_SCHEMA, MLVocab
from ..core.errors import (
    DerivaMLConflict,
    DerivaMLException,
    DerivaMLNotImplemented,
    DerivaMLValidationError,
)
from ..schema.builders import association_table, link
from . import discovery
from .record import STRUCTURAL, Feature, FeatureRecord

if TYPE_CHECKING:
    from ..ml import DerivaML

Selector = Callable[[list[FeatureRecord]], FeatureRecord | None]


class FeatureAPI:
    """Create, find and read features (``Execution_<Table>_<Feature>`` tables)."""

    catalog: Catalog
    domain_schema: str
    search_schemas: tuple[str, ...]
    find_table: Callable[[str | Table], Table]
    add_term: Callable[..., dict]

    def create_feature(
        self: DerivaML, target_table: Table | str, feature_name: str,
        terms: list[Table | str] | None = None, assets: list[Table | str] | None = None,
        metadata: list[Column | Table | Mapping | str] | None = None,
        optional: list[str] | None = None, comment: str = "", update_navbar: bool = True,
    ) -> type[FeatureRecord]:
        """Create feature ``feature_name`` of ``target_table``; return its record class.

        ``terms`` are vocabularies and ``assets`` asset tables (one column each, named after
        the table); ``metadata`` adds value columns (``Column``s, ``{"name", "type"}`` dicts)
        or references to other tables; ``optional`` names the columns a record may leave
        empty. (``update_navbar`` is accepted for deriva-ml's sake; there is no navbar.)
        """
        target = self.find_table(target_table)
        columns, fkeys = [], []
        for kind, refs in (("vocabulary", terms), ("asset", assets)):
            tables = [self.find_table(r) for r in refs or []]
            wrong = [t.name for t in tables if t.kind != kind]
            if wrong:
                raise DerivaMLValidationError(
                    f"Invalid create_feature {kind} table(s): {wrong}. Each entry of "
                    f"`{'terms' if kind == 'vocabulary' else 'assets'}` must be a "
                    f"{'controlled vocabulary' if kind == 'vocabulary' else 'asset'} table.")
            for t in tables:
                _add_reference(columns, fkeys, t)
        for m in metadata or []:
            if isinstance(m, str | Table):
                _add_reference(columns, fkeys, self.find_table(m))
            else:
                columns.append(_value_column(m))
        names = [c.name for c in columns]
        clash = sorted({n for n in names if names.count(n) > 1 or n in STRUCTURAL
                        or n == target.name})
        if clash:
            raise DerivaMLValidationError(
                f"Feature {feature_name} would have column(s) {clash} twice or clash with its "
                "own Feature_Name/Execution/target columns; rename them.")
        unknown = sorted(set(optional or []) - set(names))
        if unknown:
            raise DerivaMLValidationError(
                f"optional names {unknown}, which are not columns of the feature; its "
                f"columns are {names}.")
        columns = [replace(c, nullok=True) if c.name in (optional or []) else c
                   for c in columns]
        name = f"Execution_{target.name}_{feature_name}"
        if self.catalog.model().has_table(self.domain_schema, name):
            raise DerivaMLConflict(
                f"Feature {feature_name} of {target.name} exists already ({name}); use "
                f"ml.feature_record_class({target.name!r}, {feature_name!r}).")
        model = self.catalog.model()
        definition = association_table(
            self.domain_schema, name,
            [link("Feature_Name", model.table(ML_SCHEMA, MLVocab.feature_name)),
             link("Execution", model.table(ML_SCHEMA, "Execution")), link(target.name, target)],
            extra=columns, extra_fkeys=fkeys)
        definition.columns[0] = replace(definition.columns[0], default=feature_name)
        definition.comment = comment
        with self.catalog.transaction():
            self.add_term(MLVocab.feature_name, feature_name,
                          description=comment or f"Feature {feature_name} of {target.name}.")
            self.catalog.create_table(definition)
        return self.feature_record_class(target, feature_name)

    def find_features(self: DerivaML, table: str | Table | None = None) -> list[Feature]:
        """Features of ``table``, or of every table."""
        target = self.find_table(table) if table is not None else None
        return discovery.find_features(self.catalog, self.search_schemas, self, target)

    def lookup_feature(self: DerivaML, table: str | Table, feature_name: str) -> Feature:
        """Feature ``feature_name`` of ``table`` (``DerivaMLNotFound`` if there is none)."""
        return discovery.lookup_feature(self.catalog, self.search_schemas, self,
                                        self.find_table(table), feature_name)

    def feature_record_class(self: DerivaML, table: str | Table,
                             feature_name: str) -> type[FeatureRecord]:
        """The record class of a feature, e.g. ``ImageFeatureDiagnosis``."""
        return self.lookup_feature(table, feature_name).feature_record_class()

    def feature_values(self: DerivaML, table: Table | str, feature_name: str,
                       selector: Selector | None = None, materialize_limit: int | None = None,
                       execution_rids: list[str] | None = None) -> Iterable[FeatureRecord]:
        """The feature's values as records; ``selector`` (e.g.
        ``FeatureRecord.select_newest``) keeps one per target RID; ``execution_rids`` keeps
        those of these executions."""
        feature = self.lookup_feature(table, feature_name)
        return discovery.feature_values(self.catalog, feature, selector, materialize_limit,
                                        execution_rids)

    def add_features(self, *args: Any, **kwargs: Any) -> int:
        """Retired in deriva-ml as here: use ``exe.add_features(records)`` in an execution."""
        raise DerivaMLException(
            "DerivaML.add_features() has been retired. Use exe.add_features(records) inside "
            "an execution context: ``with ml.create_execution(config) as exe: "
            "exe.add_features(records)``")

    def delete_feature(self: DerivaML, table: Table | str, feature_name: str) -> bool:
        """Remove a feature and its values; False if there is no such feature."""
        target = self.find_table(table)
        if not any(f.feature_name == feature_name for f in self.find_features(target)):
            return False
        raise DerivaMLNotImplemented(
            f"Deleting feature {feature_name} of {target.name} is not yet supported: the "
            "catalog backends cannot drop tables yet.")


def _add_reference(columns: list[Column], fkeys: list[ForeignKey], t: Table) -> None:
    """A required column named after ``t`` referencing it (vocabularies by Name)."""
    _, target, pk = link(t.name, t)
    columns.append(Column(t.name, "text", nullok=False))
    fkeys.append(ForeignKey((t.name,), target.schema, target.name, (pk,)))


def _value_column(m: Any) -> Column:
    """A value column from a ``Column``, an object with ``to_dict()`` or a dict like
    deriva-py's ``Column.define`` (``type`` a name or ``{"typename": ...}``)."""
    if isinstance(m, Column):
        column = m
    else:
        d = m.to_dict() if hasattr(m, "to_dict") else m
        if not isinstance(d, Mapping) or "name" not in d:
            raise DerivaMLValidationError(
                f"metadata entry {m!r} is neither a column definition nor a table name.")
        kind = d.get("type", "text")
        kind = kind.get("typename", "text") if isinstance(kind, Mapping) else str(kind)
        column = Column(d["name"], kind, d.get("nullok", True), d.get("default"),
                        d.get("comment") or "")
    if column.type not in COLUMN_TYPES:
        raise DerivaMLValidationError(
            f"Column {column.name} has unknown type {column.type!r}; use one of "
            f"{', '.join(sorted(COLUMN_TYPES))}.")
    return column
