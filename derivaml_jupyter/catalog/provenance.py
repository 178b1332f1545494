"""Catalog provenance: how, when and by whom a catalog was made (deriva-ml's
``catalog.provenance``).

On a DERIVA server the record is the catalog annotation ``CATALOG_PROVENANCE_URL``, as
deriva-ml writes it, so either package reads the other's. A local catalog has no catalog
annotations; its record is ``provenance.json`` in the catalog's folder.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from ..core.errors import DerivaMLValidationError

CATALOG_PROVENANCE_URL = "tag:deriva-ml.org,2025:catalog-provenance"
_LOCAL_FILE = "provenance.json"


class CatalogCreationMethod(StrEnum):
    """How a catalog came to be."""

    CLONE = "clone"
    CREATE = "create"
    SCHEMA = "schema"
    UNKNOWN = "unknown"


@dataclass
class CloneDetails:
    """Where a cloned catalog came from. Only the source is required; the other fields
    describe the clone, as deriva-ml's cloning records them (cloning is not built here)."""

    source_hostname: str
    source_catalog_id: str
    source_snapshot: str | None = None
    source_schema_url: str | None = None
    orphan_strategy: str = "fail"
    truncate_oversized: bool = False
    prune_hidden_fkeys: bool = False
    schema_only: bool = False
    asset_mode: str = "refs"
    exclude_schemas: list[str] = field(default_factory=list)
    exclude_objects: list[str] = field(default_factory=list)
    add_ml_schema: bool = False
    copy_annotations: bool = True
    copy_policy: bool = True
    rows_copied: int = 0
    rows_skipped: int = 0
    skipped_rids: list[str] = field(default_factory=list)
    truncated_count: int = 0
    orphan_rows_removed: int = 0
    orphan_rows_nullified: int = 0
    fkeys_pruned: int = 0
    assets_localized: bool = False
    assets_localized_at: str | None = None
    asset_source_hostname: str | None = None
    assets_copied: int = 0
    assets_skipped: int = 0
    assets_failed: int = 0


@dataclass
class CatalogProvenance:
    """The provenance record of a catalog."""

    creation_method: CatalogCreationMethod
    created_at: str
    hostname: str
    catalog_id: str
    created_by: str | None = None
    name: str | None = None
    description: str | None = None
    workflow_url: str | None = None
    workflow_version: str | None = None
    clone_details: CloneDetails | None = None

    @property
    def is_clone(self) -> bool:
        return self.creation_method == CatalogCreationMethod.CLONE and \
            self.clone_details is not None

    def model_dump(self, mode: str = "json") -> dict[str, Any]:
        """The record as JSON-ready data (the annotation's content)."""
        data = dataclasses.asdict(self)
        data["creation_method"] = self.creation_method.value
        return data

    @classmethod
    def model_validate(cls, data: dict[str, Any]) -> CatalogProvenance:
        details = data.get("clone_details")
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{**{k: v for k, v in data.items() if k in names},
                      "creation_method": CatalogCreationMethod(data["creation_method"]),
                      "clone_details": CloneDetails(**details) if details else None})


def set_catalog_provenance(
    catalog: Any,
    name: str | None = None,
    description: str | None = None,
    workflow_url: str | None = None,
    workflow_version: str | None = None,
    creation_method: CatalogCreationMethod = CatalogCreationMethod.CREATE,
    clone_details: CloneDetails | None = None,
) -> CatalogProvenance:
    """Record how ``catalog`` (``ml.catalog``, a ``DerivaML``, or a deriva-py
    ``ErmrestCatalog``) was made, and return the record. Unlike deriva-ml, a failed write
    raises instead of logging a warning."""
    catalog = getattr(catalog, "catalog", catalog)
    provenance = CatalogProvenance(
        creation_method=CatalogCreationMethod(creation_method),
        created_at=datetime.now(UTC).isoformat(),
        hostname=str(getattr(catalog, "hostname", "") or _ermrest(catalog).deriva_server.server),
        catalog_id=str(catalog.catalog_id), created_by=_whoami(catalog), name=name,
        description=description, workflow_url=workflow_url, workflow_version=workflow_version,
        clone_details=clone_details if creation_method == CatalogCreationMethod.CLONE else None,
    )
    data = provenance.model_dump()
    if hasattr(catalog, "path"):
        (catalog.path / _LOCAL_FILE).write_text(json.dumps(data, indent=1))
    else:
        model = _ermrest(catalog).getCatalogModel()
        model.annotations[CATALOG_PROVENANCE_URL] = data
        model.apply()
    return provenance


def get_catalog_provenance(catalog: Any) -> CatalogProvenance | None:
    """The provenance record of ``catalog``, or None if it has none."""
    catalog = getattr(catalog, "catalog", catalog)
    if hasattr(catalog, "path"):
        file = catalog.path / _LOCAL_FILE
        data = json.loads(file.read_text()) if file.exists() else None
    else:
        data = _ermrest(catalog).getCatalogModel().annotations.get(CATALOG_PROVENANCE_URL)
    return CatalogProvenance.model_validate(data) if data else None


def _ermrest(catalog: Any) -> Any:
    """The deriva-py ``ErmrestCatalog`` behind ``catalog``."""
    ermrest = getattr(catalog, "_ermrest", catalog)
    if not hasattr(ermrest, "getCatalogModel"):
        raise DerivaMLValidationError(
            f"{catalog!r} is not a catalog: pass ml.catalog, a DerivaML or an ErmrestCatalog.")
    return ermrest


def _whoami(catalog: Any) -> str | None:
    if hasattr(catalog, "whoami"):
        return catalog.whoami()
    session = _ermrest(catalog).deriva_server.get("/authn/session").json()
    client = session.get("client", {})
    return client.get("display_name") or client.get("id")
