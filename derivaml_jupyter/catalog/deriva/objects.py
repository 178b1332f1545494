"""Content-addressed objects in Hatrac: ``/hatrac/<namespace>/<md5>.<filename>``.

A put hashes the file in one streaming pass (unless the MD5 is given), skips the transfer when
an object with that MD5 is already stored at the URL, and otherwise sends the file with its
``Content-MD5`` so Hatrac refuses bytes that do not match. Large files go up in chunks.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from pathlib import Path, PurePosixPath
from typing import Any

from ...core.errors import DerivaMLNotFound, DerivaMLValidationError
from ..contract import ObjectInfo, Progress
from ..local.objects import check_filename
from .urls import q

# Files larger than this are uploaded with Hatrac's chunked upload jobs.
CHUNKED_ABOVE = 256 * 1024 * 1024
UPLOAD_CHUNK = 64 * 1024 * 1024
URL_PREFIX = "/hatrac/"


def file_md5(path: Path) -> str:
    """Hex MD5 of a file, read once."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "md5").hexdigest()


def hex_to_b64(md5: str) -> str:
    return base64.b64encode(bytes.fromhex(md5)).decode()


def b64_to_hex(md5: str) -> str:
    return base64.b64decode(md5).hex()


def object_url(namespace: str, md5: str, filename: str) -> str:
    """The URL of a file's object; names are checked and quoted."""
    check_filename(filename)
    parts = namespace.strip("/").split("/")
    for part in parts:
        check_filename(part)
    return URL_PREFIX + "/".join(q(p) for p in parts) + f"/{md5}.{q(filename)}"


def check_url(url: str) -> str:
    """``url`` if it names an object under ``/hatrac/``."""
    parts = PurePosixPath(url[len(URL_PREFIX):]).parts if url.startswith(URL_PREFIX) else ()
    if not parts or any(p in ("..", ".") for p in parts) or url.endswith("/"):
        raise DerivaMLValidationError(
            f"{url!r} is not a valid object URL: expected '/hatrac/<namespace>/<name>'.")
    return url


class _ProgressReader:
    """A file read by requests while reporting each chunk's size to ``progress``."""

    def __init__(self, f: Any, length: int, progress: Progress | None):
        self._f, self._length, self._progress = f, length, progress

    def __len__(self) -> int:
        return self._length

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        if data and self._progress:
            self._progress(len(data))
        return data


class HatracObjects:
    """Put, inspect and fetch objects through a deriva-py ``HatracStore``."""

    def __init__(self, store: Any):
        self.store = store

    def info(self, url: str) -> ObjectInfo | None:
        import requests

        try:
            r = self.store.head(check_url(url))
        except requests.HTTPError as e:
            if e.response.status_code == 404:
                return None
            raise
        md5 = r.headers.get("Content-MD5")
        return ObjectInfo(url, b64_to_hex(md5) if md5 else url.rsplit("/", 1)[1].split(".")[0],
                          int(r.headers.get("Content-Length", 0)))

    def put(self, namespace: str, filename: str, source: Path, md5: str | None,
            progress: Progress | None) -> ObjectInfo:
        source = Path(source)
        object_url(namespace, "0", filename)  # check the names before reading anything
        if not source.is_file():
            raise DerivaMLNotFound(f"Cannot store {source}: no such file.")
        if md5 is not None and not re.fullmatch(r"[0-9a-f]{32}", md5):
            raise DerivaMLValidationError(
                f"{md5!r} is not an MD5: give 32 lower-case hex digits, or none.")
        md5 = md5 or file_md5(source)
        url = object_url(namespace, md5, filename)
        length = source.stat().st_size
        existing = self.info(url)
        if existing and existing.md5 == md5:
            if progress:
                progress(existing.length)
            return existing
        if length > CHUNKED_ABOVE:
            self._put_chunked(url, source, md5, length, progress)
        else:
            self._put_whole(url, source, md5, length, progress)
        return ObjectInfo(url, md5, length)

    def _put_whole(self, url: str, source: Path, md5: str, length: int,
                   progress: Progress | None) -> None:
        import requests

        headers = {"Content-MD5": hex_to_b64(md5), "Content-Type": "application/octet-stream"}
        with open(source, "rb") as f:
            try:
                self.store.put(f"{url}?parents=true", data=_ProgressReader(f, length, progress),
                               headers=headers)
            except requests.HTTPError as e:
                if e.response.status_code in (400, 409, 422) and "md5" in e.response.text.lower():
                    raise _md5_mismatch(source, md5) from None
                raise

    def _put_chunked(self, url: str, source: Path, md5: str, length: int,
                     progress: Progress | None) -> None:
        from deriva.core import HatracHashMismatch

        sent = 0

        def on_chunk(completed: int = 0, job_info: dict | None = None, **_: Any) -> bool:
            nonlocal sent
            done = min(completed * (job_info or {}).get("chunk-length", UPLOAD_CHUNK), length)
            if progress and completed:
                progress(done - sent)
            sent = done
            return True

        try:
            self.store.put_loc(url, str(source), md5=hex_to_b64(md5), chunked=True,
                               chunk_size=UPLOAD_CHUNK, callback=on_chunk, force=True)
        except HatracHashMismatch:
            raise _md5_mismatch(source, md5) from None

    def get(self, url: str, dest: Path, progress: Progress | None) -> ObjectInfo:
        from deriva.core import HatracHashMismatch

        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.with_name(f".partial-{dest.name}")
        received = 0

        def on_data(total_bytes: int = 0, **_: Any) -> bool:
            nonlocal received
            if progress and total_bytes > received:
                progress(total_bytes - received)
            received = max(received, total_bytes)
            return True

        try:
            r = self.store.get_obj(check_url(url), destfilename=str(partial), callback=on_data)
            os.replace(partial, dest)
        except HatracHashMismatch as e:
            raise DerivaMLValidationError(
                f"The download of {url} did not match its stored checksum ({e}); try again."
            ) from None
        finally:
            partial.unlink(missing_ok=True)
        md5 = r.headers.get("Content-MD5")
        return ObjectInfo(url, b64_to_hex(md5) if md5 else file_md5(dest), dest.stat().st_size)


def _md5_mismatch(source: Path, md5: str) -> DerivaMLValidationError:
    return DerivaMLValidationError(
        f"The object store refused {source}: its bytes do not have the MD5 {md5} given for "
        "it. Pass the right MD5 (or none, to have it computed) and upload again.")
