"""A content-addressed file object store laid out like Hatrac namespaces.

An object lives at ``<root>/<namespace>/<md5>.<filename>`` and its URL is
``/hatrac/<namespace>/<md5>.<filename>``. Objects are written to a temporary ``.partial-*``
name (locked by the writer, see ``core.partials``), checked, and renamed into place, so a URL
once present never changes and is never half-written.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import threading
from pathlib import Path

from ...core.errors import DerivaMLNotFound, DerivaMLValidationError
from ...core.filenames import check_name_part
from ...core.partials import partial_file
from ..contract import ObjectInfo, Progress

CHUNK = 8 * 1024 * 1024
URL_PREFIX = "/hatrac/"


def check_filename(filename: str) -> str:
    """Refuse names that are empty, contain a path separator, are ``.``/``..``, hold a
    control character or are too long to store (``core.filenames``)."""
    if not filename or "/" in filename or "\\" in filename or filename in (".", ".."):
        raise DerivaMLValidationError(
            f"{filename!r} is not a valid object file name: use a plain name without "
            "directories, such as 'model.pt'."
        )
    return check_name_part(filename, "Object file name")


def hash_and_copy(source: Path, dest: Path, progress: Progress | None = None) -> tuple[str, int]:
    """Copy ``source`` to ``dest`` while hashing it: one read of the source.

    The kernel copies the bytes (``copyfile``) while a second thread hashes the same, by then
    cached, bytes; hashlib releases the GIL, so the two overlap.
    """
    md5 = hashlib.md5()
    length = 0
    error: list[BaseException] = []

    def digest() -> None:
        nonlocal length
        try:
            with open(source, "rb") as f:
                while chunk := f.read(CHUNK):
                    md5.update(chunk)
                    length += len(chunk)
                    if progress:
                        progress(len(chunk))
        except BaseException as e:  # surfaced below
            error.append(e)

    hasher = threading.Thread(target=digest)
    hasher.start()
    shutil.copyfile(source, dest)
    hasher.join()
    if error:
        raise error[0]
    return md5.hexdigest(), length


# copy_file_range errors that mean "not between these files": copy in user space instead
_NO_KERNEL_COPY = {errno.EXDEV, errno.ENOSYS, errno.EOPNOTSUPP, errno.EINVAL, errno.EPERM}


def copy_file(source: str | Path, dest: str | Path) -> int:
    """Copy ``source`` to the new or truncated file ``dest``; returns the bytes copied.

    The kernel copies (``copy_file_range``), which on file systems that share extents (XFS,
    btrfs) makes a reflink: copy-on-write, so a later write to either file never reaches the
    other. Where the kernel cannot, the bytes go through user space. One open of each file, no
    other system calls: cheap enough for many small files.
    """
    src = os.open(source, os.O_RDONLY)
    try:
        out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
        try:
            length = os.fstat(src).st_size
            copied = 0
            try:
                while copied < length and (n := os.copy_file_range(src, out, length - copied)):
                    copied += n
            except OSError as e:
                if e.errno not in _NO_KERNEL_COPY:
                    raise
            while copied < length and (chunk := os.pread(src, CHUNK, copied)):
                copied += os.pwrite(out, chunk, copied)
        finally:
            os.close(out)
    finally:
        os.close(src)
    return copied


class ObjectStore:
    """Files under ``root`` addressed by Hatrac-style URLs."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def _file(self, url: str) -> str:
        """The path of the file of the object at ``url`` (plain string operations: cheap
        enough for each of many small files)."""
        if not url.startswith(URL_PREFIX):
            raise DerivaMLValidationError(
                f"{url!r} is not an object URL of this catalog (expected '/hatrac/...')."
            )
        parts = [p for p in url[len(URL_PREFIX):].split("/") if p not in ("", ".")]
        if not parts or ".." in parts:
            raise DerivaMLValidationError(f"{url!r} is not a valid object URL.")
        return os.path.join(self.root, *parts)

    def _path(self, url: str) -> Path:
        return Path(self._file(url))

    def path_of(self, url: str) -> Path:
        """The local file holding the object at ``url`` (which must exist)."""
        path = self._path(url)
        if not path.is_file():
            raise DerivaMLNotFound(f"No object stored at {url}.")
        return path

    def info(self, url: str) -> ObjectInfo | None:
        path = self._path(url)
        try:
            length = path.stat().st_size
        except FileNotFoundError:
            return None
        return ObjectInfo(url, path.name.split(".", 1)[0], length)

    def put(self, namespace: str, filename: str, source: Path, *, md5: str | None = None,
            progress: Progress | None = None) -> ObjectInfo:
        check_filename(filename)
        for part in namespace.strip("/").split("/"):
            check_filename(part)
        source = Path(source)
        if not source.is_file():
            raise DerivaMLNotFound(f"Cannot store {source}: no such file.")
        if md5:
            existing = self.info(f"{URL_PREFIX}{namespace.strip('/')}/{md5}.{filename}")
            if existing and existing.length == source.stat().st_size:
                if progress:
                    progress(existing.length)
                return existing
        directory = self.root / namespace.strip("/")
        directory.mkdir(parents=True, exist_ok=True)
        with partial_file(directory) as tmp:  # held while written: `derivaml gc` skips it
            digest, length = hash_and_copy(source, tmp, progress)
            if md5 and digest != md5:
                raise DerivaMLValidationError(
                    f"{source} changed while it was being stored: expected MD5 {md5}, "
                    f"read {digest}. Stop writing to it and upload again."
                )
            final = directory / f"{digest}.{filename}"
            if not final.exists():
                os.replace(tmp, final)
        return ObjectInfo(f"{URL_PREFIX}{namespace.strip('/')}/{final.name}", digest, length)

    def get(self, url: str, dest: str | Path, *, progress: Progress | None = None
            ) -> ObjectInfo:
        """Copy the object at ``url`` to ``dest`` (its folder made if missing). Its MD5 is in
        its name: the bytes are not hashed again."""
        source = self._file(url)
        try:
            length = copy_file(source, dest)
        except (FileNotFoundError, IsADirectoryError):
            self.path_of(url)  # a missing object raises DerivaMLNotFound
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            length = copy_file(source, dest)
        if progress:
            progress(length)
        return ObjectInfo(url, os.path.basename(source).split(".", 1)[0], length)
