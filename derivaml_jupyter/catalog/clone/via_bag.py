"""``clone_via_bag``: copy datasets of one catalog into another through their bags (deriva-ml's
``catalog.clone_via_bag``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...core.errors import DerivaMLNotImplemented
from ..connect import connect_catalog, is_local, require_existing
from ..contract import Catalog
from .load import LoadReport, load_bag
from .options import AssetMode, CloneOptions, dataset_rids

if TYPE_CHECKING:
    from ...ml import DerivaML


@dataclass(kw_only=True)
class CloneViaBagResult:
    """What ``clone_via_bag`` did: the bag that bridged the catalogs (the folder holding the
    bags when several datasets were cloned) and the load counts by table."""

    source_catalog_id: str
    dest_catalog_id: str
    bag_path: Path
    load_report: Any


def clone_via_bag(
    *,
    source_hostname: str,
    source_catalog_id: str,
    dest_hostname: str,
    dest_catalog_id: str,
    anchors: list[Any] | None = None,
    root_rid: str | None = None,
    output_dir: Path | None = None,
    policy: Any = None,
    source_credential: dict | None = None,
    dest_credential: dict | None = None,
) -> CloneViaBagResult:
    """Clone datasets from the source catalog into the destination through their bags.

    Each dataset (``root_rid``, or the RIDs of ``RIDAnchor(table="Dataset", rids=[...])``
    anchors) is downloaded as the bag of its current version into ``output_dir`` (default
    ``./clone-<source>-to-<dest>``), nested datasets, members, their features, executions,
    workflows and full vocabularies included, then loaded into the destination: missing
    tables are created, rows keep their RIDs, asset files go to the destination's object
    store (``policy.asset_mode``, default ``UPLOAD_IF_MISSING``; ``ROWS_ONLY`` keeps the
    source URLs for ``localize_assets``), rows pointing outside the clone follow
    ``policy.dangling_fk_strategy`` (default ``DELETE``). Loading again adds nothing. The
    destination records the clone (``get_catalog_provenance``).

    The destination is a local catalog (``dest_hostname="local"``, created if missing; a
    DERIVA server there raises ``DerivaMLNotImplemented``); the source is a DERIVA server or
    a local catalog. Example::

        clone_via_bag(source_hostname="www.example.org", source_catalog_id="1",
                      dest_hostname="local", dest_catalog_id="mine", root_rid="1-ABCD")
    """
    if not is_local(dest_hostname):
        raise DerivaMLNotImplemented(
            f"Cloning into a DERIVA server ({dest_hostname}) is not supported yet: clones keep "
            "the source's RIDs, and an ERMrest catalog mints RIDs from its own sequence, which "
            "could later hand out a kept one again. Clone into a local catalog "
            "(dest_hostname='local').")
    options = CloneOptions.from_policy(policy)
    rids = dataset_rids(anchors, root_rid)
    output_dir = Path(output_dir or Path.cwd() / f"clone-{source_catalog_id}-to-{dest_catalog_id}")
    source = open_source(source_hostname, source_catalog_id, source_credential, output_dir)
    dest = connect_catalog(dest_hostname, dest_catalog_id, dest_credential)
    report = LoadReport()
    bags = [download_bag(source, rid, None, options.asset_mode != AssetMode.ROWS_ONLY)
            for rid in rids]
    for bag in bags:
        load_bag(dest, bag, options, report)
    record_clone(dest, source_hostname, source_catalog_id, options, report)
    return CloneViaBagResult(source_catalog_id=str(source_catalog_id),
                             dest_catalog_id=str(dest_catalog_id),
                             bag_path=bags[0] if len(bags) == 1 else output_dir,
                             load_report=report)


def open_source(hostname: str, catalog_id: str, credential: dict | None,
                cache_dir: Path | None = None) -> DerivaML:
    """The catalog a clone reads, bags downloaded under ``cache_dir`` (None: the usual
    cache); a local one must exist."""
    from ...ml import DerivaML

    require_existing(hostname, catalog_id)
    return DerivaML(hostname, catalog_id, credential=credential, cache_dir=cache_dir)


def download_bag(source: DerivaML, rid: str, version: str | None, materialize: bool) -> Path:
    """The path of the bag of dataset ``rid`` at ``version`` (None: current) of ``source``."""
    from ...dataset.spec import DatasetSpec

    return source.download_dataset_bag(
        DatasetSpec(rid=rid, version=version, materialize=materialize)).path


def record_clone(dest: Catalog, source_hostname: str, source_catalog_id: str,
                 options: CloneOptions, report: LoadReport, source_snapshot: str | None = None
                 ) -> None:
    """Record in ``dest``'s provenance that it is a clone, from where and how."""
    from ..provenance import CatalogCreationMethod, CloneDetails, set_catalog_provenance

    stats = report.table_stats.values()
    set_catalog_provenance(dest, creation_method=CatalogCreationMethod.CLONE,
                           clone_details=CloneDetails(
        source_hostname=source_hostname, source_catalog_id=str(source_catalog_id),
        source_snapshot=source_snapshot, orphan_strategy=options.orphan_strategy.value,
        asset_mode=options.asset_mode.value, exclude_objects=sorted(options.exclude_tables),
        rows_copied=report.total_rows_inserted,
        rows_skipped=sum(s.rows_skipped_existing for s in stats),
        orphan_rows_removed=sum(s.rows_skipped_orphan for s in stats),
        orphan_rows_nullified=sum(s.rows_nullified_orphan for s in stats),
        assets_localized=options.asset_mode != AssetMode.ROWS_ONLY,
        assets_copied=report.files_stored))
