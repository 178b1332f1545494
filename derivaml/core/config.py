"""``DerivaMLConfig``, as ``deriva_ml.core.config`` offers it."""

from .._lazy import lazy_exports

__all__ = ["DerivaMLConfig"]
__getattr__, __dir__ = lazy_exports(__all__)
