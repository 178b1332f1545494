"""``Dataset``: a handle on one live dataset of a catalog."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.definitions import ML_SCHEMA, VersionPart
from ..core.listing import Listing
from .denormalized import DatasetDenormalizedViews
from .member_features import DatasetFeatures
from .spec import DatasetVersion
from .types import DatasetTypes

if TYPE_CHECKING:
    from ..ml import DerivaML
    from .history import DatasetHistory

DATASET_COLUMNS = ("RID", "Description", "Version", "Dataset_Types", "RCT")


class Dataset(DatasetTypes, DatasetFeatures, DatasetDenormalizedViews):
    """A dataset in a catalog, addressed by RID. Reads are live; every change makes a new
    released version. A dataset made by an execution records that execution in the versions
    its changes make."""

    def __init__(self, ml: DerivaML, dataset_rid: str, execution_rid: str | None = None):
        self._ml = ml
        self.dataset_rid = dataset_rid
        self.execution_rid = execution_rid

    def __repr__(self) -> str:
        return f"Dataset({self.dataset_rid!r})"

    def __str__(self) -> str:
        return self.dataset_rid

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Dataset) and other.dataset_rid == self.dataset_rid

    def __hash__(self) -> int:
        return hash(self.dataset_rid)

    @property
    def rid(self) -> str:
        return self.dataset_rid

    @property
    def description(self) -> str:
        return self._ml._dataset_row(self.dataset_rid)["Description"] or ""

    @description.setter
    def description(self, value: str) -> None:
        self._ml.catalog.update(self._ml.ml_schema, "Dataset",
                                [{"RID": self.dataset_rid, "Description": value}])

    @property
    def dataset_types(self) -> list[str]:
        return self._ml.list_dataset_types(self.dataset_rid)

    @property
    def current_version(self) -> DatasetVersion:
        return self._ml.current_dataset_version(self.dataset_rid)

    def add_dataset_members(self, members: Any, **kwargs) -> DatasetVersion | None:
        kwargs.setdefault("execution_rid", self.execution_rid)
        return self._ml.add_dataset_members(self.dataset_rid, members, **kwargs)

    def delete_dataset_members(self, members: Any, **kwargs) -> DatasetVersion | None:
        kwargs.setdefault("execution_rid", self.execution_rid)
        return self._ml.delete_dataset_members(self.dataset_rid, members, **kwargs)

    def list_dataset_members(self, recurse: bool = False, limit: int | None = None,
                             version: Any = None) -> dict[str, list[dict]]:
        return self._ml.list_dataset_members(self.dataset_rid, recurse=recurse, limit=limit,
                                             version=version)

    def list_dataset_children(self, recurse: bool = False, version: Any = None) -> list[Dataset]:
        return self._ml.list_dataset_children(self.dataset_rid, recurse=recurse, version=version)

    def list_dataset_parents(self, recurse: bool = False, version: Any = None) -> list[Dataset]:
        return self._ml.list_dataset_parents(self.dataset_rid, recurse=recurse, version=version)

    def dataset_history(self) -> Listing[DatasetHistory]:
        return self._ml.dataset_history(self.dataset_rid)

    def increment_dataset_version(self, component: VersionPart | str = VersionPart.minor,
                                  description: str = "", execution_rid: str | None = None
                                  ) -> DatasetVersion:
        return self._ml.increment_dataset_version(self.dataset_rid, component, description,
                                                  execution_rid=execution_rid)


def dataset_rows(datasets: Sequence[Dataset]) -> list[dict[str, Any]]:
    """The table of a listing of datasets, read in three queries whatever its length."""
    ml = datasets[0]._ml
    rids = [d.dataset_rid for d in datasets]
    rows = {r["RID"]: r for r in ml.catalog.select(ML_SCHEMA, "Dataset", where={"RID": rids})}
    types: dict[str, list[str]] = {}
    for r in ml.catalog.select(ML_SCHEMA, "Dataset_Dataset_Type", where={"Dataset": rids}):
        types.setdefault(r["Dataset"], []).append(r["Dataset_Type"])
    versions = {r["RID"]: r["Version"] for r in ml.catalog.select(
        ML_SCHEMA, "Dataset_Version", columns=["RID", "Version"],
        where={"RID": [r["Version"] for r in rows.values() if r["Version"]]})}
    return [{"RID": rid, "Description": rows[rid]["Description"],
             "Version": versions.get(rows[rid]["Version"]),
             "Dataset_Types": sorted(types.get(rid, [])), "RCT": rows[rid]["RCT"]}
            for rid in rids]
