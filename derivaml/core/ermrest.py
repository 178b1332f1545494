"""Table definitions and ``UploadProgress``, as ``deriva_ml.core.ermrest`` offers them."""

from .._lazy import lazy_exports

__all__ = ["ColumnDefinition", "KeyDefinition", "ForeignKeyDefinition", "TableDefinition",
           "UploadProgress", "VocabularyTerm"]
__getattr__, __dir__ = lazy_exports(__all__)
