"""Dev periods, releases and drift: what changed in a dataset's bag since a version.

Every change to a dataset's members or types releases a version at once. Other catalog
changes also alter what its bag holds — a feature value added to a member, an edited row
a member references. ``is_dirty``/``release_diff`` report those (rows of the bag whose RMT is
later than the last release's version row), ``mark_dev`` records them as a dev version
``<release>.post1.devN`` (read live, like deriva-ml's), and ``release`` promotes the dev
version to the next released one. Deleted rows are not detected, as in deriva-ml; nor are
vocabulary terms edited in place (a bag holds every vocabulary in full).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from ..core.definitions import ML_SCHEMA, VersionPart
from ..core.errors import DerivaMLNotFound, DerivaMLValidationError
from .spec import DatasetVersion

if TYPE_CHECKING:
    from ..ml import DerivaML


def is_dev(row: dict) -> bool:
    """Whether a ``Dataset_Version`` row is a dev version."""
    return DatasetVersion.parse(row["Version"]).is_devrelease


def changed_rows(ml: DerivaML, dataset_rid: str, after: str, until: str | None = None,
                 snapshot: str | None = None, first: bool = False) -> dict[str, int]:
    """Rows of the bag of ``dataset_rid`` (as of ``snapshot``, None: now) modified after
    ``after`` and up to ``until`` (RMT timestamps), counted by table name; ``first`` stops
    at the first table with one."""
    from .bag import collect_rows

    low = datetime.fromisoformat(after)
    high = datetime.fromisoformat(until) if until else None
    counts: dict[str, int] = {}
    for t, rows in collect_rows(ml, dataset_rid, snapshot):
        if t.kind == "vocabulary":
            continue
        n = sum(1 for r in rows if low < (m := datetime.fromisoformat(r["RMT"]))
                and (high is None or m <= high))
        if n:
            counts[t.name] = counts.get(t.name, 0) + n
            if first:
                break
    return counts


def _execution_rid(execution: Any) -> str | None:
    return getattr(execution, "execution_rid", execution)


class DatasetReleases:
    """Mixed into ``Dataset`` (which has ``_ml`` and ``dataset_rid``)."""

    _ml: DerivaML
    dataset_rid: str

    def _releases(self) -> tuple[list[dict], dict | None]:
        """The released version rows, oldest first, and the dev row (None if none)."""
        rows = self._ml._version_rows(self.dataset_rid)
        dev = rows[-1] if rows and is_dev(rows[-1]) else None
        return [r for r in rows if not is_dev(r)], dev

    def mark_dev(self, description: str, execution: Any = None) -> None:
        """Record catalog changes that alter this dataset's bag (``is_dirty()``) as a dev
        version: ``<last release>.post1.dev1``, then ``.dev2``, ... on later calls. Its
        ``description`` replaces the dev version's; ``execution`` (or its RID) is recorded."""
        ml = self._ml
        execution_rid = _execution_rid(execution)
        ml._dataset_row(self.dataset_rid)
        with ml.catalog.transaction():
            released, dev = self._releases()
            if dev is None:
                label = f"{released[-1]['Version']}.post1.dev1"
                row = ml.catalog.insert(ML_SCHEMA, "Dataset_Version", [{
                    "Dataset": self.dataset_rid, "Version": label, "Description": description,
                    "Execution": execution_rid}])[0]
                ml.catalog.update(ML_SCHEMA, "Dataset", [{"RID": self.dataset_rid,
                                                          "Version": row["RID"]}])
                return
            v = DatasetVersion.parse(dev["Version"])
            label = f"{v.major}.{v.minor}.{v.micro}.post{v.post}.dev{v.dev + 1}"
            ml.catalog.update(ML_SCHEMA, "Dataset_Version", [{
                "RID": dev["RID"], "Version": label, "Description": description,
                "Execution": execution_rid}])

    def release(self, bump: VersionPart | str, description: str,
                execution: Any = None) -> DatasetVersion:
        """Promote the dev version (see ``mark_dev``) to the release after the last one,
        ``bump`` advanced, pinned to the catalog as it is now; ``description`` is its
        release note. Without a dev version, call ``mark_dev`` first."""
        released, dev = self._releases()
        if dev is None:
            raise DerivaMLValidationError(
                f"Dataset {self.dataset_rid} has no dev version to release (current version "
                f"{released[-1]['Version']}). Call mark_dev(...) first to record a change, "
                "then release(...).")
        new = DatasetVersion.parse(released[-1]["Version"]).next_release(bump)
        return self._ml._new_version(self.dataset_rid, new, description,
                                     _execution_rid(execution))

    def is_dirty(self) -> bool:
        """Whether rows of this dataset's bag changed since its last released version."""
        return bool(self._drift(first=True))

    def release_diff(self) -> dict[str, int]:
        """Rows of this dataset's bag changed since its last released version, counted by
        table name (empty: nothing changed)."""
        return self._drift()

    def _drift(self, first: bool = False) -> dict[str, int]:
        released, _ = self._releases()
        return changed_rows(self._ml, self.dataset_rid, released[-1]["RMT"], first=first)

    def compare_versions(self, v_a: DatasetVersion | str, v_b: DatasetVersion | str
                         ) -> dict[str, int]:
        """Rows of this dataset's bag changed between two of its versions (either order; the
        current dev version means now), counted by table name."""
        bounds = [self._bound(v) for v in (v_a, v_b)]
        released = sorted((b for b in bounds if b[0]), key=lambda b: datetime.fromisoformat(b[0]))
        if not released:  # both the dev version: nothing between them
            return {}
        low = released[0][0]
        high, snapshot = released[-1] if len(released) == 2 else (None, None)
        if low == high:
            return {}
        return changed_rows(self._ml, self.dataset_rid, low, high, snapshot)

    def _bound(self, version: DatasetVersion | str) -> tuple[str | None, str | None]:
        """(RMT, snapshot) of a released version's row; (None, None) for the dev version."""
        wanted = DatasetVersion.parse(version)
        rows = self._ml._version_rows(self.dataset_rid)
        for row in rows:
            if DatasetVersion.parse(row["Version"]) == wanted:
                return (None, None) if is_dev(row) else (row["RMT"], row["Snapshot"])
        raise DerivaMLNotFound(
            f"Dataset {self.dataset_rid} has no version {wanted}. Available versions: "
            f"{', '.join(r['Version'] for r in rows)}.")
