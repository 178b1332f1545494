"""Catalog provenance, as ``deriva_ml.catalog`` offers it."""

from .._lazy import lazy_exports

__all__ = ["CATALOG_PROVENANCE_URL", "CatalogCreationMethod", "CatalogProvenance", "CloneDetails",
           "get_catalog_provenance", "set_catalog_provenance"]
__getattr__, __dir__ = lazy_exports(__all__)
