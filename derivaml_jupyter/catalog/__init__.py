"""The catalog contract and its backends (local SQLite + object store; DERIVA via deriva-py)."""

from .connect import connect_catalog
from .contract import Catalog, Column, ForeignKey, Model, ObjectInfo, Table

__all__ = ["Catalog", "Column", "ForeignKey", "Model", "ObjectInfo", "Table", "connect_catalog"]
