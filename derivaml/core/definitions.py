"""Enums, constants and error types, as ``deriva_ml.core.definitions`` offers them."""

from .._lazy import lazy_exports
from .exceptions import __all__ as _exceptions

__all__ = ["ML_SCHEMA", "DRY_RUN_RID", "SYSTEM_SCHEMAS", "rid_part", "snapshot_part",
           "rid_regex", "DerivaSystemColumns", "DerivaAssetColumns", "RID", "UploadState",
           "BuiltinTypes", "MLVocab", "MLTable", "MLAsset", "ExecMetadataType", "ExecAssetType",
           "Status", "ExecutionStatus", "VersionPart", "ColumnDefinition", "KeyDefinition",
           "ForeignKeyDefinition", "TableDefinition", "FileUploadState", "FileSpec",
           "VocabularyTerm", "VocabularyTermHandle", "UploadProgress", "UploadCallback",
           *_exceptions]
__getattr__, __dir__ = lazy_exports(__all__)
