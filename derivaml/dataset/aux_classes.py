"""``DatasetSpec`` and friends, as ``deriva_ml.dataset.aux_classes`` offers them."""

from .._lazy import lazy_exports

__all__ = ["DatasetSpec", "DatasetVersion", "VersionPart", "DatasetSpecConfig", "DatasetHistory",
           "DatasetMinid", "DatasetReference", "FeatureReference"]
__getattr__, __dir__ = lazy_exports(__all__)
