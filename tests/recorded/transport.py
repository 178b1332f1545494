"""The recorded HTTP layer: a requests transport adapter mounted on every deriva-py session.

``record`` mode sends each request on to the real server (``upstream``, with the login
deriva-py saved for it) and stores the exchange; ``replay`` mode answers from the stored
exchanges. The product talks to ``cassette.NEUTRAL_HOST`` in both modes, without a login of
its own, so what it sends and does is the same whether a server is there or not.

The exchanges live in a SQLite ``Journal`` shared by the test's process and every Python
process it starts (``site/sitecustomize.py`` installs the adapter there): exchanges are
appended as they complete when recording, and taken in recorded order per request key when
replaying, whichever process sends them.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from . import cassette

# What a process of a recorded test finds in its environment.
MODE = "DERIVAML_RECORDED_MODE"  # record | replay
JOURNAL = "DERIVAML_RECORDED_JOURNAL"  # the SQLite file of exchanges
UPSTREAM = "DERIVAML_RECORDED_UPSTREAM"  # the real server's host name (record)
TMP = "DERIVAML_RECORDED_TMP"  # the test's temporary folder
RERECORD = ("re-record with DERIVAML_RECORD=1 DERIVAML_TEST_HOST=<server> "
            "(see tests/recorded/README.md)")


class UnrecordedRequest(AssertionError):
    """A request the cassette holds no answer for (the code now sends something else)."""


@dataclass(frozen=True)
class Settings:
    mode: str
    journal: Path
    upstream: str | None
    tmp: str | None

    @classmethod
    def from_environment(cls) -> Settings | None:
        if not os.environ.get(MODE):
            return None
        return cls(os.environ[MODE], Path(os.environ[JOURNAL]), os.environ.get(UPSTREAM),
                   os.environ.get(TMP))

    def environment(self) -> dict[str, str]:
        return {MODE: self.mode, JOURNAL: str(self.journal), UPSTREAM: self.upstream or "",
                TMP: self.tmp or ""}


class Learned:
    """Recorded values and the values this run sent in their place (replay), e.g. the MD5
    in the name of an object whose content holds a time."""

    def __init__(self):
        self._values: dict[str, str] = {}
        self._lock = threading.Lock()

    def learn(self, recorded: list[str], sent: list[str]) -> None:
        pairs = [(old, new) for old, new in zip(recorded, sent) if old != new]
        # an MD5 also appears in base64, e.g. the Content-MD5 of a HEAD answer
        pairs += [(_b64(old), _b64(new)) for old, new in pairs
                  if all(re.fullmatch(r"[0-9a-f]{32}", v) for v in (old, new))]
        with self._lock:
            self._values.update(pairs)

    def replacements(self) -> dict[str, str]:
        with self._lock:
            return dict(self._values)


def _b64(md5: str) -> str:
    return base64.b64encode(bytes.fromhex(md5)).decode("ascii")


class Journal:
    """The exchanges of one test in a SQLite file several processes share."""

    def __init__(self, path: Path):
        self.path = path
        with self._connect() as db:
            db.executescript("""
                CREATE TABLE IF NOT EXISTS exchange (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, method TEXT, key TEXT,
                    data TEXT, used INTEGER DEFAULT 0);
                CREATE TABLE IF NOT EXISTS miss (seq INTEGER PRIMARY KEY, message TEXT);""")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        try:
            yield db
        finally:
            db.close()

    def append(self, exchange: dict) -> None:
        with self._connect() as db:
            db.execute("INSERT INTO exchange (method, key, data) VALUES (?, ?, ?)",
                       (exchange["method"], exchange["key"], json.dumps(exchange)))

    def load(self, exchanges: list[dict]) -> None:
        for exchange in exchanges:
            self.append(exchange)

    def take(self, method: str, key: str) -> dict | None:
        """The first exchange of ``method`` ``key`` not answered yet, now marked answered."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT seq, data FROM exchange WHERE method = ? AND key = ? "
                             "AND used = 0 ORDER BY seq LIMIT 1", (method, key)).fetchone()
            if row:
                db.execute("UPDATE exchange SET used = 1 WHERE seq = ?", (row[0],))
            db.execute("COMMIT")
        return json.loads(row[1]) if row else None

    def miss(self, message: str) -> None:
        with self._connect() as db:
            db.execute("INSERT INTO miss (message) VALUES (?)", (message,))

    def take_misses(self) -> list[str]:
        """What replay had no answer for, since the last call."""
        with self._connect() as db:
            misses = [m for (m,) in db.execute("SELECT message FROM miss ORDER BY seq")]
            db.execute("DELETE FROM miss")
        return misses

    def exchanges(self) -> list[dict]:
        with self._connect() as db:
            return [json.loads(d) for (d,) in db.execute("SELECT data FROM exchange ORDER BY seq")]


def _read_body(request: requests.PreparedRequest) -> bytes:
    """The request's body as bytes (a streamed upload is read as the socket would)."""
    body = request.body
    if hasattr(body, "read"):
        body = b"".join(iter(lambda: request.body.read(16384), b""))
        request.body = body
    if isinstance(body, str):
        body = body.encode("utf-8")
    return body or b""


def _login_headers(host: str) -> dict[str, str]:
    """The headers carrying the login deriva-py saved for ``host`` (record mode only)."""
    from deriva.core import get_credential

    credential = get_credential(host) or {}
    if "cookie" in credential:
        return {"Cookie": credential["cookie"]}
    if "bearer-token" in credential:
        return {"Authorization": f"Bearer {credential['bearer-token']}"}
    return {}


