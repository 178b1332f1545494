"""Records pointing at a dataset or a feature: a dataset's MINID, and what references a table.

``DatasetReference`` and ``FeatureReference`` answer "what depends on this table?" (a
dataset holding its rows, a feature whose table has foreign keys to it). ``DatasetMinid``
describes a MINID (a persistent identifier) of a dataset version's bag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .spec import DatasetVersion


@dataclass(kw_only=True)
class DatasetMinid:
    """The MINID of a dataset version's bag: ``minid`` (compact URI), ``bag_url`` (where the
    bag is), ``version_rid`` (``RID`` or ``RID@snapshot``) and the landing page's details."""

    dataset_version: DatasetVersion
    metadata: dict[str, str | int] = field(default_factory=dict)
    minid: str | None = None
    bag_url: str
    identifier: str | None = None
    landing_page: str | None = None
    version_rid: str
    checksum: str = ""

    def __post_init__(self) -> None:
        self.dataset_version = DatasetVersion.parse(self.dataset_version)

    @property
    def dataset_rid(self) -> str:
        return self.version_rid.split("@")[0]

    @property
    def dataset_snapshot(self) -> str | None:
        """The snapshot part of ``version_rid``, None when it has none."""
        _, sep, snapshot = self.version_rid.partition("@")
        return snapshot if sep else None

    @classmethod
    def from_landing_page(cls, data: Mapping[str, Any],
                          dataset_version: DatasetVersion | str) -> DatasetMinid:
        """The MINID as a MINID service's landing page JSON describes it (``compact_uri``,
        ``location``, ``checksums``, and a ``metadata`` dict holding ``RID``)."""
        data = {**data, **data.get("metadata", {})}
        location = data["location"]
        sha256 = [c.get("value", "") for c in data.get("checksums", [])
                  if c.get("function") == "sha256"]
        return cls(dataset_version=dataset_version, metadata=dict(data.get("metadata", {})),
                   minid=data.get("compact_uri"), identifier=data.get("identifier"),
                   bag_url=location[0] if isinstance(location, list) else location,
                   landing_page=data.get("landing_page"), version_rid=data["RID"],
                   checksum=sha256[0] if sha256 else "")


@dataclass(frozen=True, kw_only=True)
class DatasetReference:
    """A dataset holding rows of ``element_table``: ``member_count`` of them now."""

    dataset_rid: str
    element_table: str
    member_count: int


@dataclass(frozen=True, kw_only=True)
class FeatureReference:
    """A feature whose table (``feature_table``, on ``target_table``) references a table
    through ``referencing_columns``."""

    feature_name: str
    target_table: str
    feature_table: str
    referencing_columns: list[str]
