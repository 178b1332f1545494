"""A fake of ERMrest/Hatrac's HTTP answers for the DERIVA backend tests.

Only the transport is replaced: every deriva-py session gets ``FakeServer`` as its adapter,
which records each request and answers from routes the tests set. What it answers follows what
a real server (ERMrest + Hatrac behind Apache) was seen to answer.
"""

from __future__ import annotations

import base64
import hashlib
import io
import itertools
import json
import re
from urllib.parse import unquote, urlsplit

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from derivaml_jupyter.catalog import Column, ForeignKey, Table
from derivaml_jupyter.catalog.deriva import DerivaCatalog
from derivaml_jupyter.schema.builders import asset_table, association_table, vocabulary_table

HOST = "deriva.test"
BASE = "/ermrest/catalog/1"
SNAP = "2TA-YJ6F-1PBA"

# What the lab's server (Apache 2.4, ERMrest, webauthn) answered. Apache refuses a request whose
# decoded path, without the query string, is longer than 4040 bytes (4041 under /hatrac), with
# this page, before ERMrest sees it.
APACHE_MAX_PATH = 4040
APACHE_404 = (404, """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html><head>
<title>404 Not Found</title>
</head><body>
<h1>Not Found</h1>
<p>The requested URL was not found on this server.</p>
<hr>
<address>Apache/2.4.71 (Debian) Server at localhost Port 443</address>
</body></html>
""", {"Content-Type": "text/html; charset=iso-8859-1"})
# ERMrest when concurrent transactions conflict; it has rolled the request's transaction back.
TRANSACTION_ABORTED = (
    503, "The service is temporarily unavailable. Detail: Transaction aborted.\n",
    {"Content-Type": "text/plain"})
# ERMrest to a client without a valid login (none, or an expired or bogus webauthn cookie).
LOGIN_REQUIRED = (401, "Access requires authentication. Detail: enumerate access on catalog/1\n",
                  {"Content-Type": "text/plain"})


def dropped_connection() -> requests.ConnectionError:
    """What requests raises when the server closes the connection without answering."""
    from http.client import RemoteDisconnected

    from urllib3.exceptions import ProtocolError

    return requests.ConnectionError(ProtocolError(
        "Connection aborted.", RemoteDisconnected("Remote end closed connection without response")))


class FakeServer(BaseAdapter):
    """Answers requests from routes ``(method, path regex) -> answer`` and records them.

    An answer is ``(status, json_body, headers)`` or a function of the request returning one
    (or None to leave the request to the routes added before it). Paths are matched with their
    query string, unquoted. The last route added wins. Paths longer than Apache allows are
    answered as Apache does."""

    def __init__(self):
        super().__init__()
        self.routes: list[tuple[str, re.Pattern, object]] = []
        self.sent: list[requests.PreparedRequest] = []
        self.schemas: dict[str, dict] = {}
        self.route("GET", f"{BASE}/", (200, {"id": "1", "snaptime": SNAP}, {}))
        self.route("GET", f"{BASE}/schema", lambda r: (200, {"schemas": self.schemas}, {}))
        self.route("POST", rf"{BASE}/schema/([^/]+)/table", self._create_table)

    def route(self, method: str, pattern: str, answer) -> None:
        self.routes.append((method, re.compile(pattern), answer))

    def paths(self, method: str | None = None) -> list[str]:
        return [unquote(request_path(r)) for r in self.sent if method in (None, r.method)]

    def raw_paths(self, method: str) -> list[str]:
        return [request_path(r) for r in self.sent if r.method == method]

    def fail_first(self, method: str, pattern: str, *failures) -> None:
        """The next requests matching get ``failures`` in turn: answers, or exceptions raised
        as a dropped connection would be (``dropped_connection()``). Later requests go to the
        other routes."""
        pending = list(failures)

        def answer(request):
            if not pending:
                return None
            failure = pending.pop(0)
            if isinstance(failure, BaseException):
                raise failure
            return failure

        self.route(method, pattern, answer)

    def _create_table(self, request):
        tdef = json.loads(request.body)
        sname = unquote(request_path(request).split("/")[-2])
        self.schemas[sname]["tables"][tdef["table_name"]] = {**tdef, "schema_name": sname}
        return 201, tdef, {}

    def add_schema(self, name: str) -> None:
        self.schemas[name] = {"schema_name": name, "tables": {}}

    def send(self, request, **kwargs):
        if hasattr(request.body, "read"):  # a streamed upload: read it as a socket would
            request.body = b"".join(iter(lambda: request.body.read(16384), b""))
        self.sent.append(request)
        path = unquote(request_path(request))
        if len(unquote(urlsplit(request.url).path).encode()) > APACHE_MAX_PATH:
            status, body, headers = APACHE_404
        else:
            for method, pattern, answer in reversed(self.routes):
                if method == request.method and pattern.fullmatch(path):
                    result = answer(request) if callable(answer) else answer
                    if result is not None:
                        status, body, headers = result
                        break
            else:
                status, body, headers = 404, f"no route for {request.method} {path}", {}
        response = requests.Response()
        response.status_code, response.url, response.request = status, request.url, request
        response.reason = "Fake"
        response.headers = CaseInsensitiveDict(headers)
        raw = body if isinstance(body, bytes) else \
            body.encode() if isinstance(body, str) else json.dumps(body).encode()
        response._content, response.raw = raw, io.BytesIO(raw)
        response.headers.setdefault("Content-Length", str(len(raw)))
        return response

    def close(self):
        pass