class RecordedTransport(BaseAdapter):
    """Records (``settings.mode == "record"``) or replays the exchanges of a session;
    ``upstream_adapter`` is the adapter deriva-py mounted, which reaches the real server."""

    def __init__(self, settings: Settings, upstream_adapter: BaseAdapter, learned: Learned):
        super().__init__()
        self.settings = settings
        self.upstream_adapter = upstream_adapter
        self.learned = learned
        self.journal = Journal(settings.journal)

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        body = _read_body(request)
        raw = cassette.canonical(request.url, self.settings.tmp)
        # ERMrest requests' JSON bodies are checked; the content of a file sent is not
        shape = cassette.body_shape(body) if raw.startswith("/ermrest/") else None
        if self.settings.mode == "record":
            exchange = self._forward(request, body, raw, shape, timeout=timeout, verify=verify,
                                     cert=cert, proxies=proxies)
            return self._response(request, exchange, {})
        exchange = self._recorded(request.method, raw, shape)
        return self._response(request, exchange, self.learned.replacements())

    # -- record ---------------------------------------------------------------------------
    def _forward(self, request, body: bytes, raw: str, shape, **kwargs) -> dict:
        upstream = self.settings.upstream
        sent = request.copy()
        sent.prepare_url(request.url.replace(f"://{cassette.NEUTRAL_HOST}", f"://{upstream}", 1),
                         None)
        sent.headers.update(_login_headers(upstream))
        sent.body = body if body else request.body
        answer = self.upstream_adapter.send(sent, stream=False, **kwargs)
        content = answer.content
        headers = {k.lower(): v.replace(upstream, cassette.NEUTRAL_HOST)
                   for k, v in answer.headers.items() if k.lower() in cassette.KEPT_HEADERS}
        exchange = {
            "method": request.method, "key": cassette.key_of(raw), "raw": raw,
            "request": {"shape": shape, "size": len(body)},
            "status": answer.status_code, "reason": answer.reason, "headers": headers,
            "body": cassette.encode_body(content, headers.get("content-type", ""),
                                         self._to_cassette()),
        }
        self.journal.append(exchange)
        return exchange

    def _to_cassette(self) -> dict[str, str]:
        replace = {self.settings.upstream: cassette.NEUTRAL_HOST}
        if self.settings.tmp:
            replace[self.settings.tmp] = cassette.TMP
        return replace

    # -- replay ---------------------------------------------------------------------------
    def _recorded(self, method: str, raw: str, shape) -> dict:
        """The recorded exchange answering this request; the values that differ from the
        recorded request's (``cassette.varying_values``) are learned, so that the answers
        given in this process name the values this run sent."""
        key = cassette.key_of(raw)
        exchange = self.journal.take(method, key)
        problem = None
        if exchange is None:
            problem = f"No recorded answer (left) for {method} {key}" + (
                f" (as sent: {raw})" if raw != key else "")
        elif exchange["request"]["shape"] != shape:
            problem = (f"{method} {key} sends a body of another shape than recorded:\n"
                       f"  now:      {json.dumps(shape, sort_keys=True)}\n"
                       f"  recorded: {json.dumps(exchange['request']['shape'], sort_keys=True)}")
        if problem:
            message = f"{problem}; {RERECORD}."
            self.journal.miss(message)
            raise UnrecordedRequest(message)
        self.learned.learn(cassette.varying_values(exchange["raw"]),
                           cassette.varying_values(raw))
        return exchange

    def _response(self, request, exchange: dict, learned: dict[str, str]) -> requests.Response:
        """The response to ``request`` made of ``exchange``: the test's temporary folder,
        and the ``learned`` values, in its text and headers, are this run's."""
        replace = {cassette.TMP: self.settings.tmp} if self.settings.tmp else {}
        replace.update(learned)
        content = cassette.decode_body(exchange["body"], replace)
        response = requests.Response()
        response.status_code, response.reason = exchange["status"], exchange.get("reason", "")
        response.url, response.request = request.url, request
        response.headers = CaseInsensitiveDict({
            k: cassette.decode_body(v, replace).decode() for k, v in exchange["headers"].items()})
        if request.method != "HEAD":  # a HEAD answer's length is the object's
            response.headers["Content-Length"] = str(len(content))
        response._content, response.raw = content, io.BytesIO(content)
        response.encoding = requests.utils.get_encoding_from_headers(response.headers)
        return response

    def close(self):
        self.upstream_adapter.close()


def install(settings: Settings, setattr=setattr) -> None:
    """Mount a ``RecordedTransport`` on every session deriva-py makes from now on
    (``setattr`` may be a ``monkeypatch.setattr``, to undo it after a test)."""
    import deriva.core
    import deriva.core.deriva_binding as binding

    original = getattr(deriva.core.get_new_requests_session, "original",
                       deriva.core.get_new_requests_session)
    learned = Learned()

    def session(url=None, session_config=deriva.core.DEFAULT_SESSION_CONFIG):
        s = original(url, session_config)
        transport = RecordedTransport(settings, s.get_adapter("https://"), learned)
        s.mount("https://", transport)
        s.mount("http://", transport)
        return s

    session.original = original
    setattr(deriva.core, "get_new_requests_session", session)
    setattr(binding, "get_new_requests_session", session)
