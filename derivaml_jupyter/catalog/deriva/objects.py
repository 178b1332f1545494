"""Content-addressed objects in Hatrac: ``/hatrac/<namespace>/<md5>.<filename>``.

A put hashes the file once (unless the MD5 is given), reuses an object already holding that
MD5, and otherwise sends the file with its ``Content-MD5`` so Hatrac refuses bytes that do not
match. Files above ``CHUNKED_ABOVE`` go up through an upload job whose acknowledged chunks are
recorded on this machine: the next put of an interrupted upload continues the job.

How this meets what a real Hatrac does:

- Namespaces are made once per ``HatracObjects``, a level at a time, before objects go in;
  never with ``?parents=true``, which answers 500 (``duplicate key``) when requests make the
  same namespace at once. 409 ``already exists`` or ``already in use``: someone else made it.
- A failed or cancelled upload leaves a name without content (HEAD 409); its owner can fill it
  later. A deleted name is never usable again (409 ``Name … not available.``). An object this
  user may not read (HEAD 403: someone else's, without ``subtree-read`` here) cannot be shown
  to hold the content. None of these stops a put: it moves on through the fixed series
  ``<md5>.<filename>``, ``<md5>.1.<filename>``, ..., so a later put of the same content finds
  the name that holds it.
- Every step is idempotent and tried again after transient failures (408, 429, 5xx, lost
  connections), within ``retry.RETRY_SECONDS``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

from ...core.errors import (
    DerivaMLConflict,
    DerivaMLNotFound,
    DerivaMLValidationError,
)
from ...core.hashing import file_md5
from ..connect import derivaml_home
from ..contract import ObjectInfo, Progress
from ..local.objects import check_filename
from . import retry
from .urls import q

# Files larger than this are uploaded in chunks of an upload job, which can resume.
CHUNKED_ABOVE = 32 * 1024 * 1024
UPLOAD_CHUNK = 16 * 1024 * 1024
MAX_CHUNKS = 10_000  # object stores behind Hatrac (S3) take at most this many parts
# Names tried for one content: <md5>.<filename>, then <md5>.1.<filename> ... <md5>.N.<filename>.
ALTERNATIVE_NAMES = 5
URL_PREFIX = "/hatrac/"
NAMESPACE_TYPE = "application/x-hatrac-namespace"
OCTET_STREAM = {"Content-Type": "application/octet-stream"}

T = TypeVar("T")


def hex_to_b64(md5: str) -> str:
    return base64.b64encode(bytes.fromhex(md5)).decode()


def b64_to_hex(md5: str) -> str:
    return base64.b64decode(md5).hex()


def namespace_path(namespace: str) -> str:
    """``/hatrac/<namespace>`` with each part checked and quoted."""
    parts = namespace.strip("/").split("/")
    for part in parts:
        check_filename(part)
    return URL_PREFIX + "/".join(q(p) for p in parts)


def object_url(namespace: str, md5: str, filename: str, alternative: int = 0) -> str:
    """The URL of a file's object (``alternative`` n > 0: ``<md5>.<n>.<filename>``)."""
    check_filename(filename)
    return (f"{namespace_path(namespace)}/{md5}." + (f"{alternative}." if alternative else "")
            + q(filename))


def check_url(url: str) -> str:
    """``url`` if it names an object under ``/hatrac/``."""
    parts = PurePosixPath(url[len(URL_PREFIX):]).parts if url.startswith(URL_PREFIX) else ()
    if not parts or any(p in ("..", ".") for p in parts) or url.endswith("/"):
        raise DerivaMLValidationError(
            f"{url!r} is not a valid object URL: expected '/hatrac/<namespace>/<name>'.")
    return url


# -- retries ----------------------------------------------------------------------------------
# Hatrac steps are idempotent, so every transient failure is sent again, with retry.py's timing
# (its ``call`` knows ERMrest's transient answers, not these). 408: Apache stopped waiting for
# a request body; 500: Hatrac's races on one name or directory ("duplicate key value violates
# unique constraint", "[Errno 17] File exists").
TRANSIENT_STATUS = frozenset({408, 429, 500, 502, 503, 504})


def is_transient(error: BaseException) -> bool:
    """A failure another try may cure: a transient HTTP status, or a connection that was lost
    or timed out (not one refused, to an unknown host, or with a bad certificate)."""
    import requests
    from urllib3.exceptions import NewConnectionError

    if isinstance(error, requests.HTTPError):
        return error.response is not None and error.response.status_code in TRANSIENT_STATUS
    cause = error.args[0] if isinstance(error, requests.ConnectionError) and error.args else None
    if isinstance(getattr(cause, "reason", cause), NewConnectionError) \
            or isinstance(error, requests.exceptions.SSLError):
        return False
    return isinstance(error, (requests.ConnectionError, requests.Timeout,
                              requests.exceptions.ChunkedEncodingError,
                              requests.exceptions.RetryError))


