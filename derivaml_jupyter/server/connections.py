"""One ``DerivaML`` per (host, catalog), shared by the handlers of a server.

Each catalog opens once, in a worker thread of its own pool, and requests for it wait on that
one opening: a slow or unreachable host holds up only its own catalog's requests, and those
for at most ``connect_timeout`` seconds before they are answered 503.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from tornado.web import HTTPError

from ..catalog.connect import is_local, require_existing
from ..core.errors import DerivaMLUnavailable

if TYPE_CHECKING:
    from ..ml import DerivaML
    from .settings import DerivaMLServer

OPENING_THREADS = 4


class Connections:
    """Opens each allowed catalog once, on first use, and hands out the same ``DerivaML``."""

    def __init__(self, settings: DerivaMLServer) -> None:
        self.settings = settings
        self._open: dict[tuple[str, str], asyncio.Future[DerivaML]] = {}
        self._pool = ThreadPoolExecutor(OPENING_THREADS, thread_name_prefix="derivaml-open")

    async def get(self, host: str, catalog: str) -> DerivaML:
        """The ``DerivaML`` of ``host``/``catalog``; call it on the event loop.

        A local catalog must exist already: reading the API never creates one. A host not in
        ``allowed_hosts`` is refused (403)."""
        self.check_allowed(host)
        key = (host, catalog)
        opening = self._open.get(key)
        if opening is None or (opening.done() and opening.exception() is not None):
            opening = self._open[key] = asyncio.get_running_loop().run_in_executor(
                self._pool, self._connect, host, catalog)
        if is_local(host):
            return await opening
        try:
            return await asyncio.wait_for(asyncio.shield(opening),
                                          self.settings.connect_timeout)
        except TimeoutError:
            raise DerivaMLUnavailable(
                f"Cannot open catalog {catalog} on {host}: the DERIVA server did not answer "
                f"within {self.settings.connect_timeout:g} s. Check the hostname and that the "
                "server is up, then try again.") from None

    def check_allowed(self, host: str) -> None:
        """Refuse (403) a host not in ``allowed_hosts``."""
        if not is_local(host) and host.lower() not in self.settings.hosts():
            raise HTTPError(403, log_message=(
                f"The host {host!r} is not in this Jupyter server's allowed hosts. A Jupyter "
                "admin can add it to c.DerivaMLServer.allowed_hosts in jupyter_server_config.py"
                " (by default the allowed hosts are those of ~/.deriva/credential.json, where "
                "a DERIVA login saves them).").replace("%", "%%"))

    def _connect(self, host: str, catalog: str) -> DerivaML:
        from ..ml import DerivaML

        if is_local(host):
            require_existing(host, catalog)
            return DerivaML(host, catalog)
        from ..catalog.deriva import DerivaCatalog

        timeout = (self.settings.connect_timeout, self.settings.read_timeout)
        return DerivaML(host, catalog, catalog=DerivaCatalog(host, catalog, timeout=timeout))
