"""Copying cloned asset files into the catalog's store, as ``deriva_ml.catalog.localize``
offers it."""

from .._lazy import lazy_exports

__all__ = ["LocalizeResult", "localize_assets"]
__getattr__, __dir__ = lazy_exports(__all__)
