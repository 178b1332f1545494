"""Finding features in a catalog's model and reading their values; shared by ``DerivaML``
and ``DatasetBag``.

A feature table is named ``Execution_<Target>_<Feature>`` and has a ``Feature_Name``, an
``Execution`` and a ``<Target>`` column (a foreign key to the target table), the way
deriva-ml makes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from ..catalog.contract import Catalog, ForeignKey, Table
from ..core.errors import DerivaMLFeatureNotFound, DerivaMLValidationError
from .record import Feature, FeatureRecord, reduce_with_selector

if TYPE_CHECKING:
    from ..ml import DerivaML


class DerivaMLMaterializeLimitExceeded(DerivaMLValidationError):
    """``feature_values`` found more rows than its ``materialize_limit``."""

    def __init__(self, actual_count: int, limit: int):
        super().__init__(f"The feature has {actual_count} values, more than materialize_limit="
                         f"{limit}; narrow it with execution_rids=[...] or raise the limit.")
        self.actual_count = actual_count
        self.limit = limit


def feature_target(t: Table) -> ForeignKey | None:
    """The foreign key of feature table ``t`` to its target table; None if ``t`` is not a
    feature table."""
    if not {"Feature_Name", "Execution"} <= set(t.column_names):
        return None
    return next((fk for fk in t.foreign_keys if len(fk.columns) == 1
                 and fk.columns[0] == fk.pk_table
                 and t.name.startswith(f"Execution_{fk.pk_table}_")), None)


def as_feature(t: Table, catalog: Catalog, ml: DerivaML | None) -> Feature | None:
    """The feature ``t`` implements, or None if it is not a feature table."""
    target = feature_target(t)
    if target is None:
        return None
    model = catalog.model()
    vocabularies, assets = {}, set()
    for fk in t.foreign_keys:
        column = fk.columns[0]
        if len(fk.columns) != 1 or column in ("Feature_Name", "Execution", target.columns[0]):
            continue
        pk = model.table(fk.pk_schema, fk.pk_table)
        if pk.kind == "vocabulary":
            vocabularies[column] = pk
        elif pk.kind == "asset":
            assets.add(column)
    return Feature(t, model.table(target.pk_schema, target.pk_table), ml, vocabularies, assets)


def find_features(catalog: Catalog, schemas: Iterable[str], ml: DerivaML | None,
                  target: Table | None = None) -> list[Feature]:
    """Features on tables of ``schemas`` (only those of ``target`` when given)."""
    schemas = set(schemas)
    found = [f for t in catalog.model().tables() if t.schema in schemas
             if (f := as_feature(t, catalog, ml)) is not None]
    if target is not None:
        found = [f for f in found if (f.target_table.schema, f.target_table.name)
                 == (target.schema, target.name)]
    return sorted(found, key=lambda f: (f.target_table.name, f.feature_name))


def lookup_feature(catalog: Catalog, schemas: Iterable[str], ml: DerivaML | None,
                   target: Table, feature_name: str) -> Feature:
    features = find_features(catalog, schemas, ml, target)
    for f in features:
        if f.feature_name == feature_name:
            return f
    known = ", ".join(f.feature_name for f in features) or "none"
    raise DerivaMLFeatureNotFound(target.name, feature_name, message=(
        f"Table {target.name} has no feature {feature_name!r} (its features: {known}); create "
        f"it with ml.create_feature({target.name!r}, {feature_name!r}, ...)."))


def feature_values(
    catalog: Catalog, feature: Feature,
    selector: Callable[[list[FeatureRecord]], FeatureRecord | None] | None = None,
    materialize_limit: int | None = None, execution_rids: list[str] | None = None,
) -> Iterator[FeatureRecord]:
    """The feature's records (``selector``: one per target RID)."""
    if execution_rids is not None and not execution_rids:
        return
    t = feature.feature_table
    where = {"Execution": list(execution_rids)} if execution_rids is not None else None
    rows = list(catalog.iter_rows(t.schema, t.name, where=where))
    if materialize_limit is not None and len(rows) > materialize_limit:
        raise DerivaMLMaterializeLimitExceeded(len(rows), materialize_limit)
    record_class = feature.feature_record_class()
    fields = record_class.model_fields
    records = [record_class(**{k: v for k, v in row.items() if k in fields}) for row in rows]
    if selector is None:
        yield from records
    else:
        yield from reduce_with_selector(records, feature.target_table.name, selector,
                                        feature.qualifier_columns)
