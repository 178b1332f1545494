"""Core names, as ``deriva_ml.core`` offers them."""

from .._lazy import lazy_exports

__all__ = ["DerivaML", "Status", "ExecutionStatus", "MLVocab", "ExecAssetType", "ML_SCHEMA",
           "DerivaMLException", "DerivaMLInvalidTerm", "DerivaMLConfig", "DerivaSystemColumns",
           "MLAsset", "ExecMetadataType", "BuiltinTypes", "ColumnDefinition", "TableDefinition",
           "ConnectionMode"]
__getattr__, __dir__ = lazy_exports(__all__)
