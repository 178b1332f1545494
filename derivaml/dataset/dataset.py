"""``Dataset``, as ``deriva_ml.dataset.dataset`` offers it."""

from .._lazy import lazy_exports

__all__ = ["Dataset"]
__getattr__, __dir__ = lazy_exports(__all__)
