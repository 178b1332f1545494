"""Catalog and schema creation, as ``deriva_ml.schema`` offers it."""

from .._lazy import lazy_exports

__all__ = ["create_ml_catalog", "create_or_retarget_ml_catalog", "create_ml_schema",
           "initialize_ml_schema"]
__getattr__, __dir__ = lazy_exports(__all__)
