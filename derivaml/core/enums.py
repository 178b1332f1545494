"""Vocabulary and asset-type enums, as ``deriva_ml.core.enums`` offers them."""

from .._lazy import lazy_exports

__all__ = ["ExecAssetType", "MLVocab", "MLAsset", "ExecMetadataType", "BuiltinTypes"]
__getattr__, __dir__ = lazy_exports(__all__)
