"""``create_ml_workspace``: deriva-ml's older spelling of a clone rooted at one dataset."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ...core.errors import DerivaMLValidationError
from .options import AssetMode, CloneOptions, OrphanStrategy, table_names
from .options import asset_mode as as_asset_mode
from .options import orphan_strategy as as_orphan_strategy
from .via_bag import CloneViaBagResult, clone_via_bag

# Parameters of deriva-ml's retired three-stage clone, with their defaults: deriva-ml ignores
# them too (and warns when one is set).
_LEGACY = {"include_associations": True, "include_vocabularies": True, "alias": None,
           "add_ml_schema": True, "copy_annotations": True, "copy_policy": True,
           "prune_hidden_fkeys": False, "truncate_oversized": False,
           "reinitialize_dataset_versions": True, "table_concurrency": 1,
           "progress_callback": None}


def create_ml_workspace(
    source_hostname: str,
    source_catalog_id: str,
    root_rid: str,
    *,
    include_tables: list[str] | None = None,
    exclude_objects: list[str] | None = None,
    exclude_schemas: list[str] | None = None,
    include_associations: bool = True,
    include_vocabularies: bool = True,
    dest_hostname: str | None = None,
    alias: str | None = None,
    add_ml_schema: bool = True,
    asset_mode: Any = AssetMode.ROWS_ONLY,
    copy_annotations: bool = True,
    copy_policy: bool = True,
    source_credential: dict | None = None,
    dest_credential: dict | None = None,
    orphan_strategy: Any = OrphanStrategy.FAIL,
    prune_hidden_fkeys: bool = False,
    truncate_oversized: bool = False,
    reinitialize_dataset_versions: bool = True,
    table_concurrency: int = 1,
    progress_callback: Callable[[str, float], None] | None = None,
    dest_catalog_id: str | None = None,
    output_dir: Path | None = None,
) -> CloneViaBagResult:
    """Clone the dataset ``root_rid`` of a catalog into ``dest_catalog_id`` with
    ``clone_via_bag``. ``exclude_objects`` (``"schema:table"``) and ``exclude_schemas`` leave
    tables' rows out; ``asset_mode`` (default ``ROWS_ONLY``: the rows keep the source's file
    URLs) and ``orphan_strategy`` (default ``FAIL``) are as there. ``include_tables`` is not
    followed here (the dataset decides what is cloned; a warning says so); the other legacy
    parameters are accepted and, as in deriva-ml, ignored with a warning when set.

    ``dest_hostname`` defaults to ``source_hostname``; clones here go to a local catalog, so
    pass ``dest_hostname="local"``. Example::

        create_ml_workspace("www.example.org", "1", "1-ABCD", dest_hostname="local",
                            dest_catalog_id="mine")
    """
    if dest_catalog_id is None:
        raise DerivaMLValidationError(
            "create_ml_workspace requires dest_catalog_id: the catalog to clone into (a new "
            "local catalog of that name is made with dest_hostname='local').")
    given = dict(include_associations=include_associations,
                 include_vocabularies=include_vocabularies, alias=alias,
                 add_ml_schema=add_ml_schema, copy_annotations=copy_annotations,
                 copy_policy=copy_policy, prune_hidden_fkeys=prune_hidden_fkeys,
                 truncate_oversized=truncate_oversized,
                 reinitialize_dataset_versions=reinitialize_dataset_versions,
                 table_concurrency=table_concurrency, progress_callback=progress_callback)
    ignored = [name for name, value in given.items() if value != _LEGACY[name]]
    if include_tables:
        ignored.append("include_tables")
    for name in ignored:
        warnings.warn(f"create_ml_workspace: {name} belongs to deriva-ml's retired clone and "
                      "is ignored; the bag of the dataset decides what is cloned.",
                      DeprecationWarning, stacklevel=2)
    policy = CloneOptions(
        orphan_strategy=as_orphan_strategy(orphan_strategy), asset_mode=as_asset_mode(asset_mode),
        exclude_tables=table_names([*(exclude_objects or []), *(exclude_schemas or [])]))
    return clone_via_bag(source_hostname=source_hostname, source_catalog_id=source_catalog_id,
                         dest_hostname=dest_hostname or source_hostname,
                         dest_catalog_id=dest_catalog_id, root_rid=root_rid,
                         output_dir=output_dir, policy=policy,
                         source_credential=source_credential, dest_credential=dest_credential)
