"""Work in progress under a ``.partial-*`` name (an object being stored, a bag being built),
held with an exclusive ``flock`` by its writer for as long as it works.

The kernel releases the lock when the writer exits, however it ends (SIGKILL included), so a
cleaner that can take the lock knows the writer is gone, and one that cannot leaves it be.

Example::

    with partial_file(directory) as tmp:
        tmp.write_bytes(data)
        os.replace(tmp, directory / "final")
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

PREFIX = ".partial-"


def _same_file(fd: int, path: str) -> bool:
    try:
        on_disk = os.stat(path)
    except FileNotFoundError:
        return False
    mine = os.fstat(fd)
    return (on_disk.st_dev, on_disk.st_ino) == (mine.st_dev, mine.st_ino)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def _claimed(create: Callable[[], str]) -> Iterator[Path]:
    """A new path made by ``create``, locked until the block ends, then removed if still
    there (a file the block renamed into place stays where it went)."""
    while True:
        name = create()
        fd = os.open(name, os.O_RDONLY)
        fcntl.flock(fd, fcntl.LOCK_EX)
        if _same_file(fd, name):  # a cleaner took it between create and lock: make another
            break
        os.close(fd)
    path = Path(name)
    try:
        yield path
    finally:
        _remove(path)
        os.close(fd)


def partial_file(directory: Path, prefix: str = PREFIX) -> AbstractContextManager[Path]:
    """A new empty file ``<directory>/<prefix>XXXX``, held by this process in the block."""
    def create() -> str:
        fd, name = tempfile.mkstemp(prefix=prefix, dir=directory)
        os.close(fd)
        return name
    return _claimed(create)


def partial_dir(directory: Path, prefix: str = PREFIX) -> AbstractContextManager[Path]:
    """A new empty folder ``<directory>/<prefix>XXXX``, held by this process in the block."""
    return _claimed(lambda: tempfile.mkdtemp(prefix=prefix, dir=directory))


def size_of(path: Path) -> int:
    """Bytes in a file, or in every file under a folder."""
    if not path.is_dir():
        return path.lstat().st_size
    return sum(f.lstat().st_size for f in path.rglob("*") if not f.is_dir())


def remove_if_abandoned(path: Path, dry_run: bool = False) -> int | None:
    """Remove ``path`` (a partial file or folder) unless a live writer holds it; return its
    bytes, or None when it is in use, already gone or not ours to open. ``dry_run`` only
    measures it."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None
        if not _same_file(fd, str(path)):
            return None
        size = size_of(path)
        if not dry_run:
            _remove(path)
        return size
    finally:
        os.close(fd)
