"""``Denormalizer``, as ``deriva_ml.local_db.denormalizer`` offers it."""

from .._lazy import lazy_exports

__all__ = ["Denormalizer"]
__getattr__, __dir__ = lazy_exports(__all__)
