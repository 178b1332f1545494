"""``DatasetHistory``: one version of a dataset, as ``dataset_history()`` lists it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .spec import DatasetVersion

HISTORY_COLUMNS = ("Version", "Description", "Snapshot", "Execution", "RID", "RCT")


@dataclass(kw_only=True)
class DatasetHistory:
    """A ``Dataset_Version`` row, with deriva-ml's attribute names: ``dataset_version`` (a
    ``DatasetVersion``), ``dataset_rid``, ``version_rid`` (the row's RID), ``execution_rid``
    (the execution that made it, or None), ``description``, ``minid``, ``spec_hash`` and
    ``snapshot`` (the catalog snapshot it pins); ``rct`` is when it was recorded.

    Example::

        for h in ml.lookup_dataset("1-ABC").dataset_history():
            print(h.dataset_version, h.snapshot, h.description)
    """

    dataset_version: DatasetVersion
    dataset_rid: str
    version_rid: str
    execution_rid: str | None = None
    description: str | None = ""
    minid: str | None = None
    spec_hash: str | None = None
    snapshot: str | None = None
    rct: str | None = None

    def __post_init__(self) -> None:
        self.dataset_version = DatasetVersion.parse(self.dataset_version)
        self.execution_rid = self.execution_rid or None
        self.description = self.description or ""

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> DatasetHistory:
        """The history entry of a ``Dataset_Version`` row."""
        return cls(dataset_version=row["Version"], dataset_rid=row["Dataset"],
                   version_rid=row["RID"], execution_rid=row["Execution"],
                   description=row["Description"], minid=row.get("Minid"),
                   spec_hash=row.get("Minid_Spec_Hash"), snapshot=row["Snapshot"],
                   rct=row.get("RCT"))


def history_rows(entries: Sequence[DatasetHistory]) -> list[dict[str, Any]]:
    """The table of a dataset's history: the ``Dataset_Version`` columns."""
    return [{"Version": str(h.dataset_version), "Description": h.description,
             "Snapshot": h.snapshot, "Execution": h.execution_rid, "RID": h.version_rid,
             "RCT": h.rct} for h in entries]
