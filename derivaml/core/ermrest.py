"""Table definitions, vocabulary terms and upload types, as ``deriva_ml.core.ermrest`` offers
them."""

from .._lazy import lazy_exports

__all__ = ["ColumnDefinition", "KeyDefinition", "ForeignKeyDefinition", "TableDefinition",
           "FileUploadState", "UploadProgress", "UploadCallback", "VocabularyTerm",
           "VocabularyTermHandle"]
__getattr__, __dir__ = lazy_exports(__all__)
