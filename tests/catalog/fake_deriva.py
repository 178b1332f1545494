"""A fake of ERMrest/Hatrac's HTTP answers for the DERIVA backend tests.

Only the transport is replaced: every deriva-py session gets ``FakeServer`` as its adapter,
which records each request and answers from routes the tests set. What it answers follows what
a real server (ERMrest + Hatrac behind Apache) was seen to answer.
"""

from __future__ import annotations

import io
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
