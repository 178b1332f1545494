"""Catalog provenance, cloning and asset localization, as ``deriva_ml.catalog`` offers them."""

from .._lazy import lazy_exports

__all__ = ["CATALOG_PROVENANCE_URL", "CatalogCreationMethod", "CatalogProvenance", "CloneDetails",
           "get_catalog_provenance", "set_catalog_provenance", "CloneViaBagResult",
           "clone_via_bag", "OrphanStrategy", "create_ml_workspace", "LocalizeResult",
           "localize_assets"]
__getattr__, __dir__ = lazy_exports(__all__)