def request_path(request) -> str:
    url = urlsplit(request.url)
    return url.path + (f"?{url.query}" if url.query else "")


def install(monkeypatch) -> FakeServer:
    """The fake answering every deriva-py session."""
    import deriva.core.deriva_binding as binding

    fake = FakeServer()

    def session(url=None, config=None):
        s = requests.Session()
        s.mount("https://", fake)
        return s

    monkeypatch.setattr(binding, "get_new_requests_session", session)
    return fake


def fake_catalog(server: FakeServer) -> DerivaCatalog:
    """A DerivaCatalog on the fake holding schema ``s``: Parent, Thing (-> Parent), Term
    (vocabulary), Image (asset) and Image_Term (association)."""
    cat = DerivaCatalog(HOST, "1", credential={"cookie": "webauthn=x"})
    server.add_schema("s")
    parent = Table("s", "Parent", [Column("Name", nullok=False)], keys=[("Name",)])
    term = vocabulary_table("s", "Term", "proj")
    image = asset_table("s", "Image")
    for t in (parent, term, image, Table("s", "Thing", [
        Column("Name", nullok=False), Column("Value", "int4"), Column("Score", "float8"),
        Column("Flag", "boolean"), Column("Meta", "jsonb"), Column("Parent"),
    ], keys=[("Name",)], foreign_keys=[ForeignKey(("Parent",), "s", "Parent")]),
            association_table("s", "Image_Term", [("Image", image, "RID"),
                                                  ("Term", term, "Name")])):
        cat.create_table(t)
    server.sent.clear()
    return cat


def rows_answer(rows):
    return 200, rows, {}


# -- model ------------------------------------------------------------------------------------


# -- Hatrac -----------------------------------------------------------------------------------
# Answers of the lab's Hatrac (behind Apache) in the cases the object store meets.
APACHE_408 = (408, """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html><head>
<title>408 Request Timeout</title>
</head><body>
<h1>Request Timeout</h1>
<p>Server timeout waiting for the HTTP request from the client.</p>
<hr>
<address>Apache/2.4.71 (Debian) Server at localhost Port 443</address>
</body></html>
""", {"Content-Type": "text/html; charset=iso-8859-1"})
# Apache's standard page while the service behind it is down (not provoked on the lab server).
APACHE_503 = (503, """<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html><head>
<title>503 Service Unavailable</title>
</head><body>
<h1>Service Unavailable</h1>
<p>The server is temporarily unable to service your
request due to maintenance downtime or capacity
problems. Please try again later.</p>
</body></html>
""", {"Content-Type": "text/html; charset=iso-8859-1"})
HATRAC_TEXT = {"Content-Type": "text/plain"}


