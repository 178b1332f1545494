"""Vocabulary, table, asset-type and upload-state enums, as ``deriva_ml.core.enums`` offers
them."""

from .._lazy import lazy_exports

__all__ = ["BuiltinTypes", "UploadState", "MLVocab", "MLAsset", "MLTable", "ExecMetadataType",
           "ExecAssetType"]
__getattr__, __dir__ = lazy_exports(__all__)
