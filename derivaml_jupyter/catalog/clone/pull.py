"""``derivaml pull``: a local catalog holding one version of a dataset of another catalog,
ready for executions recorded locally (and pushed later).

The local catalog keeps the source's RIDs, so a dataset, member or execution has the same RID
on both sides, and records each pull in the catalog annotation ``PULLS_TAG``: the source
host, catalog, dataset, version and snapshot, and the local snapshot holding it.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from ...core.errors import DerivaMLValidationError
from ...core.rid import normalize_rid
from ..connect import connect_catalog, is_local
from ..contract import Catalog
from .load import LoadReport, load_bag
from .options import AssetMode, CloneOptions, OrphanStrategy
from .via_bag import download_bag, open_source, record_clone

PULLS_TAG = "tag:derivaml-jupyter,2026:pulled-datasets"
_OPTIONS = CloneOptions(orphan_strategy=OrphanStrategy.DELETE,
                        asset_mode=AssetMode.UPLOAD_IF_MISSING)


@dataclass(frozen=True)
class Pull:
    """One dataset version pulled into a local catalog: where from (``host``, ``catalog``,
    ``dataset``, ``version``, ``snapshot``), and the local ``catalog_id`` and
    ``local_snapshot`` holding it. RIDs are the same on both sides."""

    host: str
    catalog: str
    dataset: str
    version: str
    snapshot: str
    catalog_id: str
    local_snapshot: str
    pulled_at: str


@dataclass(frozen=True)
class PullResult:
    """A pull, and what it added (nothing when the version was there already)."""

    pull: Pull
    rows_added: int
    files_stored: int
    already_there: bool


def default_catalog_name(host: str, catalog: str) -> str:
    """The local catalog a pull from ``host``/``catalog`` goes to unless named:
    ``<host>-<catalog>``, characters a local catalog name cannot hold replaced by ``-``."""
    return re.sub(r"[^A-Za-z0-9_.\-]", "-", f"{host}-{catalog}").lstrip("-._") or "pulled"


def pulls(catalog: Catalog) -> list[Pull]:
    """The pulls recorded in ``catalog`` (a ``DerivaML`` or its catalog), oldest first."""
    catalog = getattr(catalog, "catalog", catalog)
    return [Pull(**p) for p in catalog.annotations().get(PULLS_TAG, [])]


def pull_dataset(host: str, catalog: str, dataset: str, version: str | None = None,
                 catalog_id: str | None = None, credential: dict | None = None) -> PullResult:
    """Pull version ``version`` (default: the current one) of dataset ``dataset`` of
    ``host``/``catalog`` into the local catalog ``catalog_id`` (default
    ``default_catalog_name``), which is made if missing: the tables involved, the rows of the
    dataset's bag (nested datasets, members, features, the executions and workflows behind
    them, vocabularies), the asset files into the local object store, and the dataset with
    that version. Pulling a version already there finds it and adds nothing.

    Example::

        result = pull_dataset("www.example.org", "1", "1-ABCD", "1.0.0")
        ml = DerivaML("local", result.pull.catalog_id)
    """
    from ...dataset.dataset_bag import BAG_INFO_SNAPSHOT, read_bag_info

    catalog_id = catalog_id or default_catalog_name(host, catalog)
    if is_local(host) and str(catalog) == str(catalog_id):
        raise DerivaMLValidationError(
            f"Cannot pull local catalog {catalog!r} into itself: name another with --catalog.")
    source = open_source(host, catalog, credential)
    record = source.dataset_version_record(normalize_rid(dataset), version)
    local = connect_catalog("local", catalog_id)
    done = [p for p in pulls(local) if (p.host, p.catalog, p.dataset, p.version) ==
            (host, str(catalog), record["Dataset"], record["Version"])]
    if done:
        return PullResult(done[-1], 0, 0, already_there=True)
    bag = download_bag(source, record["Dataset"], record["Version"], materialize=True)
    report = load_bag(local, bag, _OPTIONS)
    pull = Pull(host=host, catalog=str(catalog), dataset=record["Dataset"],
                version=record["Version"], snapshot=read_bag_info(bag)[BAG_INFO_SNAPSHOT],
                catalog_id=catalog_id,
                local_snapshot=report.snapshot, pulled_at=datetime.now(UTC).isoformat())
    _record(local, pull, report)
    return PullResult(pull, report.total_rows_inserted, report.files_stored,
                      already_there=False)


def _record(local: Catalog, pull: Pull, report: LoadReport) -> None:
    local.update_annotations({PULLS_TAG: [*map(asdict, pulls(local)), asdict(pull)]})
    record_clone(local, pull.host, pull.catalog, _OPTIONS, report, source_snapshot=pull.snapshot)
