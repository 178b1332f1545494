"""The embedded local catalog: one directory with a SQLite database and a file object store."""

from .catalog import LocalCatalog

__all__ = ["LocalCatalog"]
