"""Cloning through dataset bags, as ``deriva_ml.catalog.clone_via_bag`` offers it."""

from .._lazy import lazy_exports

__all__ = ["CloneViaBagResult", "clone_via_bag"]
__getattr__, __dir__ = lazy_exports(__all__)
