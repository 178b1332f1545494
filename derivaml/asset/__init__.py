"""Asset names, as ``deriva_ml.asset`` offers them."""

from .._lazy import lazy_exports

__all__ = ["Asset", "AssetFilePath", "AssetSpec", "AssetSpecConfig", "AssetRecord", "LocalFile",
           "LocalFileConfig", "asset_record_class"]
__getattr__, __dir__ = lazy_exports(__all__)