def hatrac_duplicate_key(name: str) -> tuple:
    """Hatrac's answer to creating ``name`` (``/hatrac/...``) while another request creates it."""
    return (500, 'duplicate key value violates unique constraint "name_name_key"\n'
                 f'DETAIL:  Key (name)=({name.removeprefix("/hatrac")}) already exists.\n',
            HATRAC_TEXT)


def hatrac_name_in_use(name: str) -> tuple:
    """Hatrac's other answer to creating ``name`` while another request creates it."""
    return 409, f"Name {name} already in use.\n", HATRAC_TEXT


def hatrac_file_exists(namespace: str) -> tuple:
    """Hatrac's answer to a first object write into ``namespace`` while another one makes its
    directory."""
    return 500, f"[Errno 17] File exists: '/var/www{namespace}'\n", HATRAC_TEXT


def _b64md5(content: bytes) -> str:
    return base64.b64encode(hashlib.md5(content).digest()).decode()


class FakeHatrac:
    """A Hatrac on a ``FakeServer``: namespaces, objects and upload jobs held in memory and
    answered with the statuses and messages the lab's Hatrac gave.

    ``objects`` maps an object path to its versions' contents; an empty list is a name without
    content (left by a failed or cancelled upload). ``deleted`` names are never usable again.
    Names in ``foreign`` belong to another user: writing to them is forbidden. Paths are kept
    as sent (quoted)."""

    def __init__(self, server: FakeServer):
        self.server = server
        self.namespaces = {"/hatrac"}
        self.objects: dict[str, list[bytes]] = {}
        self.deleted: set[str] = set()
        self.foreign: set[str] = set()
        self.jobs: dict[str, dict] = {}
        self._serial = itertools.count(1)  # thread-safe
        for method in ("HEAD", "GET", "PUT", "POST", "DELETE"):
            server.route(method, r"/hatrac(/.*)?", self._answer)

    def interfere(self, method: str, pattern: str, answer, *, effect: str) -> None:
        """The next request ``method`` matching ``pattern`` gets ``answer`` (or raises it, as a
        dropped connection would) after ``effect``: ``"done"``, it took effect (as when another
        client made the same name at the same moment, or the answer was lost), or ``"empty"``,
        its object name is left without content (a failed upload)."""
        pending = [answer]

        def once(request):
            if not pending:
                return None
            if effect == "done":
                self._answer(request)
            else:
                self.objects.setdefault(urlsplit(request.url).path, [])
            answer = pending.pop()
            if isinstance(answer, BaseException):
                raise answer
            return answer

        self.server.route(method, pattern, once)

    def stored(self, path: str) -> bytes | None:
        """The content of the object at ``path``, None when it has none."""
        versions = self.objects.get(path)
        return versions[-1] if versions else None

    def _answer(self, request):
        url = urlsplit(request.url)
        name, _, sub = url.path.rstrip("/").partition(";")
        parents = "parents=true" in url.query
        if sub:
            return self._job(request, name, sub.split("/"), parents)
        if request.method == "HEAD":
            return self._head(name)
        if request.method == "GET":
            versions = self.objects.get(name)
            if versions is None:
                return 404, f"Resource {name} not found.\n", HATRAC_TEXT
            if not versions:
                return 409, f"Object {name} currently has no content.\n", HATRAC_TEXT
            return 200, versions[-1], {"Content-MD5": _b64md5(versions[-1])}
        if request.method == "DELETE" and name in self.objects:
            del self.objects[name]
            self.deleted.add(name)
            return 204, b"", {}
        if request.method != "PUT":
            return 405, f"{request.method} {name} not supported by the fake.\n", HATRAC_TEXT
        if name in self.namespaces:
            return 409, f"Namespace {name} already exists.\n", HATRAC_TEXT
        if request.headers.get("Content-Type") == "application/x-hatrac-namespace" \
                and name not in self.objects:
            error = self._create(name, parents)
            if error:
                return error
            self.namespaces.add(name)
            return 201, f"{name}\n", {"Location": name}
        return self._put_object(name, request, parents)

    def _head(self, name: str):
        if name in self.namespaces:
            return 200, b"", {"Content-Type": "application/json", "Content-Length": "2"}
        versions = self.objects.get(name)
        if versions is None:
            return 404, b"", HATRAC_TEXT
        if not versions:
            return 409, b"", HATRAC_TEXT
        return 200, b"", {"Content-Type": "application/octet-stream",
                          "Content-Length": str(len(versions[-1])),
                          "Content-MD5": _b64md5(versions[-1])}

    def _create(self, name: str, parents: bool):
        """None if ``name`` can be created (its missing parents made when asked), else the
        answer refusing it."""
        if name in self.deleted:
            return 409, f"Name {name} not available.\n", HATRAC_TEXT
        parent = name.rsplit("/", 1)[0]
        if parent in self.objects:
            return 409, f"Parent {parent} is not a namespace.\n", HATRAC_TEXT
        if parent not in self.namespaces:
            if not parents:
                return 404, f"Resource {parent} not found.\n", HATRAC_TEXT
            error = self._create(parent, True)
            if error:
                return error
            self.namespaces.add(parent)
        return None

    def _writable(self, name: str, parents: bool):
        """None if ``name`` is, or can be made, an object of ours; else the refusal."""
        if name in self.foreign:
            return 403, f"Access to {name} forbidden.\n", HATRAC_TEXT
        if name not in self.objects:
            error = self._create(name, parents)
            if error:
                return error
            self.objects[name] = []
        return None

    def _new_version(self, name: str, content: bytes, version: str):
        self.objects[name].append(content)
        return 201, f"{name}:{version}\n", {"Location": f"{name}:{version}"}

    def _put_object(self, name: str, request, parents: bool):
        error = self._writable(name, parents)
        if error:
            return error
        content = request.body or b""
        expected = request.headers.get("Content-MD5")
        if expected and expected != _b64md5(content):
            return (400, f"Received content MD5 {hashlib.md5(content).digest()!r} does not "
                         f"match expected {base64.b64decode(expected)!r}.\n", HATRAC_TEXT)
        return self._new_version(name, content, f"V{next(self._serial)}")

    def _job(self, request, name: str, parts: list[str], parents: bool):
        if request.method == "POST" and len(parts) == 1:
            if name in self.deleted:
                return (409, f"Name {name.removeprefix('/hatrac')} is not available for use.\n",
                        HATRAC_TEXT)
            error = self._writable(name, parents)
            if error:
                return error
            job = f"J{next(self._serial)}"
            self.jobs[job] = {**json.loads(request.body), "target": name, "chunks": {}}
            return 201, f"{name};upload/{job}\n", {"Location": f"{name};upload/{job}"}
        job = self.jobs.get(parts[1]) if len(parts) > 1 else None
        if job is None or job["target"] != name:
            return 404, f"Resource {name};{'/'.join(parts)} not found.\n", HATRAC_TEXT
        if request.method == "GET" and len(parts) == 2:
            return 200, {"url": f"{name};upload/{parts[1]}", "owner": ["admin"],
                         **{k: v for k, v in job.items() if k != "chunks"}}, {}
        if request.method == "DELETE" and len(parts) == 2:
            del self.jobs[parts[1]]
            return 204, b"", {}
        if request.method == "PUT" and len(parts) == 3:
            n = int(parts[2])
            if n * job["chunk-length"] >= job["content-length"]:
                return 409, f"Uploaded chunk number {n} out of range.\n", HATRAC_TEXT
            job["chunks"][n] = request.body
            return 204, b"", {}
        if request.method == "POST" and len(parts) == 2:
            content = b"".join(job["chunks"][n] for n in sorted(job["chunks"]))
            if job.get("content-md5") and job["content-md5"] != _b64md5(content):
                return (409, f"Current uploaded content MD5 "
                             f"{hashlib.md5(content).hexdigest().encode()!r} does not match "
                             f"expected {base64.b64decode(job['content-md5']).hex().encode()!r}"
                             ".\n", HATRAC_TEXT)
            del self.jobs[parts[1]]
            return self._new_version(name, content, parts[1])
        return 405, f"{request.method} on an upload job not supported by the fake.\n", HATRAC_TEXT
