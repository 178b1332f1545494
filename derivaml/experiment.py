"""``Experiment``, as ``deriva_ml.experiment`` offers it."""

from ._lazy import lazy_exports

__all__ = ["Experiment"]
__getattr__, __dir__ = lazy_exports(__all__)
