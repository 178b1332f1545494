"""Error types, as ``deriva_ml.core.exceptions`` offers them."""

from .._lazy import lazy_exports

__all__ = ["DerivaMLException", "DerivaMLConfigurationError", "DerivaMLSchemaError",
           "DerivaMLSchemaRefreshBlocked", "DerivaMLSchemaPinned", "DerivaMLAuthenticationError",
           "DerivaMLOfflineError", "DerivaMLDataError", "DerivaMLNotFoundError",
           "DerivaMLDatasetNotFound", "DerivaMLTableNotFound", "DerivaMLFeatureNotFound",
           "DerivaMLInvalidTerm", "DerivaMLRidsNotFound", "DerivaMLTableTypeError",
           "DerivaMLValidationError", "DerivaMLMaterializeLimitExceeded", "DerivaMLCycleError",
           "DerivaMLStateInconsistency", "NoAssociationException",
           "AmbiguousAssociationException", "DerivaMLExecutionError", "DerivaMLWorkflowError",
           "DerivaMLDirtyWorkflowError", "DerivaMLUploadError", "DerivaMLReadOnlyError",
           "DerivaMLDenormalizeError", "DerivaMLDenormalizeMultiLeaf",
           "DerivaMLDenormalizeNoSink", "DerivaMLDenormalizeDownstreamLeaf",
           "DerivaMLDenormalizeAmbiguousPath", "DerivaMLDenormalizeUnrelatedAnchor"]
__getattr__, __dir__ = lazy_exports(__all__)
