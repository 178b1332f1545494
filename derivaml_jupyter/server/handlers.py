"""REST handlers under ``/derivaml/api/``: each checks its request against the OpenAPI
description, calls one function of ``views`` in a worker thread (catalog calls block) and
answers JSON."""

from __future__ import annotations

import asyncio
import functools
import getpass
import json
import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

import tornado.web
from jupyter_server.auth.decorator import authorized
from jupyter_server.auth.identity import IdentityProvider, PasswordIdentityProvider
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import url_path_join

from ..core.errors import DerivaMLException, DerivaMLNotFound, DerivaMLValidationError
from ..runners.background import BackgroundRuns
from . import openapi, views
from .configs import find_project, list_project_configs
from .content import UnsatisfiableRange, asset_content, byte_range
from .errors import APIError, error_body, in_catalog_scope
from .overrides import allowed_overrides

Method = Callable[..., Awaitable[None]]
AT_COMMIT = re.compile(r"(?P<repository>/.*)@[0-9a-f]{7,40}/(?P<path>.+)")


def api_method(action: str) -> Callable[[Method], Method]:
    """``@authenticated``, then ``@authorized(action)`` on the resource ``derivaml``, then the
    request checked against the OpenAPI description (``handler.query``, ``handler.body``)."""

    def decorate(method: Method) -> Method:
        @functools.wraps(method)
        async def checked(self: DerivaMLHandler, *args: Any, **kwargs: Any) -> None:
            self.check_request()
            await method(self, *args, **kwargs)

        refused = (f"You are not authorized to {action} on the resource 'derivaml' of this "
                   "Jupyter server; its admin can grant that through the server's Authorizer.")
        return tornado.web.authenticated(authorized(action, message=refused)(checked))

    return decorate


class DerivaMLHandler(APIHandler):
    """Base handler: the catalog named by the ``host``/``catalog`` query arguments, blocking
    work run off the event loop, and DerivaML errors answered as JSON with their HTTP code.

    ``path`` is the route below ``/derivaml/api/`` in OpenAPI form (``datasets/{rid}``).
    Every method is ``@api_method``: reads need "read", writes (notebook upload) "write",
    starting runs "execute"."""

    auth_resource = "derivaml"
    path: str
    query: dict[str, Any]
    body: dict[str, Any] | None

    def check_request(self) -> None:
        """Check the path and query arguments and the body against the OpenAPI description."""
        operation = openapi.PATHS[f"/{self.path}"][self.request.method.lower()]
        values = {name: self.get_query_argument(name, None) or None
                  for name in self.request.query_arguments}
        try:
            self.query = openapi.checked_arguments(operation, {**values, **self.path_kwargs})
            self.body = openapi.checked_body(operation, self.request.body)
        except DerivaMLException as e:
            raise APIError(e) from e

    async def call(self, function: Callable[..., Any], *args: Any, catalog: bool = True) -> Any:
        """``function(ml, *args)`` (or ``function(*args)`` when not ``catalog``) in a thread."""
        if catalog:
            args = (await self.catalog(), *args)
        try:
            return await asyncio.to_thread(function, *args)
        except DerivaMLException as e:
            raise APIError(e) from e

    async def catalog(self) -> Any:
        """The ``DerivaML`` of the request's catalog; failing to open it is an error of
        scope "catalog" (``errors.in_catalog_scope``)."""
        try:
            return await self.settings["derivaml_connections"].get(
                self.query["host"] or "local", self.query["catalog"] or "default")
        except DerivaMLException as e:
            raise in_catalog_scope(APIError(e)) from e
        except tornado.web.HTTPError as e:  # a host that is not allowed
            raise in_catalog_scope(e) from e

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

    def root_path(self, relative: str, what: str) -> Path:
        """``relative`` inside the server's root directory (400 if it escapes)."""
        try:
            target = views.confined_path(self.settings["server_root_dir"], relative, what)
            target.exists()  # raises here for a name the file system cannot hold
            return target
        except DerivaMLException as e:
            raise APIError(e) from e
        except (ValueError, OSError) as e:  # a NUL byte, a name too long for the system
            raise APIError(DerivaMLValidationError(
                f"The {what} {relative[:80]!r} cannot be a file name here "
                f"({getattr(e, 'strerror', None) or e}); give a path "
                "relative to the Jupyter server's root directory.")) from e


