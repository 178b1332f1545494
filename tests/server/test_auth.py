"""Every route of the extension refuses requests without a valid token and checks the user's
authorization (see test_authorization.py); with the token a POST needs no XSRF cookie (as for
the rest of Jupyter's API)."""

from __future__ import annotations

import json
import re

from tornado.web import RequestHandler

from derivaml_jupyter.server.handlers import DerivaMLHandler

from .client import MISSING_RID, api, api_error

API_ROOT = "/derivaml/api/"


def extension_routes(web_app) -> list[tuple[str, type]]:
    """(path pattern below ``/derivaml/api/``, handler class) of every registered route."""
    found = []
    routers = [web_app.default_router, web_app.wildcard_router]
    while routers:
        for rule in routers.pop().rules:
            target = rule.target
            if hasattr(target, "rules"):
                routers.append(target)
            elif isinstance(target, type) and hasattr(rule.matcher, "regex"):
                pattern = rule.matcher.regex.pattern
                if API_ROOT in pattern:
                    found.append((pattern.split(API_ROOT, 1)[1].rstrip("$"), target))
    return found


def concrete(pattern: str) -> list[str]:
    """Path parts for a route pattern, its named groups (RIDs, run ids) filled in."""
    return re.sub(r"\(\?P<\w+>[^)]*\)", MISSING_RID, pattern).split("/")


async def test_every_route_refuses_a_request_without_token(jp_fetch, jp_serverapp, catalog):
    routes = extension_routes(jp_serverapp.web_app)
    assert {handler.__name__ for _, handler in routes} >= {
        "InfoHandler", "DatasetsHandler", "DatasetHandler", "DatasetMembersHandler",
        "ExecutionsHandler", "ExecutionHandler", "WorkflowsHandler", "ConfigsHandler",
        "NotebookUploadHandler", "RunsHandler", "RunHandler"}
    for pattern, handler in routes:
        assert issubclass(handler, DerivaMLHandler), pattern
        methods = [m for m in ("get", "post")
                   if getattr(handler, m) is not getattr(RequestHandler, m)]
        assert methods, pattern
        for method in methods:
            # @tornado.web.authenticated on the method itself, not only the server-wide default
            wrapper = getattr(handler, method).__code__
            assert wrapper.co_qualname.startswith("authenticated"), (pattern, method)
            checked = getattr(handler, method).__wrapped__.__code__  # then @authorized
            assert checked.co_qualname.startswith("authorized"), (pattern, method)
            body = json.dumps({"path": "x.ipynb", "execution_rid": catalog["execution"]}) \
                if method == "post" else None
            for headers in ({"Authorization": ""}, {"Authorization": "token wrong"}):
                code, _ = await api_error(jp_fetch, *concrete(pattern), method=method.upper(),
                                          body=body, headers=headers)
                assert code == 403, (pattern, method, headers)


async def test_a_post_with_the_token_needs_no_xsrf_cookie(jp_fetch, catalog):
    code, body = await api_error(jp_fetch, "notebooks", "upload", method="POST",
                                 body=json.dumps({"path": "missing.ipynb",
                                                  "execution_rid": catalog["execution"]}))
    assert code == 404 and body["error"] == "DerivaMLNotFound"  # reached the handler
    assert (await api(jp_fetch, "info"))["counts"]["executions"] == 1
