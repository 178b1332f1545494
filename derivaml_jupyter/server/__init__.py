"""Jupyter server extension: the DerivaML REST API under ``/derivaml/api/``.

Enabled as ``derivaml_jupyter`` (whose ``_jupyter_server_extension_points`` names this
module). Kept import-light: tornado and jupyter-server load only when the server loads
the extension.
"""

from __future__ import annotations

from typing import Any


def _load_jupyter_server_extension(server_app: Any) -> None:
    """Register the handlers with a running ``ServerApp``."""
    from .extension import load_extension

    load_extension(server_app)
