"""Error types, as ``deriva_ml.core.exceptions`` offers them."""

from .._lazy import lazy_exports

__all__ = ["DerivaMLCycleError", "DerivaMLDenormalizeAmbiguousPath",
           "DerivaMLDenormalizeDownstreamLeaf", "DerivaMLDenormalizeError",
           "DerivaMLDenormalizeMultiLeaf", "DerivaMLDenormalizeNoSink",
           "DerivaMLDenormalizeUnrelatedAnchor", "DerivaMLException", "DerivaMLInvalidTerm",
           "DerivaMLMaterializeLimitExceeded", "DerivaMLNotFoundError", "DerivaMLReadOnlyError",
           "DerivaMLUploadError", "DerivaMLValidationError"]
__getattr__, __dir__ = lazy_exports(__all__)