class LocalCatalogsHandler(DerivaMLHandler):
    path = "catalogs"

    @api_method("read")
    async def get(self) -> None:
        self.answer(await self.call(views.local_catalogs, catalog=False))


class CatalogViewHandler(DerivaMLHandler):
    """GET answers ``view(ml)``, a whole-catalog listing of ``views``."""

    view: Callable[[Any], Any]

    @api_method("read")
    async def get(self) -> None:
        self.answer(await self.call(self.view))


class OpenAPIHandler(DerivaMLHandler):
    path = "openapi.json"

    @api_method("read")
    async def get(self) -> None:
        base_url = self.settings["base_url"]
        self.answer(openapi.document(url_path_join(base_url, "derivaml", "api")))


class InfoHandler(CatalogViewHandler):
    path = "info"
    view = staticmethod(views.catalog_info)


class DatasetsHandler(CatalogViewHandler):
    path = "datasets"
    view = staticmethod(views.dataset_list)


class WorkflowsHandler(CatalogViewHandler):
    path = "workflows"
    view = staticmethod(views.workflow_list)


class DatasetHandler(DerivaMLHandler):
    path = "datasets/{rid}"

    @api_method("read")
    async def get(self, rid: str) -> None:
        self.answer(await self.call(views.dataset_detail, rid, self.query["version"]))


class DatasetMembersHandler(DerivaMLHandler):
    path = "datasets/{rid}/members"

    @api_method("read")
    async def get(self, rid: str) -> None:
        q = self.query
        self.answer(await self.call(views.member_page, rid, q["table"], q["limit"], q["after"],
                                    q["version"]))


class ExecutionsHandler(DerivaMLHandler):
    path = "executions"

    @api_method("read")
    async def get(self) -> None:
        """The page with its ETag; 304 and no body when the request's If-None-Match has it."""
        q = self.query
        filters = {"text": q["q"], "since": q["since"], "dataset": q["dataset"]}
        page = await self.call(views.execution_list, q["status"], q["workflow"], q["limit"],
                               q["offset"], q["after"], filters)
        self.set_header("ETag", page["etag"])
        if page["etag"] in self.request.headers.get("If-None-Match", "").split(", "):
            self.set_status(304)
            self.finish()
        else:
            self.answer(page)


class ExecutionHandler(DerivaMLHandler):
    path = "executions/{rid}"

    @api_method("read")
    async def get(self, rid: str) -> None:
        self.answer(await self.call(views.execution_detail, rid))


class ExecutionAbandonHandler(DerivaMLHandler):
    path = "executions/{rid}/abandon"

    @api_method("write")
    async def post(self, rid: str) -> None:
        self.answer(await self.call(views.abandon_execution, rid, self.body["reason"]))


class ExecutionProvenanceHandler(DerivaMLHandler):
    path = "executions/{rid}/provenance"

    @api_method("read")
    async def get(self, rid: str) -> None:
        self.answer(await self.call(views.execution_provenance, rid))


class ExecutionOverridesHandler(DerivaMLHandler):
    """What running an execution again needs: its overrides and kind, and (when its workflow
    is a file under the server root, by a ``file://`` URL or in the repository its
    environment.json recorded) that file as ``source`` and its ``project``, both relative to
    the root; null when the run's code is elsewhere (another machine)."""

    path = "executions/{rid}/overrides"

    @api_method("read")
    async def get(self, rid: str) -> None:
        answer = await self.call(views.execution_overrides, rid)
        root = self.root_path("", "server root")
        checkout = answer.pop("checkout")
        source = local_file(answer.pop("url"), root) or under_root(checkout, root)
        project = None
        if source is not None:
            project = await self.call(project_folder, root, source, catalog=False)
        self.answer({**answer, "source": source and source.relative_to(root).as_posix(),
                     "project": project and project.relative_to(root).as_posix()})


