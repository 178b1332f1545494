"""``Dataset``: a handle on one live dataset of a catalog."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.definitions import VersionPart
from .denormalized import DatasetDenormalizedViews
from .member_features import DatasetFeatures
from .spec import DatasetVersion
from .types import DatasetTypes

if TYPE_CHECKING:
    import pandas as pd

    from ..ml import DerivaML


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

    def dataset_history(self) -> pd.DataFrame:
        return self._ml.dataset_history(self.dataset_rid)

    def increment_dataset_version(self, component: VersionPart | str = VersionPart.minor,
                                  description: str = "", execution_rid: str | None = None
                                  ) -> DatasetVersion:
        return self._ml.increment_dataset_version(self.dataset_rid, component, description,
                                                  execution_rid=execution_rid)
