"""Open a catalog by hostname and catalog id: ``local`` is the embedded backend."""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..core.errors import DerivaMLNotFound, DerivaMLValidationError
from .contract import Catalog

LOCAL_HOSTS = ("local", "localhost-embedded")
_CATALOG_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


def derivaml_home() -> Path:
    """Where local catalogs and working directories live: ``$DERIVAML_HOME`` or the user's
    data directory."""
    env = os.environ.get("DERIVAML_HOME")
    if env:
        return Path(env).expanduser().resolve()
    from platformdirs import user_data_dir

    return Path(user_data_dir("derivaml", appauthor=False))


def local_catalog_path(catalog_id: str) -> Path:
    catalog_id = str(catalog_id)
    if not _CATALOG_ID.match(catalog_id):
        raise DerivaMLValidationError(
            f"{catalog_id!r} is not a valid local catalog name: use letters, digits, '_', '-' "
            "or '.', starting with a letter or digit."
        )
    return derivaml_home() / "catalogs" / catalog_id


def is_local(hostname: str | None) -> bool:
    return hostname in (None, "", *LOCAL_HOSTS)


def require_existing(hostname: str | None, catalog_id: str) -> None:
    """Refuse to go on with a local catalog that does not exist yet (reading should never
    create one); remote catalogs are the server's business."""
    if is_local(hostname) and not local_catalog_path(catalog_id).exists():
        raise DerivaMLNotFound(
            f"There is no local catalog {catalog_id!r}. Create it with `derivaml init "
            f"--catalog {catalog_id}` (or `derivaml demo --catalog {catalog_id}` for the demo "
            "data).")


def connect_catalog(hostname: str | None = "local", catalog_id: str | int = "default",
                    credential: dict | None = None) -> Catalog:
    """Connect to a catalog. ``hostname`` ``local`` (or None) opens the embedded catalog named
    ``catalog_id`` under ``$DERIVAML_HOME``; any other hostname is a DERIVA server, reached
    with ``credential`` or the one saved by a DERIVA login for that host."""
    if is_local(hostname):
        from .local import LocalCatalog

        return LocalCatalog(local_catalog_path(str(catalog_id)), catalog_id=str(catalog_id))
    from .deriva import DerivaCatalog

    return DerivaCatalog(hostname, str(catalog_id), credential)
