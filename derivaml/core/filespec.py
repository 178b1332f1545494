"""``FileSpec``, as ``deriva_ml.core.filespec`` offers it."""

from .._lazy import lazy_exports

__all__ = ["FileSpec"]
__getattr__, __dir__ = lazy_exports(__all__)
