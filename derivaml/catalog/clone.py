"""Cloning rooted at a dataset, as ``deriva_ml.catalog.clone`` offers it."""

from .._lazy import lazy_exports

__all__ = ["OrphanStrategy", "create_ml_workspace"]
__getattr__, __dir__ = lazy_exports(__all__)
