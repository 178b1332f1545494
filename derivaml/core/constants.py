"""Schema names, RID patterns and column sets, as ``deriva_ml.core.constants`` offers them."""

from .._lazy import lazy_exports

__all__ = ["ML_SCHEMA", "DRY_RUN_RID", "SYSTEM_SCHEMAS", "RID", "DerivaSystemColumns",
           "DerivaAssetColumns", "rid_part", "snapshot_part", "rid_regex"]
__getattr__, __dir__ = lazy_exports(__all__)
