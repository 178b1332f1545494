"""The denormalization methods ``Dataset`` and ``DatasetBag`` share, with deriva-ml's names
(``get_denormalized_as_dataframe`` and its kin); ``denormalize.py`` says what they return."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from .denormalize import Denormalizer, Selector

if TYPE_CHECKING:
    import pandas as pd

    from ..ml import DerivaML


class DenormalizedViews:
    """Mixed into ``Dataset`` and ``DatasetBag``, which say how to make their ``Denormalizer``.
    ``version`` picks a version of a live dataset; a bag holds its own version only."""

    def _denormalizer(self, version: Any = None) -> Denormalizer:
        raise NotImplementedError

    def get_denormalized_as_dataframe(
        self, include_tables: list[str], *, row_per: str | None = None,
        via: list[str] | None = None, ignore_unrelated_anchors: bool = False,
        selector: Selector | None = None, system_columns: list[str] | None = None,
        version: Any = None,
    ) -> pd.DataFrame:
        """The dataset as one wide table: a row per ``row_per`` row in scope, a
        ``Table.column`` column per column of ``include_tables``.

        Example: ``bag.get_denormalized_as_dataframe(["Image", "Subject"])``; with
        ``selector=FeatureRecord.select_newest`` one value per element of the single feature
        in ``include_tables``; ``system_columns=["RCB"]`` keeps who made each row."""
        return self._denormalizer(version).as_dataframe(
            include_tables, row_per=row_per, via=via,
            ignore_unrelated_anchors=ignore_unrelated_anchors, selector=selector,
            system_columns=system_columns)

    def get_denormalized_as_dict(
        self, include_tables: list[str], *, row_per: str | None = None,
        via: list[str] | None = None, ignore_unrelated_anchors: bool = False,
        selector: Selector | None = None, system_columns: list[str] | None = None,
        version: Any = None,
    ) -> Iterator[dict[str, Any]]:
        """The rows of ``get_denormalized_as_dataframe`` as dicts, one at a time."""
        return self._denormalizer(version).as_dict(
            include_tables, row_per=row_per, via=via,
            ignore_unrelated_anchors=ignore_unrelated_anchors, selector=selector,
            system_columns=system_columns)

    def list_denormalized_columns(self, include_tables: list[str], *,
                                  row_per: str | None = None, via: list[str] | None = None,
                                  version: Any = None) -> list[tuple[str, str]]:
        """``(column label, type)`` of the wide table, from the model alone; raises what
        ``get_denormalized_as_dataframe`` would raise about the request."""
        return self._denormalizer(version).columns(include_tables, row_per=row_per, via=via)

    def describe_denormalized(self, include_tables: list[str], *, row_per: str | None = None,
                              via: list[str] | None = None, version: Any = None
                              ) -> dict[str, Any]:
        """A dry run: ``row_per``, ``columns``, ``join_path``, ``ambiguities``, ``warnings``
        and the rest of deriva-ml's plan dict; never raises."""
        return self._denormalizer(version).describe(include_tables, row_per=row_per, via=via)

    def list_schema_paths(self, tables: list[str] | None = None, version: Any = None
                          ) -> dict[str, Any]:
        """Member types, the tables reachable from each, and the foreign-key paths between
        them (``tables``: only paths touching these)."""
        return self._denormalizer(version).list_paths(tables)


class DatasetDenormalizedViews(DenormalizedViews):
    """The denormalization methods of a live ``Dataset`` (which has ``_ml``)."""

    @property
    def _datasets(self) -> DerivaML:
        """Where the dataset's rows are read (a bag has its own tables here)."""
        return self._ml

    def _denormalizer(self, version: Any = None) -> Denormalizer:
        return Denormalizer(self, version=version)
