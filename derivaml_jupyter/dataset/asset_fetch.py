"""Copying a bag's asset files out of the catalog, several at a time, in the background.

``fetching`` starts the copies and lets the caller go on (a new bag writes its tables and
BagIt files meanwhile: the copies are mostly kernel work, which releases the GIL); it waits
for them when its block ends. Each file is checked against the MD5 and length the catalog
recorded, and lands at ``data/asset/<RID>/<Table>/<Filename>`` (``bag_catalog.asset_relpath``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from pathlib import Path

from ..catalog.contract import Catalog, Table
from ..core.errors import DerivaMLValidationError
from ..core.partials import partial_dir
from .bag_catalog import ASSET_DIR

FETCH_THREADS = 8  # concurrent file copies (file system and network calls overlap well)
FETCH_BATCH = 32  # files per task

AssetFile = tuple[Table, dict, str]  # an asset row of a table, and its path under data/


@contextmanager
def fetching(catalog: Catalog, data_dir: Path, files: list[AssetFile], *, atomic: bool,
             threads: int = FETCH_THREADS) -> Iterator[None]:
    """Copy ``files`` from ``catalog`` into ``data_dir`` on up to ``threads`` threads
    (``FETCH_BATCH`` files a task) while the block runs, then wait for them with a progress
    bar. A failure, of a copy or of the block, cancels the copies not started and waits for
    the others before it is raised, so nothing writes into ``data_dir`` afterwards.
    ``atomic`` fetches each file into a ``.partial-*`` folder beside it first (for bags already
    in place); otherwise the bag is being built and has no ``asset/`` folder yet."""
    from tqdm.auto import tqdm

    if not files:
        yield
        return
    if not atomic:
        (data_dir / ASSET_DIR).mkdir()
    pool = ThreadPoolExecutor(threads)
    try:
        tasks = [pool.submit(_fetch_batch, catalog, data_dir, files[i:i + FETCH_BATCH], atomic)
                 for i in range(0, len(files), FETCH_BATCH)]
        yield
        total = sum(int(row["Length"] or 0) for _, row, _ in files)
        with tqdm(total=total, unit="B", unit_scale=True, desc="Fetching asset files") as bar:
            for task in as_completed(tasks):
                bar.update(task.result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def fetch_assets(catalog: Catalog, data_dir: Path, files: list[AssetFile], *, atomic: bool,
                 threads: int = FETCH_THREADS) -> None:
    """Copy ``files`` from ``catalog`` into ``data_dir`` (see ``fetching``) and wait."""
    with fetching(catalog, data_dir, files, atomic=atomic, threads=threads):
        pass


def _fetch_batch(catalog: Catalog, data_dir: Path, batch: list[AssetFile], atomic: bool) -> int:
    return sum(_fetch_one(catalog, data_dir, t, row, relpath, atomic=atomic)
               for t, row, relpath in batch)


def _fetch_one(catalog: Catalog, data_dir: Path, t: Table, row: dict, relpath: str, *,
               atomic: bool) -> int:
    if not atomic:  # a bag being built: asset/<RID>/<Table>/ is new (a RID is one row's)
        dest = os.path.join(data_dir, relpath)
        folder = os.path.dirname(dest)
        os.mkdir(os.path.dirname(folder))  # made here: the copy then succeeds at once
        os.mkdir(folder)
        return _fetch_checked(catalog, t, row, dest)
    dest = data_dir / relpath
    os.makedirs(dest.parent, exist_ok=True)
    with partial_dir(dest.parent) as work:  # held while fetched: `derivaml gc` skips it
        target = work / dest.name
        length = _fetch_checked(catalog, t, row, target)
        os.replace(target, dest)
    return length


def _fetch_checked(catalog: Catalog, t: Table, row: dict, dest: str | Path) -> int:
    """Copy the object of asset row ``row`` to ``dest``, checked against its MD5 and length."""
    info = catalog.get_object(row["URL"], dest)
    if info.length != row["Length"] or info.md5 != row["MD5"]:
        raise DerivaMLValidationError(
            f"The object {row['URL']} of {t.name} {row['RID']} has MD5 {info.md5} and "
            f"{info.length} bytes, but the catalog recorded {row['MD5']} and "
            f"{row['Length']}. Re-upload the file.")
    return info.length
