"""Feature reads of a live ``Dataset`` with deriva-ml's names: values of the rows in the
dataset's scope (its members and the rows they reach by foreign keys)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ..catalog.contract import Table
from ..feature.discovery import DerivaMLMaterializeLimitExceeded
from ..feature.record import Feature, FeatureRecord, reduce_with_selector

if TYPE_CHECKING:
    from ..ml import DerivaML
    from .denormalize import Denormalizer


class DatasetFeatures:
    """Mixed into ``Dataset`` (which has ``_ml``, ``dataset_rid`` and ``_denormalizer``)."""

    _ml: DerivaML
    dataset_rid: str
    _denormalizer: Callable[..., Denormalizer]

    def find_features(self, table: str | Table | None = None) -> list[Feature]:
        """Features of ``table`` (or of every table) in the catalog."""
        return self._ml.find_features(table)

    def lookup_feature(self, table: str | Table, feature_name: str) -> Feature:
        return self._ml.lookup_feature(table, feature_name)

    def feature_values(
        self, table: str | Table, feature_name: str,
        selector: Callable[[list[FeatureRecord]], FeatureRecord | None] | None = None,
        materialize_limit: int | None = None, execution_rids: list[str] | None = None,
    ) -> Iterator[FeatureRecord]:
        """The feature's values for the dataset's rows of ``table`` (``selector``: one per
        row); ``materialize_limit`` bounds how many there may be before selection."""
        feature = self.lookup_feature(table, feature_name)
        target = feature.target_table.name
        scope = {r["RID"] for r in self._denormalizer().reachable_rows(target)}
        records = [r for r in self._ml.feature_values(table, feature_name,
                                                      execution_rids=execution_rids)
                   if getattr(r, target) in scope]
        if materialize_limit is not None and len(records) > materialize_limit:
            raise DerivaMLMaterializeLimitExceeded(len(records), materialize_limit)
        if selector is None:
            yield from records
        else:
            yield from reduce_with_selector(records, target, selector,
                                            feature.qualifier_columns)

    def list_members(self, table: str | Table) -> list[str]:
        """RIDs of the dataset's direct members in ``table``."""
        name = self._ml.find_table(table).name
        return [r["RID"] for r in self._ml.list_dataset_members(self.dataset_rid).get(name, [])]
