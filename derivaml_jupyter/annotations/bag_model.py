"""deriva-ml's model of a downloaded dataset bag: ``DatabaseModel`` (``DerivaModel`` over the
bag's tables, with the versions of the datasets in it) and ``DerivaMLBagView`` (the read side
of ``DerivaML`` over a bag; writes raise).

Here a bag's tables are read from its CSV files (``dataset.bag_catalog.BagCatalog``); there is
no SQLite mirror of them, so ``dbase_path`` holds nothing.

Example::

    model = DatabaseModel(minid, bag.path, ml.working_dir)
    view = DerivaMLBagView(model)
    view.find_datasets(), view.lookup_term("Diagnosis", "Normal")
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import (
    DerivaMLDatasetNotFound,
    DerivaMLException,
    DerivaMLInvalidTerm,
    DerivaMLReadOnlyError,
)
from ..core.vocabulary_term import VocabularyTerm
from .model import DerivaModel

if TYPE_CHECKING:
    import pandas as pd

    from ..dataset.bag_catalog import BagCatalog
    from ..dataset.dataset_bag import DatasetBag
    from ..dataset.spec import DatasetVersion
    from ..feature.record import Feature
    from .handles import TableHandle

_warned: set[str] = set()


class DatabaseModel(DerivaModel):
    """The model of the bag at ``bag_path`` (downloaded for ``minid``, a ``DatasetMinid`` or
    None), with ``bag_rids``: each dataset in the bag -> its highest version there."""

    def __init__(self, minid: Any, bag_path: str | Path, dbase_path: str | Path):
        from ..dataset.bag_catalog import BagCatalog
        from ..dataset.dataset_bag import BAG_INFO_RID, BAG_INFO_SNAPSHOT, read_bag_info

        self.minid = minid
        self.bag_path = Path(bag_path)
        self.database_dir = Path(dbase_path)
        if "dbase_path" not in _warned:
            _warned.add("dbase_path")
            warnings.warn("DatabaseModel: dbase_path is not used here; a bag's tables are "
                          "read from its CSV files, not from a SQLite copy.", stacklevel=2)
        info = read_bag_info(self.bag_path)
        catalog = BagCatalog(self.bag_path, info[BAG_INFO_SNAPSHOT])
        super().__init__(catalog, catalog.ml_schema)
        self.dataset_rid: str = getattr(minid, "dataset_rid", None) or info[BAG_INFO_RID]
        self.dataset_table = self.name_to_table("Dataset")
        self.bag_rids = self._versions(catalog)

    @classmethod
    def from_cached(cls, schema_dict: dict, *, catalog: Any, ml_schema: str = "deriva-ml",
                    domain_schemas: Any = None, default_schema: str | None = None) -> None:
        """Not for bags: open one with ``DatabaseModel(minid, bag_path, dbase_path)``."""
        raise DerivaMLException(
            "A DatabaseModel is opened from a bag: DatabaseModel(minid, bag_path, dbase_path). "
            "For a schema document use DerivaModel.from_cached.")

    def _versions(self, catalog: BagCatalog) -> dict[str, DatasetVersion]:
        from ..dataset.spec import DatasetVersion

        versions: dict[str, DatasetVersion] = {}
        if catalog.model().has_table(self.ml_schema, "Dataset_Version"):
            for row in catalog.iter_rows(self.ml_schema, "Dataset_Version"):
                version = DatasetVersion.parse(row["Version"])
                if row["Dataset"] not in versions or version > versions[row["Dataset"]]:
                    versions[row["Dataset"]] = version
        return versions

    def dataset_version(self, dataset_rid: str | None = None) -> DatasetVersion:
        """The version of ``dataset_rid`` (default: the bag's own dataset) in this bag."""
        return self.rid_lookup(dataset_rid or self.dataset_rid)

    def rid_lookup(self, dataset_rid: str) -> DatasetVersion:
        """The version of the dataset ``dataset_rid`` in this bag; raises if it is not here."""
        if dataset_rid not in self.bag_rids:
            raise DerivaMLDatasetNotFound(dataset_rid, msg="Dataset not found in this bag")
        return self.bag_rids[dataset_rid]

    def get_table_contents(self, table: str) -> Iterator[dict[str, Any]]:
        """The rows of ``table`` in the bag."""
        t = self.name_to_table(table)
        return self.catalog.iter_rows(t.schema, t.name)


class DerivaMLBagView:
    """The read side of ``DerivaML`` over a bag's ``DatabaseModel``: datasets, terms,
    features and tables; creating datasets, path builders and snapshots raise."""

    def __init__(self, database_model: DatabaseModel):
        self._database_model = database_model

    @property
    def model(self) -> DatabaseModel:
        return self._database_model

    @property
    def ml_schema(self) -> str:
        return self.model.ml_schema

    @property
    def domain_schemas(self) -> frozenset[str]:
        return self.model.domain_schemas

    @property
    def default_schema(self) -> str | None:
        return self.model.default_schema

    @property
    def working_dir(self) -> Path:
        return self.model.database_dir

    @property
    def cache_dir(self) -> Path:
        return self.model.database_dir

    @property
    def catalog_id(self) -> str:
        return str(self.model.bag_path)

    def lookup_dataset(self, dataset: Any, deleted: bool = False) -> DatasetBag:
        """The dataset ``dataset`` (a RID or a ``DatasetSpec``) of the bag. (``deleted`` is
        deriva-ml's; a bag holds what was current when it was made.)"""
        from ..dataset.dataset_bag import DatasetBag

        rid = getattr(dataset, "rid", dataset)
        self.model.rid_lookup(rid)
        return DatasetBag(self.model.catalog, rid)

    def find_datasets(self, deleted: bool = False) -> list[DatasetBag]:
        """Every dataset of the bag."""
        from ..dataset.dataset_bag import DatasetBag

        return [DatasetBag(self.model.catalog, row["RID"])
                for row in self.model.get_table_contents("Dataset")]

    def lookup_term(self, table: str | TableHandle, term_name: str) -> VocabularyTerm:
        """The term of vocabulary ``table`` named (or with the synonym) ``term_name``."""
        t = self.model.name_to_table(table)
        if t.kind != "vocabulary":
            raise DerivaMLException(f"The table {t.name} is not a controlled vocabulary")
        for row in self.model.get_table_contents(t.name):
            if term_name == row["Name"] or term_name in (row.get("Synonyms") or ()):
                return VocabularyTerm(**row)
        raise DerivaMLInvalidTerm(t.name, term_name)

    def get_table_as_dict(self, table: str) -> Iterator[dict[str, Any]]:
        yield from self.model.get_table_contents(table)

    def get_table_as_dataframe(self, table: str) -> pd.DataFrame:
        import pandas as pd

        t = self.model.name_to_table(table)
        return pd.DataFrame(list(self.get_table_as_dict(table)), columns=t.column_names)

    def list_dataset_element_types(self) -> list[TableHandle]:
        return self.model.list_dataset_element_types()

    def find_features(self, table: str | TableHandle) -> list[Feature]:
        return self.model.find_features(table)

    def resolve_rid(self, rid: str) -> dict[str, Any]:
        """``{"RID", "version"}`` of a dataset of the bag; raises for other RIDs."""
        return {"RID": rid, "version": self.model.rid_lookup(rid)}

    def create_dataset(self, execution_rid: str | None = None, version: Any = None,
                       description: str = "", dataset_types: list[str] | None = None) -> None:
        raise DerivaMLReadOnlyError(
            "Cannot create datasets in a downloaded bag. Bags are immutable snapshots of "
            "catalog data.")

    def pathBuilder(self) -> None:  # noqa: N802 - deriva-ml's name
        raise DerivaMLException(
            "pathBuilder is not available for a bag. Use get_table_as_dict() or "
            "get_table_as_dataframe() instead.")

    def catalog_snapshot(self, version_snapshot: str) -> None:
        raise DerivaMLException(
            "catalog_snapshot is not available for a bag: it is already an immutable snapshot.")
