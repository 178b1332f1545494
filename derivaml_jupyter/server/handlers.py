"""REST handlers under ``/derivaml/api/``: each parses its request, calls one function of
``views`` in a worker thread (catalog calls block) and answers JSON."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.base.handlers import APIHandler

from ..core.errors import DerivaMLException, DerivaMLValidationError
from . import views
from .configs import list_project_configs
from .errors import APIError, error_body
from .overrides import allowed_overrides


class DerivaMLHandler(APIHandler):
    """Base handler: the catalog named by the ``host``/``catalog`` query arguments, blocking
    work run off the event loop, and DerivaML errors answered as JSON with their HTTP code.

    Every method is ``@authenticated`` and ``@authorized`` on the resource ``derivaml``:
    reads need "read", writes (notebook upload) "write", starting runs "execute"."""

    auth_resource = "derivaml"

    async def call(self, function: Callable[..., Any], *args: Any, catalog: bool = True) -> Any:
        """``function(ml, *args)`` (or ``function(*args)`` when not ``catalog``) in a thread."""
        host = self.get_argument("host", "local")
        catalog_id = self.get_argument("catalog", "default")

        try:
            if catalog:
                ml = await self.settings["derivaml_connections"].get(host, catalog_id)
                args = (ml, *args)
            return await asyncio.to_thread(function, *args)
        except DerivaMLException as e:
            raise APIError(e) from e

    def answer(self, data: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data, default=str))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        if isinstance(error, tornado.web.HTTPError) and error.log_message:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(error_body(error)))
        else:
            super().write_error(status_code, **kwargs)

    def int_argument(self, name: str, default: int, minimum: int, maximum: int) -> int:
        text = self.get_argument(name, str(default))
        if not text.isdigit() or not minimum <= int(text) <= maximum:
            raise APIError(DerivaMLValidationError(
                f"Query argument {name}={text!r} must be a whole number from {minimum} to "
                f"{maximum}."))
        return int(text)

    def root_path(self, relative: str, what: str) -> Path:
        """``relative`` inside the server's root directory (400 if it escapes)."""
        try:
            return views.confined_path(self.settings["server_root_dir"], relative, what)
        except DerivaMLException as e:
            raise APIError(e) from e


class CatalogViewHandler(DerivaMLHandler):
    """GET answers ``view(ml)``, a whole-catalog listing of ``views``."""

    view: Callable[[Any], Any]

    @tornado.web.authenticated
    @authorized("read")
    async def get(self) -> None:
        self.answer(await self.call(self.view))


class InfoHandler(CatalogViewHandler):
    view = staticmethod(views.catalog_info)


class DatasetsHandler(CatalogViewHandler):
    view = staticmethod(views.dataset_list)


class DatasetHandler(DerivaMLHandler):
    @tornado.web.authenticated
    @authorized("read")
    async def get(self, rid: str) -> None:
        self.answer(await self.call(views.dataset_detail, rid,
                                    self.get_argument("version", None)))


class DatasetMembersHandler(DerivaMLHandler):
    @tornado.web.authenticated
    @authorized("read")
    async def get(self, rid: str) -> None:
        table = self.get_argument("table", None)
        if not table:
            raise APIError(DerivaMLValidationError(
                "Give the member table as ?table=<name>; the dataset detail lists the tables "
                "under member_counts."))
        self.answer(await self.call(views.member_page, rid, table,
                                    self.int_argument("limit", 100, 1, 1000),
                                    self.get_argument("after", None),
                                    self.get_argument("version", None)))


class ExecutionsHandler(DerivaMLHandler):
    @tornado.web.authenticated
    @authorized("read")
    async def get(self) -> None:
        self.answer(await self.call(
            views.execution_list, self.get_argument("status", None) or None,
            self.get_argument("workflow", None) or None,
            self.int_argument("limit", 50, 1, 1000), self.int_argument("offset", 0, 0, 10**9)))


class ExecutionHandler(DerivaMLHandler):
    @tornado.web.authenticated
    @authorized("read")
    async def get(self, rid: str) -> None:
        self.answer(await self.call(views.execution_detail, rid))


