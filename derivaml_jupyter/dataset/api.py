"""Dataset methods of ``DerivaML``: creation, membership, nesting, versions and listings.

Every change to a dataset's content (members added or removed) makes a new released version
pinned to the catalog snapshot right after the change; ``version=`` reads return the members
as of that version's snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..catalog.contract import Table
from ..core.definitions import ML_SCHEMA, MLVocab, VersionPart
from ..core.errors import (
    DerivaMLCycleError,
    DerivaMLDatasetNotFound,
    DerivaMLNotFound,
    DerivaMLRidsNotFound,
    DerivaMLTableTypeError,
    DerivaMLValidationError,
)
from ..core.listing import Listing, sort_order
from ..core.rid import normalize_rid
from .dataset import DATASET_COLUMNS, Dataset, dataset_rows
from .history import HISTORY_COLUMNS, DatasetHistory, history_rows
from .release import is_dev
from .spec import DatasetVersion

NOT_ELEMENT_TABLES = {"Dataset_Dataset_Type", "Dataset_Execution", "Dataset_Version"}


def _rid_of(item: Any) -> str:
    rid = getattr(item, "dataset_rid", None) or getattr(item, "rid", None) or item
    return normalize_rid(rid)


def _as_list(items: Any) -> list:
    if items is None:
        return []
    if isinstance(items, (str, Dataset)):
        return [items]
    return list(items)


class DatasetAPI:
    """Mixed into ``DerivaML``; relies on its ``catalog``, ``find_table`` and term lookup."""

    @property
    def search_schemas(self) -> tuple[str, ...]:
        """Where tables are looked up by name (``DerivaML`` adds its other domain schemas)."""
        return (self.domain_schema, self.ml_schema)

    # -- element types -----------------------------------------------------------------------
    def _element_associations(self, snapshot: str | None = None) -> dict[str, tuple[Table, str]]:
        """Member table name -> (association table, member column), as of ``snapshot`` (an
        element type registered later is not there)."""
        result = {}
        for t in self.catalog.model(snapshot).tables():
            if (t.kind != "association" or not t.name.startswith("Dataset_")
                    or t.name in NOT_ELEMENT_TABLES or t.schema not in self.search_schemas):
                continue
            for fk in t.foreign_keys:
                column = fk.columns[0]
                if column != "Dataset" and column in t.keys[0]:
                    result[fk.pk_table] = (t, column)
        return result

    def list_dataset_element_types(self) -> list[Table]:
        """Tables whose rows can be dataset members."""
        model = self.catalog.model()
        return [model.find_table(name, self.search_schemas)
                for name in self._element_associations()]

    # -- lookups -----------------------------------------------------------------------------
    def _dataset_row(self, dataset: Any, snapshot: str | None = None,
                     deleted: bool = False) -> dict:
        rid = _rid_of(dataset)
        rows = self.catalog.select(ML_SCHEMA, "Dataset", where={"RID": rid}, snapshot=snapshot)
        if not rows:
            try:
                found = self.catalog.resolve_rid(rid)
            except DerivaMLNotFound:
                raise DerivaMLDatasetNotFound(rid, message=(
                    f"Dataset {rid} does not exist. find_datasets() lists the datasets.")
                ) from None
            raise DerivaMLTableTypeError("Dataset", rid, message=(
                f"RID {rid} is a row of {found.table}, not a dataset."))
        if rows[0]["Deleted"] and not deleted:
            raise DerivaMLDatasetNotFound(rid, message=f"Dataset {rid} was deleted.")
        return rows[0]

    def lookup_dataset(self, dataset: Any, deleted: bool = False) -> Dataset:
        """The dataset with this RID (error if it is not a dataset)."""
        return Dataset(self, self._dataset_row(dataset, deleted=deleted)["RID"])

    def list_dataset_types(self, dataset: Any) -> list[str]:
        rid = _rid_of(dataset)
        return sorted(r["Dataset_Type"] for r in self.catalog.select(
            ML_SCHEMA, "Dataset_Dataset_Type", where={"Dataset": rid}))

    def find_datasets(self, deleted: bool = False, sort: bool | None = None
                      ) -> Listing[Dataset]:
        """Every dataset (``deleted``: also those marked deleted) as ``Dataset`` objects, in
        creation order (``sort=True``: newest first); shown as a table of RID, Description,
        Version, Dataset_Types and RCT."""
        rows = self.catalog.select(ML_SCHEMA, "Dataset", sort=sort_order(sort),
                                   columns=["RID", "Deleted", "RCT"])
        return Listing((Dataset(self, r["RID"]) for r in rows if deleted or not r["Deleted"]),
                       dataset_rows, DATASET_COLUMNS)

    # -- versions ----------------------------------------------------------------------------
    def _version_rows(self, rid: str) -> list[dict]:
        rows = self.catalog.select(ML_SCHEMA, "Dataset_Version", where={"Dataset": rid})
        return sorted(rows, key=lambda r: DatasetVersion.parse(r["Version"]))

    def dataset_history(self, dataset: Any) -> Listing[DatasetHistory]:
        """Every version of a dataset, oldest first, as ``DatasetHistory`` objects; shown as
        a table of Version, Description, Snapshot, Execution, RID (of the version row), RCT."""
        rid = self._dataset_row(dataset, deleted=True)["RID"]
        return Listing(map(DatasetHistory.from_row, self._version_rows(rid)), history_rows,
                       HISTORY_COLUMNS)

    def current_dataset_version(self, dataset: Any) -> DatasetVersion:
        rid = self._dataset_row(dataset, deleted=True)["RID"]
        rows = self._version_rows(rid)
        return DatasetVersion.parse(rows[-1]["Version"])

    def dataset_version_record(self, dataset: Any, version: Any = None) -> dict:
        """The ``Dataset_Version`` row of ``version`` (None: the current one)."""
        rid = self._dataset_row(dataset, deleted=True)["RID"]
        rows = self._version_rows(rid)
        if version is None or version == "":
            return rows[-1]
        wanted = DatasetVersion.parse(version)
        for row in rows:
            if DatasetVersion.parse(row["Version"]) == wanted:
                return row
        raise DerivaMLNotFound(
            f"Dataset version {wanted} not found for dataset {rid}. "
            f"Available versions: {', '.join(r['Version'] for r in rows)}."
        )

    def _new_version(self, rid: str, version: DatasetVersion, description: str,
                     execution_rid: str | None) -> DatasetVersion:
        """Record ``version`` of dataset ``rid`` pinned to the snapshot that first holds it, so
        the dataset read as of that snapshot (a bag) knows its own version: on a server each
        write is its own snapshot, so the row is written first and its snapshot set after.
        A dev version (see ``Dataset.mark_dev``) is promoted to ``version`` in place."""
        rows = self._version_rows(rid)
        values = {"Version": str(version), "Description": description,
                  "Execution": execution_rid}
        if rows and is_dev(rows[-1]):
            version_rid = rows[-1]["RID"]
            self.catalog.update(ML_SCHEMA, "Dataset_Version", [{"RID": version_rid, **values}])
        else:
            version_rid = self.catalog.insert(ML_SCHEMA, "Dataset_Version",
                                              [{"Dataset": rid, **values}])[0]["RID"]
            self.catalog.update(ML_SCHEMA, "Dataset", [{"RID": rid, "Version": version_rid}])
        self.catalog.update(ML_SCHEMA, "Dataset_Version",
                            [{"RID": version_rid, "Snapshot": self.catalog.snapshot()}])
        return version

    def increment_dataset_version(self, dataset: Any,
                                  component: VersionPart | str = VersionPart.minor,
                                  description: str = "", execution_rid: str | None = None
                                  ) -> DatasetVersion:
        """Release a new version (bumping ``component``) pinned to the current snapshot."""
        rid = self._dataset_row(dataset)["RID"]
        with self.catalog.transaction():
            new = self.current_dataset_version(rid).next_release(component)
            return self._new_version(rid, new, description or f"Version {new}.", execution_rid)

    # -- creation ----------------------------------------------------------------------------
    def create_dataset(self, dataset_types: str | Iterable[str] | None = None,
                       description: str = "", execution_rid: str | None = None,
                       version: Any = None) -> Dataset:
        """Create a dataset tagged with ``Dataset_Type`` terms, at version ``version``
        (default 0.1.0)."""
        types = self._check_terms(MLVocab.dataset_type, _as_list(dataset_types))
        initial = DatasetVersion.parse(version or "0.1.0")
        with self.catalog.transaction():
            rid = self.catalog.insert(ML_SCHEMA, "Dataset", [
                {"Description": description, "Deleted": False}])[0]["RID"]
            self.catalog.insert(ML_SCHEMA, "Dataset_Dataset_Type",
                                [{"Dataset": rid, "Dataset_Type": t} for t in dict.fromkeys(types)])
            self._new_version(rid, initial, "Initial dataset creation.", execution_rid)
        return Dataset(self, rid, description=description, execution_rid=execution_rid)

    def delete_dataset(self, dataset: Any, recurse: bool = False) -> None:
        """Mark a dataset deleted (it stays readable at its versions); ``recurse`` also marks
        every dataset nested in it (however deep)."""
        rid = self._dataset_row(dataset)["RID"]
        parents = self.catalog.select(ML_SCHEMA, "Dataset_Dataset", where={"Nested_Dataset": rid})
        if parents:
            raise DerivaMLValidationError(
                f"Dataset {rid} is nested in {', '.join(p['Dataset'] for p in parents)}; "
                "remove it from its parents first.")
        rids = [rid, *(self._descendants(rid) if recurse else ())]
        self.catalog.update(ML_SCHEMA, "Dataset", [{"RID": r, "Deleted": True} for r in rids])

    # -- membership --------------------------------------------------------------------------
    def _classify_members(self, members: Any, validate: bool = True) -> dict[str, list[str]]:
        """Member table name -> RIDs, each RID checked to be a row of an element table (for
        the ``{table: rids}`` form only when ``validate``)."""
        elements = self._element_associations()
        if isinstance(members, Mapping):
            grouped = {}
            for table, rids in members.items():
                t = self.find_table(table)
                if t.name not in elements:
                    raise self._not_element_error(t.name)
                grouped[t.name] = list(dict.fromkeys(normalize_rid(r) for r in _as_list(rids)))
                if validate:
                    found = {r["RID"] for r in self.catalog.select(
                        t.schema, t.name, where={"RID": grouped[t.name]}, columns=["RID"])}
                    missing = [r for r in grouped[t.name] if r not in found]
                    if missing:
                        raise DerivaMLRidsNotFound(missing, message=(
                            f"{t.name} has no rows with RID {', '.join(missing[:5])}"
                            + (f" (and {len(missing) - 5} more)" if len(missing) > 5 else "")
                            + "; check the RIDs before adding them to a dataset."))
            return grouped
        pending = list(dict.fromkeys(_rid_of(m) for m in _as_list(members)))
        grouped: dict[str, list[str]] = {}
        model = self.catalog.model()
        for name in elements:
            if not pending:
                break
            t = model.find_table(name, self.search_schemas)
            found = {r["RID"] for r in self.catalog.select(t.schema, t.name,
                                                           where={"RID": pending},
                                                           columns=["RID"])}
            if found:
                grouped[name] = [r for r in pending if r in found]
                pending = [r for r in pending if r not in found]
        if pending:
            found = self.catalog.resolve_rid(pending[0])  # raises for unknown RIDs
            raise self._not_element_error(found.table, pending[0])
        return grouped

    def _not_element_error(self, table: str, rid: str | None = None) -> DerivaMLValidationError:
        what = f"RID {rid} is a row of {table}, which" if rid else f"Table {table}"
        return DerivaMLValidationError(
            f"{what} is not a dataset element type. Allowed: "
            f"{', '.join(sorted(self._element_associations()))}. Register it with "
            f"ml.add_dataset_element_type({table!r})."
        )

    def _descendants(self, rid: str) -> set[str]:
        seen: set[str] = set()
        frontier = [rid]
        while frontier:
            rows = self.catalog.select(ML_SCHEMA, "Dataset_Dataset",
                                       where={"Dataset": frontier})
            frontier = [r["Nested_Dataset"] for r in rows if r["Nested_Dataset"] not in seen]
            seen.update(frontier)
        return seen

    def add_dataset_members(self, dataset: Any, members: Any, validate: bool = True,
                            description: str = "", execution_rid: str | None = None
                            ) -> DatasetVersion | None:
        """Add members (RIDs of any element type; dataset RIDs nest datasets) to a dataset.

        ``members`` is a list of RIDs or ``{table: [RIDs]}``; with the latter and
        ``validate=False`` the RIDs are not looked up first (the catalog still refuses unknown
        ones). Members already present are skipped. Returns the new version, or None if nothing
        changed. Nesting a dataset inside itself or a descendant raises DerivaMLCycleError.
        """
        rid = self._dataset_row(dataset)["RID"]
        grouped = self._classify_members(members, validate)
        for child in grouped.get("Dataset", []):
            if child == rid:
                raise DerivaMLCycleError([rid, rid],
                                         f"Dataset {rid} cannot be a member of itself")
            if rid in self._descendants(child):
                raise DerivaMLCycleError(
                    [rid, child, rid], f"Cannot nest dataset {child} in {rid}: {rid} is already "
                    f"nested inside {child}, so this would make a cycle")
        elements = self._element_associations()
        with self.catalog.transaction():
            added = 0
            for name, rids in grouped.items():
                assoc, column = elements[name]
                added += len(self.catalog.insert(
                    assoc.schema, assoc.name, [{"Dataset": rid, column: m} for m in rids],
                    on_conflict_skip=True))
            if not added:
                return None
            new = self.current_dataset_version(rid).next_release(VersionPart.minor)
            return self._new_version(rid, new, description or f"Added {added} member(s).",
                                     execution_rid)

    def delete_dataset_members(self, dataset: Any, members: Any, description: str = "",
                               execution_rid: str | None = None) -> DatasetVersion | None:
        """Remove members from a dataset; returns the new version or None if none were there."""
        rid = self._dataset_row(dataset)["RID"]
        grouped = self._classify_members(members)
        elements = self._element_associations()
        with self.catalog.transaction():
            removed = sum(
                self.catalog.delete(elements[name][0].schema, elements[name][0].name,
                                    {"Dataset": rid, elements[name][1]: rids})
                for name, rids in grouped.items())
            if not removed:
                return None
            new = self.current_dataset_version(rid).next_release(VersionPart.minor)
            return self._new_version(rid, new, description or f"Removed {removed} member(s).",
                                     execution_rid)

    def list_dataset_members(self, dataset: Any, recurse: bool = False, limit: int | None = None,
                             version: Any = None) -> dict[str, list[dict]]:
        """Members by table name (``{"Image": [row, ...], "Dataset": [...]}``), as of
        ``version`` (None: now). ``recurse`` adds the members of nested datasets."""
        rid = self._dataset_row(dataset, deleted=True)["RID"]
        snapshot = self.dataset_version_record(rid, version)["Snapshot"] if version else None
        model = self.catalog.model(snapshot)
        elements = self._element_associations(snapshot)
        result: dict[str, list[dict]] = {}
        seen_members: dict[str, set[str]] = {}
        visited: set[str] = set()
        frontier = [rid]
        while frontier:
            visited.update(frontier)
            children: list[str] = []
            for name, (assoc, column) in elements.items():
                seen = seen_members.setdefault(name, set())
                if name != "Dataset" and limit is None:  # one joined read, not a RID list
                    t = model.find_table(name, self.search_schemas)
                    rows = [row for row in self.catalog.select_linked(
                        t.schema, t.name, via=(assoc.schema, assoc.name, column),
                        where={"Dataset": frontier}, snapshot=snapshot)
                        if row["RID"] not in seen]
                    seen.update(row["RID"] for row in rows)
                    if rows:
                        result.setdefault(name, []).extend(rows)
                    continue
                links = self.catalog.select(assoc.schema, assoc.name,
                                            where={"Dataset": frontier}, snapshot=snapshot)
                rids = [link[column] for link in links]
                if name == "Dataset":
                    children += [r for r in rids if r not in visited]
                rids = [r for r in dict.fromkeys(rids) if r not in seen]
                if limit is not None:
                    rids = rids[:max(0, limit - len(seen))]
                if not rids:
                    continue
                seen.update(rids)
                t = model.find_table(name, self.search_schemas)
                result.setdefault(name, []).extend(self.catalog.select(
                    t.schema, t.name, where={"RID": rids}, snapshot=snapshot))
            frontier = list(dict.fromkeys(children)) if recurse else []
        return result

    def count_dataset_members(self, dataset: Any, version: Any = None) -> dict[str, int]:
        """Number of direct members by table name, as of ``version`` (None: now)."""
        rid = self._dataset_row(dataset, deleted=True)["RID"]
        snapshot = self.dataset_version_record(rid, version)["Snapshot"] if version else None
        counts = {name: self.catalog.count(assoc.schema, assoc.name, where={"Dataset": rid},
                                           snapshot=snapshot)
                  for name, (assoc, _) in self._element_associations(snapshot).items()}
        return {name: n for name, n in sorted(counts.items()) if n}

    def list_dataset_members_page(self, dataset: Any, table: str, limit: int = 100,
                                  after: str | None = None, version: Any = None
                                  ) -> tuple[list[dict], str | None]:
        """One page of the direct members of ``table``, ordered by RID, as of ``version``:
        the rows after member RID ``after`` and the cursor of the next page (None at the end).
        """
        rid = self._dataset_row(dataset, deleted=True)["RID"]
        snapshot = self.dataset_version_record(rid, version)["Snapshot"] if version else None
        name = self.find_table(table).name
        elements = self._element_associations(snapshot)
        if name not in elements:
            raise self._not_element_error(name)
        assoc, column = elements[name]
        start = None
        if after:
            start = next(iter(self.catalog.select(
                assoc.schema, assoc.name, where={"Dataset": rid, column: normalize_rid(after)},
                snapshot=snapshot)), None)
            if start is None:
                raise DerivaMLNotFound(f"{after} is not a {name} member of dataset {rid}; "
                                       "pass the 'next' cursor of the previous page.")
        links = self.catalog.select(assoc.schema, assoc.name, where={"Dataset": rid},
                                    sort=[column], limit=limit + 1, after=start,
                                    snapshot=snapshot)
        rids = [link[column] for link in links[:limit]]
        t = self.find_table(name)
        rows = {r["RID"]: r for r in self.catalog.select(t.schema, t.name, where={"RID": rids},
                                                         snapshot=snapshot)}
        return [rows[r] for r in rids], rids[-1] if len(links) > limit else None

    def download_dataset_bag(self, dataset: Any) -> Any:
        """Download a dataset version as a BDBag (cached by RID and version); returns a
        ``DatasetBag``. ``dataset`` is a ``DatasetSpec``, ``"RID@version"``, a ``Dataset`` or
        a bag already downloaded (as in ``execution.datasets``)."""
        from .bag import download_dataset_bag

        return download_dataset_bag(self, dataset)

    def _related(self, rid: str, recurse: bool, version: Any, down: bool) -> list[Dataset]:
        snapshot = self.dataset_version_record(rid, version)["Snapshot"] if version else None
        mine, theirs = ("Dataset", "Nested_Dataset") if down else ("Nested_Dataset", "Dataset")
        found: dict[str, None] = {}
        frontier = [rid]
        while frontier:
            rows = self.catalog.select(ML_SCHEMA, "Dataset_Dataset", where={mine: frontier},
                                       snapshot=snapshot)
            frontier = [r[theirs] for r in rows if r[theirs] not in found and r[theirs] != rid]
            found.update(dict.fromkeys(frontier))
            if not recurse:
                break
        return [Dataset(self, r) for r in found]

    def list_dataset_children(self, dataset: Any, recurse: bool = False,
                              version: Any = None) -> list[Dataset]:
        """Datasets nested in this one (``recurse``: all descendants)."""
        rid = self._dataset_row(dataset, deleted=True)["RID"]
        return self._related(rid, recurse, version, down=True)

    def list_dataset_parents(self, dataset: Any, recurse: bool = False,
                             version: Any = None) -> list[Dataset]:
        """Datasets this one is nested in (``recurse``: all ancestors)."""
        rid = self._dataset_row(dataset, deleted=True)["RID"]
        return self._related(rid, recurse, version, down=False)
