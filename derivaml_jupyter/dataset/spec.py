"""Value types naming a dataset and one of its versions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from packaging.version import InvalidVersion, Version

from ..core.definitions import VersionPart
from ..core.errors import DerivaMLValidationError
from ..core.rid import normalize_rid

PARTS = ("major", "minor", "patch")


class DatasetVersion(Version):
    """A dataset version (``1.2.0``); also reads PEP 440 labels such as ``0.4.0.post1.dev3``."""

    def __init__(self, major: int | str, minor: int = 0, patch: int = 0):
        text = major if isinstance(major, str) else f"{major}.{minor}.{patch}"
        try:
            super().__init__(text)
        except InvalidVersion:
            raise DerivaMLValidationError(
                f"{text!r} is not a dataset version: write it as MAJOR.MINOR.PATCH, e.g. '1.0.0'."
            ) from None

    @classmethod
    def parse(cls, version: Any) -> DatasetVersion:
        """Accept ``"1.2.3"``, ``(1, 2, 3)``, ``{"major": 1, ...}`` or a DatasetVersion."""
        if isinstance(version, DatasetVersion):
            return version
        if isinstance(version, Version):
            return cls(str(version))
        if isinstance(version, (list, tuple, dict)):
            parts = dict(version) if isinstance(version, dict) else dict(zip(PARTS, version))
            if len(version) > len(PARTS) or set(parts) - set(PARTS):
                raise DerivaMLValidationError(
                    f"{version!r} is not a dataset version: give at most {', '.join(PARTS)}, "
                    "e.g. (1, 0, 0) or {'major': 1, 'minor': 0, 'patch': 0}.")
            return cls(*(parts.get(p, 0) for p in PARTS))
        return cls(str(version))

    @property
    def patch(self) -> int:
        return self.micro

    def next_release(self, bump: VersionPart | str = VersionPart.minor) -> DatasetVersion:
        """The released version after this one, ``bump`` advanced (a dev version
        ``0.4.0.post1.dev3`` releases as ``0.5.0`` with ``"minor"``)."""
        try:
            part = VersionPart(bump)
        except ValueError:
            raise DerivaMLValidationError(
                f"{bump!r} is not a version component: use one of "
                f"{', '.join(repr(p.value) for p in VersionPart)} (e.g. "
                "increment_dataset_version(rid, 'minor')).") from None
        if part is VersionPart.major:
            return DatasetVersion(self.major + 1, 0, 0)
        if part is VersionPart.minor:
            return DatasetVersion(self.major, self.minor + 1, 0)
        return DatasetVersion(self.major, self.minor, self.micro + 1)

    def to_dict(self) -> dict[str, int]:
        return {"major": self.major, "minor": self.minor, "patch": self.micro}


@dataclass
class DatasetSpec:
    """A dataset to use as an execution input: its RID, a version (None = the current one),
    and whether to download its asset files (``materialize``).

    ``exclude_tables`` keeps tables out of its bag; ``timeout`` is (connect, read) seconds
    per request to a DERIVA server while the bag is built; ``fetch_concurrency`` files are
    fetched at once and ``reachability_concurrency`` queries find the bag's rows at once."""

    rid: str
    version: DatasetVersion | str | None = None
    materialize: bool = True
    description: str = ""
    exclude_tables: set[str] | None = field(default=None)
    timeout: tuple[int, int] | None = None
    fetch_concurrency: int = 8
    reachability_concurrency: int = 8

    def __post_init__(self) -> None:
        if isinstance(self.rid, DatasetSpec):  # tolerate DatasetSpec(spec)
            self.rid, self.version = self.rid.rid, self.version or self.rid.version
        if not isinstance(self.rid, str) or not self.rid:
            raise DerivaMLValidationError(
                f"DatasetSpec needs a dataset RID string such as '1-ABCD', got {self.rid!r}."
            )
        self.rid = normalize_rid(self.rid)
        if self.version is not None and self.version != "":
            self.version = DatasetVersion.parse(self.version)
        else:
            self.version = None
        if isinstance(self.exclude_tables, str):  # one table name, not its letters
            self.exclude_tables = {self.exclude_tables}
        elif self.exclude_tables is not None:
            self.exclude_tables = set(self.exclude_tables)
        if self.timeout is not None:
            if len(self.timeout) != 2 or not all(t > 0 for t in self.timeout):
                raise DerivaMLValidationError(
                    f"DatasetSpec timeout {self.timeout!r} must be (connect, read) seconds, "
                    "both positive, e.g. (10, 610).")
            self.timeout = (self.timeout[0], self.timeout[1])
        for name in ("fetch_concurrency", "reachability_concurrency"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise DerivaMLValidationError(
                    f"DatasetSpec {name} must be a whole number of at least 1, got {value!r}.")

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> DatasetSpec:
        """A spec from a dict such as ``{"rid": "1-ABC", "version": "1.0.0"}``; unknown or
        missing keys get a clear error."""
        names = [f.name for f in fields(cls)]
        unknown = sorted(set(values) - set(names))
        if unknown or "rid" not in values:
            problem = f"unknown key(s) {', '.join(map(repr, unknown))}" if unknown else \
                "no 'rid'"
            raise DerivaMLValidationError(
                f"Dataset spec {dict(values)!r} has {problem}: its keys are "
                f"{', '.join(names)}, with 'rid' required.")
        return cls(**values)

    @classmethod
    def from_shorthand(cls, s: str) -> DatasetSpec:
        """``"1-ABC"`` (current version) or ``"1-ABC@1.2.0"``."""
        if not isinstance(s, str) or s.count("@") > 1:
            raise DerivaMLValidationError(
                f"{s!r} is not a dataset shorthand: write 'RID' or 'RID@version'.")
        rid, _, version = s.partition("@")
        return cls(rid=rid, version=version or None)

    def to_dict(self) -> dict:
        return {"rid": self.rid, "version": str(self.version) if self.version else None,
                "materialize": self.materialize, "description": self.description}
