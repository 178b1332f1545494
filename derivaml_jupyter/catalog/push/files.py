"""Copy the files of asset rows from the local object store to the target's, several at a
time; a file the target holds already (same URL, same MD5) is not sent again."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ...core.errors import DerivaMLNotFound
from ..contract import Catalog, Table

WORKERS = 4


def local_file(local: Catalog, t: Table, row: dict) -> Path:
    """The local file of asset row ``row``, or a clear error when it is not there."""
    path = local.object_path(row["URL"]) if row.get("URL") else None
    if path is None or not path.is_file():
        raise DerivaMLNotFound(
            f"The file of {t.schema}.{t.name} {row['RID']} ({row.get('Filename')}, "
            f"{row.get('URL')}) is not in the local object store, so it cannot be pushed. "
            "Nothing was pushed.")
    return path


def filename(row: dict) -> str:
    """The name the file is stored under (the object URL's, after its MD5)."""
    return row.get("Filename") or row["URL"].rsplit("/", 1)[-1].split(".", 1)[-1]


def send_files(local: Catalog, remote: Catalog, t: Table, rows: list[dict],
               progress: Callable[[int], None] | None) -> dict[str, str]:
    """Store the files of ``rows`` in the target; return each row's URL there, by RID."""
    def send(row: dict) -> tuple[str, str]:
        info = remote.put_object(f"{t.schema}/{t.name}", filename(row), local_file(local, t, row),
                                 md5=row.get("MD5"), progress=progress)
        return row["RID"], info.url

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        return dict(pool.map(send, rows))