class SweepHandler(DerivaMLHandler):
    path = "executions/{rid}/sweep"

    @api_method("read")
    async def get(self, rid: str) -> None:
        self.answer(await self.call(views.sweep, rid))


class CompareHandler(DerivaMLHandler):
    path = "compare"

    @api_method("read")
    async def get(self) -> None:
        q = self.query
        self.answer(await self.call(views.comparison, q["rids"],
                                    q["only_differences"] == "true"))


class AssetContentHandler(DerivaMLHandler):
    """The bytes of an asset's file: whole, or the one range a ``Range`` header asks for
    (206), streamed in chunks; ``?download=true`` asks the browser to save it."""

    path = "assets/{rid}/content"
    chunk = 1 << 20

    @api_method("read")
    async def get(self, rid: str) -> None:
        content = await self.call(asset_content, rid)
        self.set_header("Accept-Ranges", "bytes")
        try:
            span = byte_range(self.request.headers.get("Range"), content.length)
        except UnsatisfiableRange:
            self.set_status(416)
            self.set_header("Content-Range", f"bytes */{content.length}")
            self.finish()
            return
        first, last = span or (0, content.length - 1)
        if span:
            self.set_status(206)
            self.set_header("Content-Range", f"bytes {first}-{last}/{content.length}")
        disposition = "attachment" if self.query["download"] == "true" else "inline"
        self.set_header("Content-Disposition",
                        f"{disposition}; filename*=UTF-8''{quote(content.filename)}")
        self.set_header("Content-Length", str(last - first + 1))
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Type", content.media_type)  # before the first flush
        with content.path.open("rb") as file:
            file.seek(first)
            for remaining in range(last - first + 1, 0, -self.chunk):
                self.write(await asyncio.to_thread(file.read, min(self.chunk, remaining)))
                await self.flush()
        self.finish(set_content_type=content.media_type)


class ConfigsHandler(DerivaMLHandler):
    path = "configs"

    @api_method("read")
    async def get(self) -> None:
        """The configs of the project holding ?path (the folder itself or one above it), with
        that project's path relative to the server root."""
        root = self.root_path("", "server root")
        start = self.root_path(self.query["path"] or "", "project path")
        project = await self.call(find_project, root, start, catalog=False)
        listing = await self.call(list_project_configs, project, catalog=False)
        self.answer({**listing, "project": project.relative_to(root).as_posix()})


class NotebookUploadHandler(DerivaMLHandler):
    path = "notebooks/upload"

    @api_method("write")
    async def post(self) -> None:
        notebook = self.root_path(self.body["path"], "notebook path")
        self.answer(await self.call(views.upload_notebook, notebook,
                                    self.body["execution_rid"]))


class PushHandler(DerivaMLHandler):
    """POST copies executions of the request's local catalog to the catalog ``to`` names:
    ``HOST/CATALOG`` (a host the server allows) or a local catalog's name."""

    path = "push"

    @api_method("write")
    async def post(self) -> None:
        host, _, catalog = self.body["to"].rpartition("/")
        host = host or "local"
        self.settings["derivaml_connections"].check_allowed(host)
        self.answer(await self.call(views.push, host, catalog, self.body.get("rids")))


class RunsHandlerBase(DerivaMLHandler):
    """Runs belong to the user who started them: each sees and cancels only their own."""

    @property
    def runs(self) -> BackgroundRuns:
        return self.settings["derivaml_runs"]

    @property
    def owner(self) -> str:
        """The user's name; with Jupyter's own token or password login, whose users are
        anonymous and new in each browser, the account running the server (the one holder
        of that token or password)."""
        if type(self.identity_provider) in (IdentityProvider, PasswordIdentityProvider):
            return server_account()
        return self.current_user.username


