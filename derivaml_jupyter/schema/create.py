"""``create_ml_catalog``: a new catalog with the ML schema (deriva-ml's
``schema.create_ml_catalog``)."""

from __future__ import annotations

from ..catalog.connect import connect_catalog, is_local, local_catalog_path
from ..catalog.contract import Catalog
from ..core.errors import DerivaMLConflict
from .ml_schema import open_ml_schema


def create_ml_catalog(hostname: str, project_name: str,
                      catalog_alias: str | None = None) -> Catalog:
    """Create a catalog with the ``deriva-ml`` schema and the domain schema
    ``project_name``, and return it; ``DerivaML(hostname, catalog.catalog_id)`` opens it.

    ``hostname`` ``local`` makes an embedded catalog named ``catalog_alias`` (default
    ``project_name``); one of that name must not exist. Any other hostname makes a new
    ERMrest catalog there (aliased as ``catalog_alias`` if given).

    deriva-ml returns deriva-py's ``ErmrestCatalog`` and also applies its ACL policy; this
    returns the catalog contract's ``Catalog`` (with ``hostname``, ``catalog_id`` and
    ``model()``) and leaves a server catalog's ACLs as the server makes them.

    Example::

        catalog = create_ml_catalog("local", "cifar")
        ml = DerivaML("local", catalog.catalog_id)
    """
    if is_local(hostname):
        catalog_id = catalog_alias or project_name
        if local_catalog_path(catalog_id).exists():
            raise DerivaMLConflict(
                f"A local catalog {catalog_id!r} already exists; open it with "
                f"DerivaML('local', {catalog_id!r}) or pick another name.")
        catalog = connect_catalog("local", catalog_id)
    else:
        catalog = connect_catalog(hostname, _new_ermrest_catalog(hostname, catalog_alias))
    open_ml_schema(catalog, project_name)
    return catalog


def _new_ermrest_catalog(hostname: str, alias: str | None) -> str:
    """Create an empty ERMrest catalog on ``hostname``; its id (or ``alias``)."""
    from deriva.core import DerivaServer

    from ..catalog.deriva.catalog import stored_credential
    from ..catalog.deriva.retry import call, session_config, without_retries

    server = without_retries(DerivaServer("https", hostname, session_config=session_config(),
                                          credentials=stored_credential(hostname)))
    catalog_id = str(call(lambda: server.create_ermrest_catalog().catalog_id,
                          "create a catalog", hostname, idempotent=False))
    if alias:
        server.create_ermrest_alias(id=alias, alias_target=catalog_id)
        return alias
    return catalog_id
