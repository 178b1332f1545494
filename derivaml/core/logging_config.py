"""Logging set-up, as ``deriva_ml.core.logging_config`` offers it."""

from .._lazy import lazy_exports

__all__ = ["get_logger", "configure_logging", "is_hydra_initialized"]
__getattr__, __dir__ = lazy_exports(__all__)
