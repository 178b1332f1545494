"""``DatasetBag``: a read-only view of one dataset inside a downloaded bag directory."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..catalog.contract import Catalog, Table
from ..core.errors import DerivaMLException, DerivaMLNotFound, DerivaMLValidationError
from ..feature.discovery import feature_values, find_features, lookup_feature
from ..feature.record import Feature, FeatureRecord
from .api import DatasetAPI
from .bag_catalog import BagCatalog, asset_relpath
from .denormalize import Denormalizer
from .denormalized import DenormalizedViews
from .spec import DatasetVersion
from .targets import Targets
from .workflow_runs import workflow_execution_rids

if TYPE_CHECKING:
    import pandas as pd

    from ..core.listing import Listing
    from .frameworks import SampleLoader
    from .history import DatasetHistory

BAG_INFO_RID = "DerivaML-Dataset-RID"
BAG_INFO_VERSION = "DerivaML-Dataset-Version"
BAG_INFO_SNAPSHOT = "DerivaML-Snapshot"
BAG_INFO_CATALOG = "DerivaML-Catalog"


def read_bag_info(path: Path) -> dict[str, str]:
    """The ``Key: value`` pairs of a bag's ``bag-info.txt``."""
    try:
        text = (Path(path) / "bag-info.txt").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DerivaMLNotFound(f"{path} is not a bag: it has no bag-info.txt.") from None
    info = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and not line[:1].isspace():
            info[key.strip()] = value.strip()
    return info


def _bag_tables(catalog: Any) -> BagCatalog | None:
    """The tables ``catalog`` holds: it is a ``BagCatalog``, or a ``DerivaMLBagView`` whose
    model has one (None: a bag folder)."""
    if isinstance(catalog, BagCatalog):
        return catalog
    tables = getattr(getattr(catalog, "model", None), "catalog", None)
    return tables if isinstance(tables, BagCatalog) else None


class _BagDatasets(DatasetAPI):
    """The dataset read API over a bag's tables."""

    def __init__(self, catalog: BagCatalog):
        self.catalog = catalog
        self.ml_schema = catalog.ml_schema
        self.domain_schema = catalog.domain_schema


