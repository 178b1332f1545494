"""``DatasetBag``, as ``deriva_ml.dataset.dataset_bag`` offers it."""

from .._lazy import lazy_exports

__all__ = ["DatasetBag"]
__getattr__, __dir__ = lazy_exports(__all__)
