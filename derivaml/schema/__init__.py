"""``create_ml_catalog``, as ``deriva_ml.schema`` offers it."""

from .._lazy import lazy_exports

__all__ = ["create_ml_catalog"]
__getattr__, __dir__ = lazy_exports(__all__)
