"""Cache and bag-planning methods of ``DerivaML``: what a bag would hold, warming and
inspecting the local cache, and checking dataset specs before a run (see ``cache.py`` for
the cache's layout)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cache
from .spec import DatasetVersion

if TYPE_CHECKING:
    import pandas as pd

    from .validation import DatasetSpecValidationReport


class DatasetCacheAPI:
    """Mixed into ``DerivaML``; relies on its ``catalog``, ``cache_dir``, ``working_dir``,
    the dataset methods of ``DatasetAPI`` and ``list_execution_dirs``."""

    cache_dir: Path
    working_dir: Path

    def download_dir(self, cached: bool = False) -> Path:
        """Where downloads go: the cache directory (``cached``) or the working directory."""
        return self.cache_dir if cached else self.working_dir

    # -- bags --------------------------------------------------------------------------------
    def estimate_bag_size(self, dataset: Any) -> dict[str, Any]:
        """What the bag of ``dataset`` (a ``DatasetSpec`` or ``"RID@version"``) would hold:
        ``tables`` (``{name: {row_count, is_asset, asset_bytes, csv_bytes, incomplete}}``),
        ``total_rows``, ``total_asset_bytes``, ``total_csv_bytes``, ``total_estimated_bytes``
        and their ``_size`` texts. The counts are exact; nothing is downloaded."""
        from .bag import as_spec
        from .estimate import estimate_bag

        return estimate_bag(self, as_spec(dataset))

    def bag_info(self, dataset: Any) -> dict[str, Any]:
        """``estimate_bag_size`` plus the bag's place in the cache: ``status`` (a
        ``CacheStatus`` value), ``cache_path`` (None when not cached) and
        ``versions_cached`` (the dataset's versions in the cache)."""
        from .bag import as_spec, bag_path, excluded_tables, pinned_record
        from .estimate import estimate_bag

        spec = as_spec(dataset)
        path = bag_path(self, pinned_record(self, spec),
                        excluded_tables(self, spec.exclude_tables))
        status = cache.bag_status(path)
        versions = sorted({b.version for b in cache.list_cached_bags(self.cache_dir)
                           if b.dataset_rid == spec.rid and b.version},
                          key=DatasetVersion.parse)
        return {**estimate_bag(self, spec), "status": status.value,
                "cache_path": str(path) if status is not cache.CacheStatus.not_cached else None,
                "versions_cached": versions}

    def cache_dataset(self, dataset: Any, materialize: bool = True) -> dict[str, Any]:
        """Download the bag of ``dataset`` into the cache without an execution (its asset
        files too unless ``materialize=False``); returns its ``bag_info``."""
        from dataclasses import replace

        from .bag import as_spec

        spec = replace(as_spec(dataset), materialize=materialize)
        self.download_dataset_bag(spec)
        return self.bag_info(spec)

    def estimate_denormalized_size(self, include_tables: list[str]) -> dict[str, Any]:
        """The wide table of ``include_tables`` over the whole catalog: ``columns``,
        ``join_path``, and rows and asset bytes by table and in total."""
        from .estimate import estimate_denormalized

        return estimate_denormalized(self, include_tables)

    def validate_dataset_specs(self, specs: list[Any]) -> DatasetSpecValidationReport:
        """Check dataset specs (``DatasetSpec``, ``"RID@version"`` or dicts) against the
        catalog without downloading: each result says ``valid``, and why not (``reasons``:
        ``rid_not_found``, ``not_a_dataset``, ``version_not_found`` with
        ``available_versions``)."""
        from .validation import validate_dataset_specs

        return validate_dataset_specs(self, specs)

    # -- the cache ---------------------------------------------------------------------------
    def cache_table(self, table_name: str, force: bool = False) -> pd.DataFrame:
        """A table's rows as a DataFrame, read from the catalog once and then from the
        cache (``force``: read again)."""
        t = self.find_table(table_name)
        return cache.cached_table(self.cache_dir, t.schema, t.name, force,
                                  lambda: self.get_table_as_dataframe(t))

    def list_cached_bags(self) -> list[cache.CachedBag]:
        """The dataset bags in the cache, newest first."""
        return cache.list_cached_bags(self.cache_dir)

    def delete_cached_bag(self, dataset_rid: str, version: str | None = None
                          ) -> dict[str, int]:
        """Remove a dataset's cached bags (``version``: that one only); returns
        ``{"bags_removed", "bytes_freed"}``."""
        return cache.delete_cached_bag(self.cache_dir, dataset_rid, version)

    def list_cached_assets(self) -> list[cache.CachedAsset]:
        """The input assets in the cache."""
        return cache.list_cached_assets(self.cache_dir)

    def delete_cached_asset(self, rid: str, md5: str | None = None) -> dict[str, int]:
        """Remove an asset's cached copies (``md5``: that one only); returns
        ``{"assets_removed", "bytes_freed"}``."""
        return cache.delete_cached_asset(self.cache_dir, rid, md5)

    def clear_cache(self, older_than_days: int | None = None) -> dict[str, int]:
        """Empty the cache (``older_than_days``: of what is older); returns
        ``{"files_removed", "dirs_removed", "bytes_freed", "errors"}``."""
        return cache.clear_cache(self.cache_dir, older_than_days)

    def get_cache_size(self) -> dict[str, int | float]:
        """``total_bytes``, ``total_mb``, ``file_count`` and ``dir_count`` of the cache."""
        return cache.cache_size(self.cache_dir)

    def get_storage_summary(self) -> dict[str, Any]:
        """Local storage in use: the cache (and its bags and assets) and the executions'
        working folders, in MB."""
        size = self.get_cache_size()
        run_dirs = self.list_execution_dirs()
        run_mb = sum(d["size_mb"] for d in run_dirs)
        bags, assets = self.list_cached_bags(), self.list_cached_assets()
        return {"working_dir": str(self.working_dir), "cache_dir": str(self.cache_dir),
                "cache_size_mb": size["total_mb"], "cache_file_count": size["file_count"],
                "execution_dir_count": len(run_dirs), "execution_size_mb": run_mb,
                "total_size_mb": size["total_mb"] + run_mb, "bag_count": len(bags),
                "bag_size_mb": sum(b.size_bytes or 0 for b in bags) / 2**20,
                "asset_count": len(assets),
                "asset_size_mb": sum(a.size_bytes for a in assets) / 2**20}
