"""Feature names, as ``deriva_ml.feature`` offers them."""

from ._lazy import lazy_exports

__all__ = ["Feature", "FeatureRecord", "reduce_with_selector"]
__getattr__, __dir__ = lazy_exports(__all__)
