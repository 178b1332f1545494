"""One ``DerivaML`` per (host, catalog), shared by the handlers of a server."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ..catalog.connect import require_existing

if TYPE_CHECKING:
    from ..ml import DerivaML


class Connections:
    """Opens each catalog once, on first use, and hands out the same ``DerivaML`` after."""

    def __init__(self) -> None:
        self._open: dict[tuple[str, str], DerivaML] = {}
        self._lock = threading.Lock()

    def get(self, host: str, catalog: str) -> DerivaML:
        """The ``DerivaML`` of ``host``/``catalog`` (blocking: call it off the event loop).

        A local catalog must exist already: reading the API never creates one."""
        from ..ml import DerivaML

        with self._lock:
            key = (host, catalog)
            if key not in self._open:
                require_existing(host, catalog)
                self._open[key] = DerivaML(host, catalog)
            return self._open[key]
