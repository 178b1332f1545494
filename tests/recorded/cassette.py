"""Cassettes: the HTTP exchanges a recorded test had with a DERIVA server, as stored in
``cassettes/<test>.json.gz``, and how requests are normalized so that a replay matches them.

An exchange is stored as ``{"method", "key", "raw", "request": {"shape", "size"},
"status", "headers", "body"}``: ``raw`` is the request's path and query (``canonical``),
``key`` the same with values that differ run to run replaced (``key_of``), ``shape`` the
structure of a JSON request body (values replaced by their types; None for other bodies),
``headers`` the response headers that matter (``KEPT_HEADERS``) and ``body`` the response
body (text, or ``{"base64": ...}`` for bytes); each distinct body is stored once. Requests'
headers (cookies, authorization) are never stored.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

CASSETTES = Path(__file__).parent / "cassettes"
NEUTRAL_HOST = "deriva.recorded.test"
TMP = "<tmp>"  # stands for the test's temporary folder in keys and response bodies
KEPT_HEADERS = ("content-type", "content-length", "content-md5", "content-sha256", "content-range",
                "content-disposition", "content-location", "location", "etag",
                "last-modified", "accept-ranges")
# Values that differ from run to run wherever they appear in a request's path or query:
# times (ISO 8601, and Hydra's output folder <date>_<time>-<us>_<pid> in the names of the
# files it writes), MD5s (ending a Hatrac object's name, of files that hold times or paths) and
# UUIDs (e.g. a local catalog's id, which a push sends).
_VARYING = re.compile(
    r"(?P<time>\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?)"
    r"|(?P<hydra>\d{4}-\d\d-\d\d_\d\d-\d\d-\d\d(-\d+)?(_\d+)?)"
    r"|(?P<md5>\b[0-9a-f]{32}\b)"
    r"|(?P<uuid>\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b)")
_PLACEHOLDERS = {"time": "<time>", "hydra": "<time>", "md5": "<md5>", "uuid": "<uuid>"}
_DISJUNCTION = re.compile(r"\(([^()]*;[^()]*)\)")


def cassette_path(test_name: str) -> Path:
    return CASSETTES / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', test_name)}.json.gz"


def canonical(url: str, tmp: str | None) -> str:
    """The path and query of ``url``, unquoted, with the test's temporary folder ``tmp``
    replaced and the terms of each filter disjunction ``(a;b)`` in a fixed order (they come
    in the order of a Python set, which varies run to run)."""
    parts = urlsplit(url)
    text = unquote(parts.path + (f"?{parts.query}" if parts.query else ""))
    if tmp:
        text = text.replace(tmp, TMP)
    return _DISJUNCTION.sub(
        lambda m: f"({';'.join(sorted(m[1].split(';'), key=key_of))})", text)


def key_of(canonical_url: str) -> str:
    """What a request is matched on: its ``canonical`` path and query with values that
    differ run to run (``_VARYING``) replaced by placeholders."""
    return _VARYING.sub(lambda m: _PLACEHOLDERS[m.lastgroup], canonical_url)


def varying_values(canonical_url: str) -> list[str]:
    """The values ``key_of`` replaces, in order."""
    return [m[0] for m in _VARYING.finditer(canonical_url)]


def body_shape(body: bytes | str | None) -> Any:
    """The structure of a JSON request body (dict keys, list lengths, value types), so a
    replay notices a request that sends other fields or rows; None for other bodies. (Only
    ERMrest requests' bodies are compared: a file's content may differ run to run.)"""
    if not body:
        return None
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    return _shape(value)


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = sorted({json.dumps(_shape(v), sort_keys=True) for v in value})
        return {"list": len(value), "of": [json.loads(i) for i in items]}
    return type(value).__name__


def encode_body(content: bytes, content_type: str, replace: dict[str, str]) -> Any:
    """A response body as stored: text (JSON and plain text, with ``replace`` applied), or
    base64 for other content (objects' bytes are kept exactly)."""
    if content_type.startswith(("application/json", "text/", "application/x-json")):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            for old, new in replace.items():
                text = text.replace(old, new)
            return text
    return {"base64": base64.b64encode(content).decode("ascii")}


def decode_body(body: Any, replace: dict[str, str]) -> bytes:
    if isinstance(body, dict):
        return base64.b64decode(body["base64"])
    for old, new in replace.items():
        body = body.replace(old, new)
    return body.encode("utf-8")


def load(path: Path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        stored = json.load(f)
    return [{**e, "body": stored["bodies"][e["body"]]} for e in stored["exchanges"]]


def save(path: Path, exchanges: list[dict]) -> None:
    """Store ``exchanges``, each distinct response body once (the model is read often)."""
    bodies: dict[str, Any] = {}
    stored = []
    for exchange in exchanges:
        digest = hashlib.sha256(json.dumps(exchange["body"]).encode()).hexdigest()[:16]
        bodies.setdefault(digest, exchange["body"])
        stored.append({**exchange, "body": digest})
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"host": NEUTRAL_HOST, "exchanges": stored, "bodies": bodies}, indent=1)
    # mtime=0: the same exchanges give the same file
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(text.encode("utf-8"))
