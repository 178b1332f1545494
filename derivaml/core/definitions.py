"""Enums, constants and error types, as ``deriva_ml.core.definitions`` offers them."""

from .._lazy import lazy_exports

__all__ = ["Status", "ExecutionStatus", "MLVocab", "ExecAssetType", "VersionPart", "ML_SCHEMA",
           "DRY_RUN_RID", "DerivaSystemColumns", "DerivaMLCycleError", "DerivaMLException",
           "DerivaMLInvalidTerm", "DerivaMLNotFoundError", "DerivaMLReadOnlyError",
           "DerivaMLUploadError", "DerivaMLDenormalizeError", "DerivaMLDenormalizeAmbiguousPath",
           "DerivaMLDenormalizeDownstreamLeaf", "DerivaMLDenormalizeMultiLeaf",
           "DerivaMLDenormalizeNoSink", "DerivaMLDenormalizeUnrelatedAnchor",
           "DerivaMLValidationError", "MLAsset", "ExecMetadataType", "BuiltinTypes",
           "ColumnDefinition", "KeyDefinition", "ForeignKeyDefinition", "TableDefinition",
           "UploadProgress", "DerivaMLMaterializeLimitExceeded", "VocabularyTerm"]
__getattr__, __dir__ = lazy_exports(__all__)