class DatasetBag(DenormalizedViews):
    """A dataset version downloaded as a BDBag, read without a catalog.

    ``DatasetBag(path)`` opens a bag made by ``ml.download_dataset_bag`` (``catalog`` is the
    bag's folder, its tables, or deriva-ml's ``DerivaMLBagView`` of it); ``dataset_rid`` picks
    a dataset nested in it (default: the bag's own). ``dataset_types``, ``description`` and
    ``execution_rid`` default to what the bag records. ``source_catalog`` is the catalog
    ``materialize()`` fetches missing files from (the bags ``ml.download_dataset_bag``
    returns have it).
    """

    def __init__(self, catalog: str | Path | BagCatalog | Any, dataset_rid: str | None = None,
                 dataset_types: str | list[str] | None = None, description: str = "",
                 execution_rid: str | None = None, *, source_catalog: Catalog | None = None):
        tables = _bag_tables(catalog)
        self.path = tables.path if tables else Path(catalog).resolve()
        info = read_bag_info(self.path)
        missing = [k for k in (BAG_INFO_RID, BAG_INFO_SNAPSHOT) if k not in info]
        if missing:
            raise DerivaMLValidationError(
                f"{self.path} is a bag but not a DerivaML dataset bag (bag-info.txt lacks "
                f"{', '.join(missing)}). Download datasets with ml.download_dataset_bag(...).")
        self.snapshot: str = info[BAG_INFO_SNAPSHOT]
        self._catalog = source_catalog
        self._tables = tables or BagCatalog(self.path, self.snapshot)
        self._datasets = _BagDatasets(self._tables)
        self.dataset_rid: str = dataset_rid or info[BAG_INFO_RID]
        record = self._datasets.dataset_version_record(self.dataset_rid)
        self.version: DatasetVersion = DatasetVersion.parse(record["Version"])
        self.execution_rid: str | None = execution_rid or record["Execution"]
        self._types = [dataset_types] if isinstance(dataset_types, str) else dataset_types
        self._description = description or None

    def __repr__(self) -> str:
        return f"DatasetBag({self.dataset_rid!r}, version={str(self.version)!r}, path={self.path})"

    def _view(self, rid: str) -> DatasetBag:
        return DatasetBag(self._tables, rid, source_catalog=self._catalog)

    # -- the dataset -------------------------------------------------------------------------
    @property
    def current_version(self) -> DatasetVersion:
        return self.version

    @property
    def description(self) -> str:
        if self._description is None:
            row = self._datasets._dataset_row(self.dataset_rid, deleted=True)
            return row["Description"] or ""
        return self._description

    @property
    def dataset_types(self) -> list[str]:
        if self._types is None:
            return self._datasets.list_dataset_types(self.dataset_rid)
        return list(self._types)

    def find_datasets(self) -> list[DatasetBag]:
        """Views of every dataset in the bag: this one and those nested in it."""
        return [self._view(r["RID"]) for r in self._tables.select(self._tables.ml_schema,
                                                                   "Dataset")]

    def dataset_history(self) -> Listing[DatasetHistory]:
        """The versions of this dataset up to the bag's version, oldest first."""
        return self._datasets.dataset_history(self.dataset_rid)

    def list_dataset_members(self, recurse: bool = False, limit: int | None = None,
                             **kwargs: Any) -> dict[str, list[dict]]:
        """Members by table name, as ``ml.list_dataset_members`` returns them; in asset
        tables ``Filename`` is the absolute path of the file in the bag. Other keywords
        deriva-ml passes (none change the result) are accepted."""
        members = self._datasets.list_dataset_members(self.dataset_rid, recurse, limit)
        for name, rows in members.items():
            t = self._find(name)
            if t.kind == "asset":
                data = self.path / "data"
                for row in rows:
                    row["Filename"] = str(data / asset_relpath(t, row))
        return members

    def list_dataset_element_types(self) -> list[Table]:
        """Tables whose rows can be members of the bag's datasets."""
        return self._datasets.list_dataset_element_types()

    def list_executions(self) -> list[str]:
        """RIDs of the executions the bag records as having used this dataset."""
        rows = self._tables.select(self._tables.ml_schema, "Dataset_Execution",
                                   where={"Dataset": self.dataset_rid})
        return list(dict.fromkeys(r["Execution"] for r in rows))

    def list_workflow_executions(self, workflow: str) -> list[str]:
        """RIDs of the bag's executions of ``workflow``: a Workflow RID, else a
        ``Workflow_Type`` name (every workflow of that type)."""
        return workflow_execution_rids(self._tables, self._tables.ml_schema, workflow)

    def list_dataset_children(self, recurse: bool = False, **kwargs: Any) -> list[DatasetBag]:
        """Views of the datasets nested in this one (``recurse``: all descendants)."""
        return [self._view(d.dataset_rid)
                for d in self._datasets.list_dataset_children(self.dataset_rid, recurse)]

    def list_dataset_parents(self, recurse: bool = False, **kwargs: Any) -> list[DatasetBag]:
        """Views of the datasets in this bag that this one is nested in."""
        return [self._view(d.dataset_rid)
                for d in self._datasets.list_dataset_parents(self.dataset_rid, recurse)]

    def _denormalizer(self, version: Any = None) -> Denormalizer:
        if version is not None and DatasetVersion.parse(version) != self.version:
            raise DerivaMLValidationError(
                f"This bag holds version {self.version} of dataset {self.dataset_rid} only; "
                f"read version {version} from ml.download_dataset_bag(...) of that version.")
        return Denormalizer(self)

    # -- tables ------------------------------------------------------------------------------
    def _find(self, table: str | Table) -> Table:
        if isinstance(table, Table):
            return table
        return self._tables.model().find_table(
            table, [self._tables.domain_schema, self._tables.ml_schema])

    def list_tables(self) -> list[str]:
        """``schema.Table`` names of the tables the bag holds rows of."""
        return sorted(f"{t.schema}.{t.name}" for t in self._tables.model().tables()
                      if self._tables.has_rows_file(t))

    def get_table_as_dict(self, table: str | Table) -> Iterator[dict]:
        """Every row of ``table`` in the bag (not filtered to this dataset)."""
        t = self._find(table)
        return self._tables.iter_rows(t.schema, t.name)

    def get_table_as_dataframe(self, table: str | Table) -> pd.DataFrame:
        """Every row of ``table`` in the bag as a DataFrame."""
        import pandas as pd

        t = self._find(table)
        return pd.DataFrame(list(self.get_table_as_dict(t)), columns=t.column_names)

    # -- features ----------------------------------------------------------------------------
    def find_features(self, table: str | Table | None = None) -> list[Feature]:
        """Features of ``table`` (or of every table) in the bag."""
        target = self._find(table) if table is not None else None
        return find_features(self._tables, self._schemas, None, target)

    def lookup_feature(self, table: str | Table, feature_name: str) -> Feature:
        return lookup_feature(self._tables, self._schemas, None, self._find(table),
                              feature_name)

    def feature_values(self, table: str | Table, feature_name: str,
                       selector: Callable[[list[FeatureRecord]], FeatureRecord | None]
                       | None = None, materialize_limit: int | None = None,
                       execution_rids: list[str] | None = None) -> Iterator[FeatureRecord]:
        """The feature's values in the bag, as ``ml.feature_values`` returns them."""
        return feature_values(self._tables, self.lookup_feature(table, feature_name),
                              selector, materialize_limit, execution_rids)

    @property
    def _schemas(self) -> list[str]:
        return [self._tables.domain_schema, self._tables.ml_schema]

    # -- for training ------------------------------------------------------------------------
    def restructure_assets(
        self, output_dir: Path | str, *, asset_table: str | None = None,
        targets: Targets = None, target_transform: Callable[..., str] | None = None,
        missing: Literal["error", "skip", "unknown"] = "unknown", use_symlinks: bool = True,
        type_selector: Callable[[list[str]], str] | None = None,
        type_to_dir_map: dict[str, str] | None = None, enforce_vocabulary: bool = True,
        file_transformer: Callable[[Path, Path], Path] | None = None,
    ) -> dict[Path, Path]:
        """Lay the bag's asset files out as ``<output_dir>/<type>/<label>/<file>`` (symlinks
        or copies); returns ``{file in the bag: file placed}``. See ``dataset/restructure.py``.

        Example: ``bag.restructure_assets("data", targets=["Diagnosis"])`` makes
        ``data/training/Glaucoma/a.png``, ``data/testing/Normal/b.png``, ..."""
        from .restructure import restructure_assets

        return restructure_assets(
            self, output_dir, asset_table=asset_table, targets=targets,
            target_transform=target_transform, missing=missing, use_symlinks=use_symlinks,
            type_selector=type_selector, type_to_dir_map=type_to_dir_map,
            enforce_vocabulary=enforce_vocabulary, file_transformer=file_transformer)

    def as_torch_dataset(
        self, element_type: str, *, sample_loader: SampleLoader | None = None,
        transform: Callable[[Any], Any] | None = None, targets: Targets = None,
        target_transform: Callable[..., Any] | None = None,
        missing: Literal["error", "skip", "unknown"] = "error", reachable: bool = True,
    ) -> Any:
        """A ``torch.utils.data.Dataset`` of the bag's ``element_type`` rows: item ``i`` is
        ``(sample, rid)``, or ``(sample, target, rid)`` with ``targets`` (feature names, or
        ``{name: selector}``). Needs ``pip install 'derivaml-jupyter[torch]'``.

        Example: ``bag.as_torch_dataset("Image", sample_loader=lambda p, row:
        PIL.Image.open(p), targets=["Diagnosis"], target_transform=lambda r:
        CLASSES[r.Diagnosis_Type])``"""
        from .frameworks import as_torch_dataset

        return as_torch_dataset(self, element_type, sample_loader=sample_loader,
                                transform=transform, targets=targets,
                                target_transform=target_transform, missing=missing,
                                reachable=reachable)

    def as_tf_dataset(
        self, element_type: str, *, sample_loader: SampleLoader | None = None,
        transform: Callable[[Any], Any] | None = None, targets: Targets = None,
        target_transform: Callable[..., Any] | None = None,
        missing: Literal["error", "skip", "unknown"] = "error",
        output_signature: Any = None, reachable: bool = True,
    ) -> Any:
        """A ``tf.data.Dataset`` of the same elements as ``as_torch_dataset`` (unbatched;
        ``output_signature`` inferred from the first when not given). Needs
        ``pip install 'derivaml-jupyter[tf]'``."""
        from .frameworks import as_tf_dataset

        return as_tf_dataset(self, element_type, output_signature, sample_loader=sample_loader,
                             transform=transform, targets=targets,
                             target_transform=target_transform, missing=missing,
                             reachable=reachable)

    # -- files -------------------------------------------------------------------------------
    def asset_files(self) -> list[tuple[Table, dict]]:
        """``(asset table, row)`` of every asset row in the bag."""
        return [(t, row) for t in self._tables.model().tables() if t.kind == "asset"
                for row in self._tables.iter_rows(t.schema, t.name)]

    def materialize(self, *, fetch_concurrency: int = 8) -> DatasetBag:
        """Fetch the asset files the bag lists but does not hold yet (idempotent),
        ``fetch_concurrency`` at a time."""
        from .asset_fetch import fetch_assets

        data = self.path / "data"
        missing = [(t, row, relpath) for t, row in self.asset_files()
                   if not os.path.exists(data / (relpath := asset_relpath(t, row)))]
        if missing:
            if self._catalog is None:
                raise DerivaMLException(
                    f"The bag {self.path} lacks {len(missing)} asset file(s) and was opened "
                    "without a catalog; open it with DatasetBag(path, source_catalog="
                    "ml.catalog) or ml.download_dataset_bag(...) to fetch them.")
            fetch_assets(self._catalog, data, missing, atomic=True, threads=fetch_concurrency)
        return self