class RunsHandler(RunsHandlerBase):
    """POST starts a headless run of a notebook or a project's model; GET lists the user's
    runs, also those started before the server restarted."""

    path = "runs"

    @api_method("read")
    async def get(self) -> None:
        self.answer(await self.call(self.runs.list, self.owner, catalog=False))

    @api_method("execute")
    async def post(self) -> None:
        kind, overrides = self.body["kind"], self.body.get("overrides", [])
        target = self.root_path(self.body["path"], f"{kind} path")
        config_name = self.body.get("config_name")
        if overrides or config_name:
            project = target if kind == "model" else await self.call(
                project_folder, self.root_path("", "server root"), target, catalog=False)
            listing = await self.call(list_project_configs, project or target.parent,
                                      catalog=False)
            overrides = await self.call(allowed_overrides, overrides, listing["fields"],
                                        catalog=False)
            if config_name:
                await self.call(check_config_name, config_name, kind, listing, catalog=False)
        if kind == "notebook":
            start, options = self.runs.start_notebook, (self.body.get("parameters", {}),)
        else:
            start, options = self.runs.start_model, (self.body.get("multirun", False),
                                                      config_name)
        run = await self.call(start, self.owner, target, overrides, *options, catalog=False)
        self.set_status(201)
        self.answer(run)


def check_config_name(name: str, kind: str, listing: dict[str, Any]) -> None:
    """Refuse a top-level config the project does not have (or one given for a notebook)."""
    if kind != "model":
        raise DerivaMLValidationError(
            "config_name chooses a model's top-level config; a notebook names its own.")
    known = sorted(c["name"] for c in listing.get("configs", []))
    if name not in known:
        raise DerivaMLNotFound(
            f"The project has no top-level config named {name!r}. Known: "
            f"{', '.join(known) or '(none)'}.")


def server_account() -> str:
    """The name of the account running this server."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (some containers)
        return f"uid {os.getuid()}"


def project_folder(root: Path, path: Path) -> Path | None:
    """The project holding ``path`` inside ``root`` (``configs.find_project``), or None."""
    try:
        return find_project(root, path)
    except DerivaMLNotFound:
        return None


def under_root(path: Path | None, root: Path) -> Path | None:
    """``path``, resolved, when it is a file under ``root``."""
    found = path and Path(path).resolve()
    return found if found and found.is_file() and found.is_relative_to(root) else None


def local_file(url: str | None, root: Path) -> Path | None:
    """The file a ``file://`` workflow URL names (``file:///<repository>@<commit>/<path>``
    for a file of a local git repository: that file of its working tree), when it exists
    under ``root``."""
    if not (url or "").startswith("file://"):
        return None
    path = unquote(urlparse(url).path)
    in_repository = AT_COMMIT.fullmatch(path)
    if in_repository:
        path = f"{in_repository['repository']}/{in_repository['path']}"
    return under_root(Path(path), root)


class RunHandler(RunsHandlerBase):
    path = "runs/{run_id}"

    @api_method("read")
    async def get(self, run_id: str) -> None:
        self.answer(await self.call(self.runs.state, self.owner, run_id, catalog=False))


class RunCancelHandler(RunsHandlerBase):
    path = "runs/{run_id}/cancel"

    @api_method("execute")
    async def post(self, run_id: str) -> None:
        self.answer(await self.call(self.runs.cancel, self.owner, run_id, catalog=False))


HANDLERS: list[type[DerivaMLHandler]] = [
    OpenAPIHandler, LocalCatalogsHandler, InfoHandler, DatasetsHandler, DatasetHandler,
    DatasetMembersHandler, ExecutionsHandler, ExecutionHandler, ExecutionProvenanceHandler,
    ExecutionAbandonHandler, ExecutionOverridesHandler, SweepHandler, CompareHandler,
    AssetContentHandler, WorkflowsHandler, ConfigsHandler, NotebookUploadHandler, PushHandler,
    RunsHandler,
    RunHandler, RunCancelHandler,
]
ROUTES: list[tuple[str, type[DerivaMLHandler]]] = [
    (re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", handler.path), handler) for handler in HANDLERS]
