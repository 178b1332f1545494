"""``AssetSpec`` and friends, as ``deriva_ml.asset.aux_classes`` offers them."""

from .._lazy import lazy_exports

__all__ = ["AssetFilePath", "AssetSpec", "AssetSpecConfig", "LocalFile", "LocalFileConfig"]
__getattr__, __dir__ = lazy_exports(__all__)
