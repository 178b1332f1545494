"""Registers the REST handlers with a Jupyter server."""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join

from ..catalog.connect import derivaml_home
from ..runners.background import BackgroundRuns
from .connections import Connections
from .handlers import ROUTES
from .settings import DerivaMLServer

API_PREFIX = ("derivaml", "api")


def load_extension(server_app: Any) -> None:
    """Add the ``/derivaml/api/`` routes, the shared catalog connections (configured by
    ``c.DerivaMLServer``) and the tracker of headless runs."""
    web_app = server_app.web_app
    base_url = web_app.settings["base_url"]
    web_app.settings["derivaml_connections"] = Connections(DerivaMLServer(parent=server_app))
    web_app.settings["derivaml_runs"] = BackgroundRuns(derivaml_home() / "runs")
    web_app.add_handlers(".*$", [(url_path_join(base_url, *API_PREFIX, pattern), handler)
                                 for pattern, handler in ROUTES])
    server_app.log.info("derivaml_jupyter: REST API at %s",
                        url_path_join(base_url, *API_PREFIX))