# -- helpers ----------------------------------------------------------------------------------
class _Meter:
    """Reports progress up to the furthest byte reached, so bytes sent again count once."""

    def __init__(self, progress: Progress | None):
        self._progress, self.done = progress, 0

    def reach(self, offset: int) -> None:
        if offset > self.done:
            if self._progress:
                self._progress(offset - self.done)
            self.done = offset


class _Body:
    """A file sent by requests, reporting progress; ``tell``/``seek`` let the HTTP layer rewind
    it before it retries a request (without them a retry sends no body and times out)."""

    def __init__(self, f: Any, length: int, meter: _Meter):
        self._f, self._length, self._meter = f, length, meter

    def __len__(self) -> int:
        return self._length

    def tell(self) -> int:
        return self._f.tell()

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._f.seek(offset, whence)

    def read(self, size: int = -1) -> bytes:
        data = self._f.read(size)
        self._meter.reach(self._f.tell())
        return data


class _KeyedLocks:
    """One lock per key, kept while someone holds or waits for it."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._locks: dict[str, list] = {}

    @contextmanager
    def __call__(self, key: str) -> Iterator[None]:
        with self._mutex:
            entry = self._locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._mutex:
                entry[1] -= 1
                if not entry[1]:
                    del self._locks[key]


class _JobRecords:
    """The upload jobs this machine has in progress, one JSON file per object under
    ``$DERIVAML_HOME/hatrac-uploads``: Hatrac cannot tell which chunks of a job it holds, so
    resuming needs our own count of acknowledged chunks."""

    def __init__(self, server: str):
        self._server = server

    def _file(self, url: str) -> Path:
        key = hashlib.sha256(f"{self._server}{url}".encode()).hexdigest()[:40]
        return derivaml_home() / "hatrac-uploads" / f"{key}.json"

    def load(self, url: str) -> dict | None:
        try:
            return json.loads(self._file(url).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def save(self, url: str, record: dict) -> None:
        path = self._file(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        tmp.write_text(json.dumps({"server": self._server, "url": url, **record}),
                       encoding="utf-8")
        os.replace(tmp, path)

    def drop(self, url: str) -> None:
        self._file(url).unlink(missing_ok=True)


# Answers of a HEAD that are not an object: no such name, or a name without content.
FREE, EMPTY = "free", "empty"


class HatracObjects:
    """Put, inspect and fetch objects through a deriva-py ``HatracStore``; safe to share
    between threads."""

    def __init__(self, store: Any):
        self.store = store
        self._server = store.get_server_uri()
        self._records = _JobRecords(self._server)
        self._namespaces: set[str] = set()
        self._namespace_lock = threading.Lock()
        self._unusable: set[str] = set()
        self._locks = _KeyedLocks()

    def _retrying(self, step: Callable[[], T], action: str,
                  transient: Callable[[BaseException], bool] = is_transient) -> T:
        """``step()`` (idempotent), tried again after ``transient`` failures (see ``retry``)."""
        return retry.call(step, action, self._server, idempotent=True, transient=transient)

    def _look(self, path: str) -> Any:
        """The HEAD response for ``path``, or FREE / EMPTY."""
        import requests

        def head() -> Any:
            try:
                return self.store.head(path)
            except requests.HTTPError as e:
                status = e.response.status_code
                if status in (404, 409):
                    return FREE if status == 404 else EMPTY
                raise
        return self._retrying(head, f"look up {path}")

    def info(self, url: str) -> ObjectInfo | None:
        found = self._look(check_url(url))
        if isinstance(found, str):
            return None
        md5 = found.headers.get("Content-MD5")
        return ObjectInfo(url, b64_to_hex(md5) if md5 else url.rsplit("/", 1)[1].split(".")[0],
                          int(found.headers.get("Content-Length", 0)))

    # -- namespaces ----------------------------------------------------------------------------
    def _ensure_namespace(self, path: str) -> None:
        """Make the namespace ``path`` and its ancestors unless this instance saw them."""
        with self._namespace_lock:
            self._make_namespace(path)

    def _make_namespace(self, path: str) -> None:
        """Create ``path`` (never HEAD a namespace: Hatrac lists its children to answer)."""
        import requests

        if path in self._namespaces or path == URL_PREFIX.rstrip("/"):
            return
        try:
            self._retrying(partial(self._put_namespace, path), f"create namespace {path}")
        except requests.HTTPError as e:
            if e.response.status_code != 404:  # 404: its parent is missing
                raise
            self._make_namespace(path.rsplit("/", 1)[0])
            self._retrying(partial(self._put_namespace, path), f"create namespace {path}")
        self._namespaces.add(path)

    def _put_namespace(self, path: str) -> None:
        import requests

        try:
            self.store.put(path, headers={"Content-Type": NAMESPACE_TYPE})
        except requests.HTTPError as e:
            text = e.response.text if e.response.status_code == 409 else ""
            if "already exists" in text or "already in use" in text:
                return  # made earlier, or meanwhile by someone else
            if "not available" in text:
                raise DerivaMLConflict(
                    f"Cannot create the namespace {path} on {self._server}: it was deleted, "
                    "and Hatrac never reuses a deleted name. Ask the Hatrac administrator to "
                    "restore it, or store the objects in another namespace.") from None
            raise

    # -- put -----------------------------------------------------------------------------------
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
        length = source.stat().st_size
        meter = _Meter(progress)
        names = [object_url(namespace, md5, filename, n) for n in range(ALTERNATIVE_NAMES + 1)]
        for url in names:
            if url in self._unusable:
                continue
            with self._locks(url):
                stored = self._put_at(url, source, md5, length, meter)
            if stored:
                meter.reach(length)
                return stored
            self._unusable.add(url)
        raise DerivaMLConflict(
            f"Cannot store {source} on {self._server}: none of the names {', '.join(names)} "
            "can take it (deleted, holding other content or content this user may not read, "
            "or without content and owned by someone else). Ask the Hatrac administrator to "
            "check them, or store the file under another file name.")

    def _put_at(self, url: str, source: Path, md5: str, length: int,
                meter: _Meter) -> ObjectInfo | None:
        """Store the file at ``url``: the stored object, or None if that name is unusable.
        Its namespace is made only when Hatrac says it is missing."""
        import requests

        try:
            found = self._look(url)
        except requests.HTTPError as e:
            if e.response.status_code == 403:  # an object this user may not read
                return None
            raise
        if not isinstance(found, str):
            stored = found.headers.get("Content-MD5")
            if stored and b64_to_hex(stored) == md5:
                self._records.drop(url)
                return ObjectInfo(url, md5, int(found.headers.get("Content-Length", length)))
            return None
        # A name without content goes through a job: a refusal costs no bytes sent.
        chunked = length > CHUNKED_ABOVE or found == EMPTY
        put = partial(self._put_chunked, url, source, md5, length, meter, found == EMPTY) \
            if chunked else partial(self._put_whole, url, source, md5, length, meter)
        namespace = url.rsplit("/", 1)[0]
        if namespace not in self._namespaces:
            try:
                return put()
            except requests.HTTPError as e:  # 404: the namespace is missing; make it once
                if e.response.status_code != 404:
                    raise
            self._ensure_namespace(namespace)
        return put()

    def _put_whole(self, url: str, source: Path, md5: str, length: int,
                   meter: _Meter) -> ObjectInfo | None:
        import requests

        def put() -> None:
            with open(source, "rb") as f:
                self.store.put(url, data=_Body(f, length, meter),
                               headers={**OCTET_STREAM, "Content-MD5": hex_to_b64(md5)})
        try:
            self._retrying(put, f"store {source.name} at {url}",
                           _put_may_pass)
        except requests.HTTPError as e:
            if e.response.status_code == 400 and "md5" in e.response.text.lower():
                raise _md5_mismatch(source, md5) from None
            if e.response.status_code == 409:  # deleted ("not available"), or a namespace
                _refused_name(e, self._server, url)
                return None
            raise
        return ObjectInfo(url, md5, length)

    # -- chunked upload jobs -------------------------------------------------------------------
    def _put_chunked(self, url: str, source: Path, md5: str, length: int, meter: _Meter,
                     empty: bool) -> ObjectInfo | None:
        """Upload through a job, continuing the one this machine recorded for ``url`` if the
        server still has it. None if the name refuses new jobs."""
        import requests

        record = self._live_record(url, md5, length)
        resumed = record is not None and record["done"] > 0
        if record is None:
            try:
                record = self._retrying(partial(self._create_job, url, md5, length),
                                        f"start uploading {source.name} to {url}")
            except requests.HTTPError as e:
                if e.response.status_code == 409:
                    _refused_name(e, self._server, url)
                if e.response.status_code == 409 or (e.response.status_code == 403 and empty):
                    return None
                raise
            self._records.save(url, record)
        while True:
            self._send_chunks(url, source, record, meter)
            try:
                self._retrying(partial(self.store.finalize_upload_job, url, record["job"]),
                               f"finish uploading {source.name} to {url}")
                break
            except requests.HTTPError as e:
                status = e.response.status_code
                if status == 409 and resumed:  # some recorded chunk was lost: send them all
                    record["done"], resumed = 0, False
                    continue
                self._records.drop(url)
                if status == 409:
                    with suppress(requests.RequestException):  # only frees server storage
                        self.store.cancel_upload_job(url, record["job"])
                    raise _md5_mismatch(source, md5) from None
                if status == 404 and self.info(url) == ObjectInfo(url, md5, length):
                    break  # finished by an earlier answer that was lost
                raise
        self._records.drop(url)
        return ObjectInfo(url, md5, length)

    def _live_record(self, url: str, md5: str, length: int) -> dict | None:
        """The recorded job for this content at ``url``, if the server still has it."""
        import requests

        record = self._records.load(url)
        if not record or (record.get("md5"), record.get("length")) != (md5, length):
            return None
        try:
            self._retrying(partial(self.store.get_upload_job, url, record["job"]),
                           f"look up upload job {record['job']}")
        except requests.HTTPError as e:
            if e.response.status_code != 404:
                raise
            self._records.drop(url)
            return None
        return record

    def _create_job(self, url: str, md5: str, length: int) -> dict:
        chunk = max(UPLOAD_CHUNK, -(-length // MAX_CHUNKS))
        r = self.store.post(f"{url};upload", json={
            "chunk-length": chunk, "content-length": length, "content-md5": hex_to_b64(md5),
            "content-type": OCTET_STREAM["Content-Type"]})
        return {"job": r.text.strip().rsplit("/", 1)[1], "md5": md5, "length": length,
                "chunk": chunk, "done": 0}

    def _send_chunks(self, url: str, source: Path, record: dict, meter: _Meter) -> None:
        """Send the chunks after the ``done`` ones, recording each acknowledged one."""
        chunk, length = record["chunk"], record["length"]
        meter.reach(min(record["done"] * chunk, length))
        with open(source, "rb") as f:
            for n in range(record["done"], -(-length // chunk)):
                f.seek(n * chunk)
                data = f.read(chunk)
                self._retrying(partial(self.store.put, f"{url};upload/{record['job']}/{n}",
                                       data=data, headers=OCTET_STREAM),
                               f"upload chunk {n} of {source.name} to {url}")
                record["done"] = n + 1
                self._records.save(url, record)
                meter.reach(min(record["done"] * chunk, length))

    # -- get -----------------------------------------------------------------------------------
    def get(self, url: str, dest: Path, progress: Progress | None) -> ObjectInfo:
        from deriva.core import HatracHashMismatch

        check_url(url)
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial_file = dest.with_name(f".partial-{dest.name}")
        meter = _Meter(progress)

        def on_data(total_bytes: int = 0, **_: Any) -> bool:
            meter.reach(total_bytes)
            return True

        try:
            r = self._retrying(partial(self.store.get_obj, url, destfilename=str(partial_file),
                                       callback=on_data), f"download {url}")
            os.replace(partial_file, dest)
        except HatracHashMismatch as e:
            raise DerivaMLValidationError(
                f"The download of {url} did not match its stored checksum ({e}); try again."
            ) from None
        finally:
            partial_file.unlink(missing_ok=True)
        md5 = r.headers.get("Content-MD5")
        return ObjectInfo(url, b64_to_hex(md5) if md5 else file_md5(dest), dest.stat().st_size)


def _put_may_pass(error: BaseException) -> bool:
    """Transient, or a 409 from a concurrent creation of the same name (``already in use``),
    after which the name can take our content."""
    response = getattr(error, "response", None)
    return is_transient(error) or (response is not None and response.status_code == 409
                                   and "already in use" in response.text)


def _refused_name(error: Any, server: str, url: str) -> None:
    """After a 409 for ``url``: raise if its namespace is an object (no other name helps)."""
    if "is not a namespace" in error.response.text:
        raise DerivaMLConflict(
            f"Cannot store objects under {url.rsplit('/', 1)[0]} on {server}: it is an object, "
            "not a namespace. Store them in another namespace.") from None


def _md5_mismatch(source: Path, md5: str) -> DerivaMLValidationError:
    return DerivaMLValidationError(
        f"The object store refused {source}: its bytes do not have the MD5 {md5} given for "
        "it. Pass the right MD5 (or none, to have it computed) and upload again.")
