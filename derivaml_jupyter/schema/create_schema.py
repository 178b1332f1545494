"""deriva-ml's schema set-up functions: ``create_ml_schema``, ``initialize_ml_schema`` and
``create_or_retarget_ml_catalog``, on the embedded catalog and on a DERIVA server.

They accept what deriva-ml's take (a deriva-py ``ErmrestCatalog`` or ``Model``) as well as
this package's catalogs and a ``DerivaML`` instance.
"""

from __future__ import annotations

import itertools
import logging
import shutil
from typing import Any

from ..catalog.connect import connect_catalog, is_local, local_catalog_path
from ..catalog.contract import Catalog
from ..core.definitions import ML_SCHEMA
from ..core.errors import DerivaMLSchemaError, DerivaMLValidationError
from .create import create_ml_catalog
from .ml_schema import ml_tables, seed_terms

log = logging.getLogger("derivaml")


def as_catalog(catalog: Any) -> Catalog:
    """The catalog of ``catalog``: a ``Catalog`` itself, a ``DerivaML``'s, or the catalog of
    a deriva-py ``ErmrestCatalog`` or ``Model`` (opened with the host's saved credential)."""
    if isinstance(catalog, Catalog):
        return catalog
    if isinstance(getattr(catalog, "catalog", None), Catalog):  # a DerivaML
        return catalog.catalog
    server = getattr(catalog, "deriva_server", None)
    if server is not None:  # deriva-py's ErmrestCatalog
        return connect_catalog(server.server, str(catalog.catalog_id))
    if hasattr(catalog, "catalog") and hasattr(catalog, "schemas"):  # deriva-py's Model
        return as_catalog(catalog.catalog)
    raise DerivaMLValidationError(
        f"{catalog!r} is not a catalog: give a DerivaML, its .catalog, or deriva-py's "
        "ErmrestCatalog or Model.")


def _check_schema_name(schema_name: str) -> None:
    if schema_name != ML_SCHEMA:
        raise DerivaMLValidationError(
            f"The ML schema is named {ML_SCHEMA!r} here, not {schema_name!r}: DerivaML finds "
            f"its tables there. Leave schema_name at its default.")


def create_ml_schema(catalog: Any, schema_name: str = ML_SCHEMA,
                     project_name: str | None = None) -> None:
    """Create the ``deriva-ml`` schema in a catalog that lacks it and seed its vocabularies;
    term IDs are ``<project_name>:<RID>`` (default the schema name).

    deriva-ml drops an existing schema of that name, with all its data, first; this package
    never deletes catalog data, so a catalog that has the schema raises
    ``DerivaMLSchemaError``.

    Example::

        catalog = DerivaServer("https", host).create_ermrest_catalog()
        create_ml_schema(catalog, project_name="cifar")
    """
    _check_schema_name(schema_name)
    target = as_catalog(catalog)
    if ML_SCHEMA in target.model().schemas:
        raise DerivaMLSchemaError(
            f"Catalog {target.catalog_id} on {target.hostname} already has the {ML_SCHEMA} "
            "schema. deriva-ml's create_ml_schema would drop it with all its data; this "
            "package does not delete catalog data. Open the catalog with DerivaML, or make a "
            "new one with create_ml_catalog.")
    with target.transaction():
        target.create_model({ML_SCHEMA: "DerivaML: datasets, workflows and executions."},
                            ml_tables(project_name or schema_name))
        seed_terms(target)


def initialize_ml_schema(model: Any, schema_name: str = ML_SCHEMA) -> None:
    """Add the terms DerivaML seeds (asset types and roles, dataset and workflow types,
    execution statuses) that the ``deriva-ml`` schema's vocabularies lack. ``model`` is
    deriva-py's ``Model`` of the catalog, or the catalog (or ``DerivaML``) itself."""
    _check_schema_name(schema_name)
    target = as_catalog(model)
    if ML_SCHEMA not in target.model().schemas:
        raise DerivaMLSchemaError(
            f"Catalog {target.catalog_id} on {target.hostname} has no {ML_SCHEMA} schema to "
            "initialize: create it with create_ml_schema.")
    seed_terms(target)


def create_or_retarget_ml_catalog(hostname: str, project_name: str, *,
                                  alias: str | None = None) -> Catalog:
    """Create a new ML catalog and make ``alias`` name it, whether or not ``alias`` named
    another catalog before; that catalog is kept. Without ``alias``, the same as
    ``create_ml_catalog(hostname, project_name)``.

    On a DERIVA server the alias is ERMrest's, retargeted to the new catalog's id. Local
    catalogs are named by their alias: the one named ``alias`` is kept under the name
    ``<alias>.<n>`` (logged), and the new one takes the name ``alias``.

    Example::

        catalog = create_or_retarget_ml_catalog("local", "cifar", alias="cifar-dev")
        ml = DerivaML("local", "cifar-dev")
    """
    if alias is None:
        return create_ml_catalog(hostname, project_name)
    if is_local(hostname):
        _move_aside(alias)
        return create_ml_catalog(hostname, project_name, catalog_alias=alias)
    catalog = create_ml_catalog(hostname, project_name)
    _point_alias(hostname, alias, catalog.catalog_id, project_name)
    return catalog


def _move_aside(catalog_id: str) -> None:
    """Rename the local catalog ``catalog_id``, if there is one, to the first free
    ``<catalog_id>.<n>``."""
    path = local_catalog_path(catalog_id)
    if not path.exists():
        return
    kept = next(p for n in itertools.count(1)
                if not (p := local_catalog_path(f"{catalog_id}.{n}")).exists())
    shutil.move(path, kept)
    log.warning("The local catalog %r is now named %r; %r names a new catalog.",
                catalog_id, kept.name, catalog_id)


def _point_alias(hostname: str, alias: str, catalog_id: str, project_name: str) -> None:
    """Make the ERMrest alias ``alias`` on ``hostname`` name ``catalog_id``."""
    from deriva.core import DerivaServer

    from ..catalog.deriva.catalog import stored_credential
    from ..catalog.deriva.errors import translated

    credential = stored_credential(hostname)
    server = DerivaServer("https", hostname, credentials=credential)
    with translated(hostname, f"point the alias {alias} at catalog {catalog_id}",
                    authenticated=bool(credential)):
        if _alias_exists(server, alias):
            server.connect_ermrest_alias(alias).update(alias_target=catalog_id)
        else:
            server.create_ermrest_alias(
                id=alias, alias_target=catalog_id, name=project_name,
                description=f"Alias for {project_name} catalog (ID: {catalog_id})")


def _alias_exists(server: Any, alias: str) -> bool:
    from requests import HTTPError

    try:
        server.connect_ermrest_alias(alias).retrieve()
    except HTTPError as e:
        if e.response is not None and e.response.status_code == 404:
            return False
        raise
    return True
