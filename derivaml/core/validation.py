"""Shared pydantic settings, as ``deriva_ml.core.validation`` offers them."""

from .._lazy import lazy_exports

__all__ = ["VALIDATION_CONFIG", "DERIVA_ML_CONFIG", "STRICT_VALIDATION_CONFIG"]
__getattr__, __dir__ = lazy_exports(__all__)
