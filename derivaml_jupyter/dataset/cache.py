"""What the local cache holds, and removing it.

Under ``ml.cache_dir``:

- ``bags/<RID>_<version>[-without-<tables>]/``: dataset bags (see ``bag.py``);
- ``assets/<RID>_<MD5>/<file>``: input assets executions downloaded with ``cache=True``;
- ``tables/<schema>.<Table>.pkl``: tables ``ml.cache_table`` read;
- ``denormalized/<RID>_<version>_<key>.pkl``: results of ``Dataset.cache_denormalized``;
- anything else (``objects/``: files the Jupyter server showed).

Folders named ``.partial-*`` are being written (or were, by a killed process): listings skip
them and removals leave those a live writer holds (see ``core.partials``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.connection_mode import IgnoredConfigWarning
from ..core.partials import PREFIX, remove_if_abandoned, size_of
from .bagit_files import fetched_paths

if TYPE_CHECKING:
    import pandas as pd

    from .dataset import Dataset

MD5_HEX = 32
_WARNED: set[str] = set()


def warn_once(key: str, message: str) -> None:
    """Warn ``message`` the first time ``key`` comes up in this process."""
    if key not in _WARNED:
        _WARNED.add(key)
        warnings.warn(message, IgnoredConfigWarning, stacklevel=3)


def warn_minid() -> None:
    warn_once("use_minid", "use_minid is ignored: bags are not published to a MINID service "
              "here; the bag is downloaded into the local cache directly.")


class CacheStatus(StrEnum):
    """How much of a dataset bag the cache holds."""

    not_cached = "not_cached"
    cached_metadata_only = "cached_metadata_only"  # tables, no asset files
    cached_materialized = "cached_materialized"  # tables and every asset file
    cached_holey = "cached_holey"  # tables and some of the asset files


@dataclass(frozen=True, kw_only=True)
class CachedBag:
    """A dataset bag in the cache: ``checksum`` identifies its content (the MD5 of its
    manifest), ``built_at`` is when it was made."""

    dataset_rid: str
    version: str | None
    checksum: str
    status: CacheStatus
    built_at: datetime
    size_bytes: int | None
    path: Path


@dataclass(frozen=True, kw_only=True)
class CachedAsset:
    """An input asset in the cache (``assets/<rid>_<md5>/``)."""

    rid: str
    md5: str
    file_count: int
    size_bytes: int
    modified: datetime
    path: Path


def _mtime(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)


def bag_status(path: Path) -> CacheStatus:
    """Which of the files its ``fetch.txt`` lists the bag at ``path`` holds."""
    if not (path / "bag-info.txt").is_file():
        return CacheStatus.not_cached
    files = fetched_paths(path)
    held = sum((path / f).is_file() for f in files)
    if held == len(files):
        return CacheStatus.cached_materialized
    return CacheStatus.cached_holey if held else CacheStatus.cached_metadata_only


def cached_bag(path: Path) -> CachedBag | None:
    """The bag at ``path``, or None when it is not a complete DerivaML dataset bag."""
    from .dataset_bag import BAG_INFO_RID, BAG_INFO_VERSION, read_bag_info

    try:
        info = read_bag_info(path)
        manifest = (path / "manifest-md5.txt").read_bytes()
    except (OSError, ValueError):
        return None
    if BAG_INFO_RID not in info:
        return None
    return CachedBag(dataset_rid=info[BAG_INFO_RID], version=info.get(BAG_INFO_VERSION),
                     checksum=hashlib.md5(manifest).hexdigest(), status=bag_status(path),
                     built_at=_mtime(path / "bag-info.txt"), size_bytes=size_of(path),
                     path=path)


def list_cached_bags(cache_dir: Path) -> list[CachedBag]:
    """Every dataset bag in the cache, newest first."""
    folder = Path(cache_dir) / "bags"
    paths = [p for p in folder.iterdir() if not p.name.startswith(PREFIX)] \
        if folder.is_dir() else []
    bags = [b for p in paths if (b := cached_bag(p)) is not None]
    return sorted(bags, key=lambda b: b.built_at, reverse=True)


def _remove(path: Path, stats: dict[str, int]) -> int:
    """Remove a file or folder, counting what went into ``stats``; its bytes (0 on error)."""
    try:
        size = size_of(path)
        files = sum(1 for f in path.rglob("*") if not f.is_dir()) if path.is_dir() else 1
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
            stats["dirs_removed"] = stats.get("dirs_removed", 0) + 1
        else:
            path.unlink()
    except OSError:
        stats["errors"] = stats.get("errors", 0) + 1
        return 0
    stats["files_removed"] = stats.get("files_removed", 0) + files
    stats["bytes_freed"] = stats.get("bytes_freed", 0) + size
    return size


def delete_cached_bag(cache_dir: Path, dataset_rid: str, version: str | None = None
                      ) -> dict[str, int]:
    """Remove the cached bags of a dataset (``version``: that version's only)."""
    from .spec import DatasetVersion

    wanted = DatasetVersion.parse(version) if version is not None else None
    stats = {"bags_removed": 0, "bytes_freed": 0}
    for bag in list_cached_bags(cache_dir):
        if bag.dataset_rid == dataset_rid and (
                wanted is None or DatasetVersion.parse(bag.version) == wanted):
            if _remove(bag.path, {}):
                stats["bags_removed"] += 1
                stats["bytes_freed"] += bag.size_bytes or 0
    return stats


def _asset_name(name: str) -> tuple[str, str] | None:
    """``(rid, md5)`` of an ``<rid>_<md5>`` folder name."""
    rid, sep, md5 = name.rpartition("_")
    if sep and rid and len(md5) == MD5_HEX and all(c in "0123456789abcdef" for c in md5):
        return rid, md5
    return None


def list_cached_assets(cache_dir: Path) -> list[CachedAsset]:
    """Every input asset in the cache, by folder name."""
    folder = Path(cache_dir) / "assets"
    found = []
    for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
        if entry.is_dir() and (parsed := _asset_name(entry.name)):
            files = [f for f in entry.rglob("*") if f.is_file()]
            found.append(CachedAsset(rid=parsed[0], md5=parsed[1], file_count=len(files),
                                     size_bytes=sum(f.stat().st_size for f in files),
                                     modified=_mtime(entry), path=entry))
    return found


def delete_cached_asset(cache_dir: Path, rid: str, md5: str | None = None) -> dict[str, int]:
    """Remove the cached copies of an asset (``md5``: that copy only)."""
    stats = {"assets_removed": 0, "bytes_freed": 0}
    for asset in list_cached_assets(cache_dir):
        if asset.rid == rid and md5 in (None, asset.md5) and _remove(asset.path, {}):
            stats["assets_removed"] += 1
            stats["bytes_freed"] += asset.size_bytes
    return stats


def clear_cache(cache_dir: Path, older_than_days: int | None = None) -> dict[str, int]:
    """Remove what the cache holds (``older_than_days``: only what was made or changed
    longer ago): bags by when they were built, everything else by modification time.
    Folders a live download holds are left alone."""
    stats = {"files_removed": 0, "dirs_removed": 0, "bytes_freed": 0, "errors": 0}
    cache_dir = Path(cache_dir)
    cutoff = time.time() - older_than_days * 86400 if older_than_days is not None else None
    entries = [e for sub in ("bags", "assets") if (cache_dir / sub).is_dir()
               for e in (cache_dir / sub).iterdir()]
    entries += [e for e in cache_dir.iterdir() if e.name not in ("bags", "assets")] \
        if cache_dir.is_dir() else []
    for entry in entries:
        stamp = entry / "bag-info.txt" if (entry / "bag-info.txt").is_file() else entry
        try:
            if cutoff is not None and stamp.lstat().st_mtime > cutoff:
                continue
        except FileNotFoundError:
            continue
        if entry.name.startswith(PREFIX):
            size = remove_if_abandoned(entry)
            if size is not None:
                stats["dirs_removed"] += 1
                stats["bytes_freed"] += size
        else:
            _remove(entry, stats)
    return stats


def cache_size(cache_dir: Path) -> dict[str, int | float]:
    """Bytes, files and folders under the cache directory."""
    cache_dir = Path(cache_dir)
    paths = list(cache_dir.rglob("*")) if cache_dir.is_dir() else []
    files = [p for p in paths if not p.is_dir()]
    total = sum(p.lstat().st_size for p in files)
    return {"total_bytes": total, "total_mb": total / 2**20, "file_count": len(files),
            "dir_count": len(paths) - len(files)}


def human_size(size: int) -> str:
    """``1536`` -> ``"1.5 KB"``, as deriva-ml writes sizes."""
    value, units = float(size), ["B", "KB", "MB", "GB", "TB"]
    while value >= 1024 and len(units) > 1:
        value, units = value / 1024, units[1:]
    return f"{value:.1f} {units[0]}" if size else "0 B"


def _pickled(path: Path, force: bool, compute: Any) -> pd.DataFrame:
    """The DataFrame saved at ``path``, else (or with ``force``) ``compute()`` saved there."""
    import pandas as pd

    if path.is_file() and not force:
        return pd.read_pickle(path)
    frame = compute()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{PREFIX}{path.name}-{os.getpid()}")
    frame.to_pickle(partial)
    partial.replace(path)
    return frame


def cached_table(cache_dir: Path, schema: str, table: str, force: bool, compute: Any
                 ) -> pd.DataFrame:
    """A table's rows as a DataFrame, kept under ``tables/``."""
    return _pickled(Path(cache_dir) / "tables" / f"{schema}.{table}.pkl", force, compute)


def cached_denormalized(dataset: Dataset, include_tables: list[str], version: str,
                        snapshot: str, force: bool, **plan: Any) -> pd.DataFrame:
    """``dataset.get_denormalized_as_dataframe`` of ``version`` (read as of ``snapshot``),
    kept under ``denormalized/`` by its arguments."""
    key = hashlib.md5(json.dumps([sorted(include_tables), snapshot, plan], sort_keys=True,
                                 default=str).encode()).hexdigest()[:16]
    path = Path(dataset._ml.cache_dir) / "denormalized" / \
        f"{dataset.dataset_rid}_{version}_{key}.pkl"
    return _pickled(path, force, lambda: dataset.get_denormalized_as_dataframe(
        include_tables, version=version, **plan))
