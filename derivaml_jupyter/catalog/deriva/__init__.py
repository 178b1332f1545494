"""The DERIVA backend: the catalog contract on ERMrest + Hatrac through deriva-py."""

from .catalog import DerivaCatalog

__all__ = ["DerivaCatalog"]
