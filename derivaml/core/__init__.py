"""Core names, as ``deriva_ml.core`` offers them."""

from .._lazy import lazy_exports

__all__ = ["DerivaML", "Status", "ExecutionStatus", "MLVocab", "ExecAssetType", "ML_SCHEMA",
           "DerivaMLException", "DerivaMLInvalidTerm", "DerivaMLConfig", "DerivaSystemColumns",
           "MLAsset", "ExecMetadataType", "BuiltinTypes", "ColumnDefinition", "TableDefinition",
           "ConnectionMode", "RID", "FileSpec", "FileUploadState", "UploadState",
           "DerivaMLTableTypeError", "VALIDATION_CONFIG", "DERIVA_ML_CONFIG",
           "STRICT_VALIDATION_CONFIG", "get_logger", "configure_logging", "is_hydra_initialized"]
__getattr__, __dir__ = lazy_exports(__all__)
