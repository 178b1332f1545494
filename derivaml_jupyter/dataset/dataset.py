"""``Dataset``: a handle on one live dataset of a catalog."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..core.definitions import ML_SCHEMA, VersionPart
from ..core.listing import Listing
from .denormalized import DatasetDenormalizedViews
from .member_features import DatasetFeatures
from .release import DatasetReleases
from .spec import DatasetSpec, DatasetVersion
from .types import DatasetTypes
from .workflow_runs import workflow_execution_rids

if TYPE_CHECKING:
    import pandas as pd

    from ..execution.records import ExecutionRecord
    from ..ml import DerivaML
    from .dataset_bag import DatasetBag
    from .history import DatasetHistory

DATASET_COLUMNS = ("RID", "Description", "Version", "Dataset_Types", "RCT")


class Dataset(DatasetTypes, DatasetFeatures, DatasetDenormalizedViews, DatasetReleases):
    """A dataset in a catalog, addressed by RID. Reads are live; every change to its members
    or types releases a new version (``mark_dev``/``release`` record other changes). A dataset
    made by an execution records that execution in the versions its changes make.

    ``Dataset(ml, "1-ABC")`` wraps an existing dataset (``ml.lookup_dataset`` checks it
    exists); ``description`` is its known description (read from the catalog when empty)."""

    def __init__(self, catalog: DerivaML, dataset_rid: str, description: str = "",
                 execution_rid: str | None = None):
        self._ml = catalog
        self.dataset_rid = dataset_rid
        self.execution_rid = execution_rid
        self._description = description or None

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
        if self._description is None:
            return self._ml._dataset_row(self.dataset_rid)["Description"] or ""
        return self._description

    @description.setter
    def description(self, value: str) -> None:
        self._ml.catalog.update(self._ml.ml_schema, "Dataset",
                                [{"RID": self.dataset_rid, "Description": value}])
        self._description = value or None

    @property
    def dataset_types(self) -> list[str]:
        return self._ml.list_dataset_types(self.dataset_rid)

    @property
    def current_version(self) -> DatasetVersion:
        return self._ml.current_dataset_version(self.dataset_rid)

    @staticmethod
    def create_dataset(ml_instance: DerivaML, execution_rid: str | None,
                       dataset_types: str | list[str] | None = None, description: str = "",
                       version: DatasetVersion | str | None = None) -> Dataset:
        """Create a dataset made by ``execution_rid``, as ``ml.create_dataset`` does."""
        return ml_instance.create_dataset(dataset_types, description,
                                          execution_rid=execution_rid, version=version)

    # -- members and nesting -----------------------------------------------------------------
    def add_dataset_members(self, members: Any, **kwargs) -> DatasetVersion | None:
        kwargs.setdefault("execution_rid", self.execution_rid)
        return self._ml.add_dataset_members(self.dataset_rid, members, **kwargs)

    def delete_dataset_members(self, members: Any, **kwargs) -> DatasetVersion | None:
        kwargs.setdefault("execution_rid", self.execution_rid)
        return self._ml.delete_dataset_members(self.dataset_rid, members, **kwargs)

    def list_dataset_members(self, recurse: bool = False, limit: int | None = None, *,
                             version: Any = None, **kwargs: Any) -> dict[str, list[dict]]:
        """Members by table name as of ``version`` (None: now); other keywords deriva-ml
        passes (none change the result) are accepted."""
        return self._ml.list_dataset_members(self.dataset_rid, recurse=recurse, limit=limit,
                                             version=version)

    def list_dataset_children(self, recurse: bool = False, *, version: Any = None,
                              **kwargs: Any) -> list[Dataset]:
        return self._ml.list_dataset_children(self.dataset_rid, recurse=recurse, version=version)

    def list_dataset_children_rids(self, recurse: bool = False, *,
                                   version: Any = None) -> list[str]:
        """RIDs of the datasets nested in this one (``recurse``: all descendants)."""
        return [d.dataset_rid for d in self.list_dataset_children(recurse, version=version)]

    def list_dataset_parents(self, recurse: bool = False, *, version: Any = None,
                             **kwargs: Any) -> list[Dataset]:
        return self._ml.list_dataset_parents(self.dataset_rid, recurse=recurse, version=version)

    # -- versions ----------------------------------------------------------------------------
    def dataset_history(self) -> Listing[DatasetHistory]:
        return self._ml.dataset_history(self.dataset_rid)

    def increment_dataset_version(self, component: VersionPart | str = VersionPart.minor,
                                  description: str = "", execution_rid: str | None = None
                                  ) -> DatasetVersion:
        return self._ml.increment_dataset_version(self.dataset_rid, component, description,
                                                  execution_rid=execution_rid)

    # -- executions --------------------------------------------------------------------------
    def list_executions(self) -> list[ExecutionRecord]:
        """The executions that used this dataset as an input."""
        from ..execution.records import input_links

        rids = dict.fromkeys(r["Execution"] for r in input_links(self._ml,
                                                                 {"Dataset": self.dataset_rid}))
        return [self._ml.lookup_execution(rid) for rid in rids]

    def list_workflow_executions(self, workflow: str) -> list[str]:
        """RIDs of every execution of ``workflow`` (a Workflow RID, else a Workflow_Type
        name) in the catalog: like deriva-ml, not narrowed to this dataset (a bag's is)."""
        return workflow_execution_rids(self._ml.catalog, self._ml.ml_schema, workflow)

    # -- bags --------------------------------------------------------------------------------
    def _spec(self, version: Any, **options: Any) -> DatasetSpec:
        return DatasetSpec(rid=self.dataset_rid, version=version, **options)

    def download_dataset_bag(self, version: Any = None, materialize: bool = True,
                             use_minid: bool = False, exclude_tables: set[str] | None = None,
                             timeout: tuple[int, int] | None = None, fetch_concurrency: int = 8,
                             reachability_concurrency: int = 8) -> DatasetBag:
        """This dataset at ``version`` (None: the current one) as a bag, from the cache or
        downloaded; see ``ml.download_dataset_bag``. ``use_minid`` is not available here
        (bags are not published to a MINID service): it warns and downloads directly."""
        from .cache import warn_minid

        if use_minid:
            warn_minid()
        return self._ml.download_dataset_bag(self._spec(
            version, materialize=materialize, exclude_tables=exclude_tables, timeout=timeout,
            fetch_concurrency=fetch_concurrency,
            reachability_concurrency=reachability_concurrency))

    def estimate_bag_size(self, version: Any = None, exclude_tables: set[str] | None = None,
                          reachability_concurrency: int = 8) -> dict[str, Any]:
        """What the bag of ``version`` would hold: rows and asset bytes by table and in
        total, and the size of its CSV files (see ``ml.estimate_bag_size``)."""
        return self._ml.estimate_bag_size(self._spec(
            version, exclude_tables=exclude_tables,
            reachability_concurrency=reachability_concurrency))

    def bag_info(self, version: Any = None, exclude_tables: set[str] | None = None,
                 reachability_concurrency: int = 8) -> dict[str, Any]:
        """``estimate_bag_size`` plus ``status``, ``cache_path`` and ``versions_cached``
        of the bag in the local cache."""
        return self._ml.bag_info(self._spec(
            version, exclude_tables=exclude_tables,
            reachability_concurrency=reachability_concurrency))

    def cache(self, version: Any = None, materialize: bool = True,
              exclude_tables: set[str] | None = None, timeout: tuple[int, int] | None = None,
              fetch_concurrency: int = 8, reachability_concurrency: int = 8) -> dict[str, Any]:
        """Download the bag of ``version`` into the cache (no execution is recorded);
        returns its ``bag_info``."""
        return self._ml.cache_dataset(self._spec(
            version, exclude_tables=exclude_tables, timeout=timeout,
            fetch_concurrency=fetch_concurrency,
            reachability_concurrency=reachability_concurrency), materialize=materialize)

    def cache_denormalized(self, include_tables: list[str], version: Any = None,
                           force: bool = False, *, row_per: str | None = None,
                           via: list[str] | None = None, ignore_unrelated_anchors: bool = False
                           ) -> pd.DataFrame:
        """``get_denormalized_as_dataframe`` of ``version`` (None: the current one), kept in
        the cache so the next call with the same arguments reads it back (for a dev version,
        until the catalog changes); ``force`` recomputes it."""
        from .bag import pinned_record
        from .cache import cached_denormalized

        record = pinned_record(self._ml, self._spec(version))
        return cached_denormalized(
            self, include_tables, record["Version"], record["Snapshot"], force,
            row_per=row_per, via=via, ignore_unrelated_anchors=ignore_unrelated_anchors)

    # -- display -----------------------------------------------------------------------------
    def get_chaise_url(self) -> str:
        """Where a user can see this dataset: its record page on a DERIVA server, a
        ``local://`` citation on the embedded catalog."""
        return self._ml.catalog.url_for(self.dataset_rid)

    def to_markdown(self, show_children: bool = False, indent: int = 0) -> str:
        """A markdown list item: link, version, types and description (``show_children``:
        one indented item per nested dataset)."""
        line = (f"{'  ' * indent}- [{self.dataset_rid}]({self.get_chaise_url()}) "
                f"v{self.current_version}")
        if types := self.dataset_types:
            line += f" [{', '.join(types)}]"
        if description := self.description:
            line += f": {description}"
        children = self.list_dataset_children() if show_children else []
        return "\n".join([line, *(c.to_markdown(False, indent + 1) for c in children)])

    def display_markdown(self, show_children: bool = False, indent: int = 0) -> None:
        """Show ``to_markdown`` in a notebook."""
        from IPython.display import Markdown, display

        display(Markdown(self.to_markdown(show_children, indent)))


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