class WorkflowsHandler(CatalogViewHandler):
    view = staticmethod(views.workflow_list)


class ConfigsHandler(DerivaMLHandler):
    @tornado.web.authenticated
    @authorized("read")
    async def get(self) -> None:
        project = self.root_path(self.get_argument("path", ""), "project path")
        self.answer(await self.call(list_project_configs, project, catalog=False))


class NotebookUploadHandler(DerivaMLHandler):
    @tornado.web.authenticated
    @authorized("write")
    async def post(self) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
            path, rid = body["path"], body["execution_rid"]
        except (ValueError, KeyError, TypeError):
            raise APIError(DerivaMLValidationError(
                'The body must be JSON {"path": "<notebook path relative to the server root>", '
                '"execution_rid": "<RID>"}.')) from None
        notebook = self.root_path(path, "notebook path")
        self.answer(await self.call(views.upload_notebook, notebook, rid))


class RunsHandler(DerivaMLHandler):
    """POST starts a headless run of a notebook or a project's model; GET lists runs."""

    @tornado.web.authenticated
    @authorized("read")
    async def get(self) -> None:
        self.answer([run.state() for run in self.settings["derivaml_runs"].list()])

    @tornado.web.authenticated
    @authorized("execute")
    async def post(self) -> None:
        try:
            body = json.loads(self.request.body or b"{}")
            kind, path = body["kind"], body["path"]
            overrides = list(body.get("overrides", []))
            if kind not in ("notebook", "model"):
                raise ValueError(kind)
        except (ValueError, KeyError, TypeError):
            raise APIError(DerivaMLValidationError(
                'The body must be JSON {"kind": "notebook" | "model", "path": "<notebook or '
                'project path relative to the server root>", "overrides": [...], '
                '"parameters": {...} (notebooks), "multirun": false (models)}.')) from None
        runs = self.settings["derivaml_runs"]
        target = self.root_path(path, f"{kind} path")
        if overrides:
            overrides = await self.allowed(overrides, target if kind == "model" else
                                           project_of_notebook(target))
        if kind == "notebook":
            start = runs.start_notebook, target, overrides, dict(body.get("parameters") or {})
        else:
            start = runs.start_model, target, overrides, bool(body.get("multirun"))
        run = await self.call(*start, catalog=False)
        self.set_status(201)
        self.answer(run.state())


    async def allowed(self, overrides: list[Any], project: Path) -> list[str]:
        """``overrides`` if they only choose options and set fields of ``project``'s configs."""
        listing = await self.call(list_project_configs, project, catalog=False)
        return await self.call(allowed_overrides, overrides, listing["fields"], catalog=False)


def project_of_notebook(notebook: Path) -> Path:
    """The project folder holding ``notebook`` (the parent of the ``src`` holding its
    configs), or the notebook's own folder when it is in none."""
    from ..config.run_notebook import find_project_src

    src = find_project_src(notebook.parent)
    return notebook.parent if src is None else src.parent


class RunHandler(DerivaMLHandler):
    @tornado.web.authenticated
    @authorized("read")
    async def get(self, run_id: str) -> None:
        self.answer(await self.call(lambda: self.settings["derivaml_runs"].get(run_id).state(),
                                    catalog=False))


RID = r"(?P<rid>[^/]+)"
ROUTES: list[tuple[str, type[DerivaMLHandler]]] = [
    ("info", InfoHandler),
    ("datasets", DatasetsHandler),
    (f"datasets/{RID}", DatasetHandler),
    (f"datasets/{RID}/members", DatasetMembersHandler),
    ("executions", ExecutionsHandler),
    (f"executions/{RID}", ExecutionHandler),
    ("workflows", WorkflowsHandler),
    ("configs", ConfigsHandler),
    ("notebooks/upload", NotebookUploadHandler),
    ("runs", RunsHandler),
    (r"runs/(?P<run_id>[^/]+)", RunHandler),
]
