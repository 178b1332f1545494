"""Logging of DerivaML: the ``derivaml`` logger and the libraries it uses.

Only these named loggers are configured, never the root logger; under Hydra (which
configures handlers itself) no handler is added.
"""

from __future__ import annotations

import logging

LOGGER_NAME = "derivaml"
DEFAULT_FORMAT = "%(asctime)s - %(name)s - %(levelname)s - %(message)s"
DERIVA_LOGGERS = ("deriva", "bagit", "bdbag")
HYDRA_LOGGERS = ("hydra", "hydra.core", "hydra.utils", "omegaconf")


def is_hydra_initialized() -> bool:
    """Whether a Hydra context is active (Hydra then manages logging handlers)."""
    try:
        from hydra.core.global_hydra import GlobalHydra
    except ImportError:
        return False
    return GlobalHydra.instance().is_initialized()


def get_logger(name: str | None = None) -> logging.Logger:
    """The ``derivaml`` logger, or one below it: ``get_logger("dataset")`` and
    ``get_logger("derivaml.dataset")`` are ``derivaml.dataset``; a ``deriva_ml.`` prefix (code
    written for deriva-ml) is read as ``derivaml.``.

    Example::

        logger = get_logger(__name__)
    """
    if name is None or name in (LOGGER_NAME, "deriva_ml"):
        return logging.getLogger(LOGGER_NAME)
    for prefix in (f"{LOGGER_NAME}.", "deriva_ml."):
        if name.startswith(prefix):
            name = name[len(prefix):]
    return logging.getLogger(f"{LOGGER_NAME}.{name}")


def configure_logging(level: int = logging.WARNING, deriva_level: int | None = None,
                      format_string: str = DEFAULT_FORMAT,
                      handler: logging.Handler | None = None) -> logging.Logger:
    """Set the level of DerivaML's logger and Hydra's to ``level``, and of deriva-py, bdbag
    and bagit to ``deriva_level`` (default ``level``). Outside Hydra, give the ``derivaml``
    logger ``handler`` (default: a stream handler with ``format_string``) if it has none.
    Returns the ``derivaml`` logger.

    Example::

        configure_logging(level=logging.INFO, deriva_level=logging.WARNING)
    """
    logger = get_logger()
    logger.setLevel(level)
    for name in HYDRA_LOGGERS:
        logging.getLogger(name).setLevel(level)
    for name in DERIVA_LOGGERS:
        logging.getLogger(name).setLevel(level if deriva_level is None else deriva_level)
    if not is_hydra_initialized() and not logger.handlers:
        if handler is None:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter(format_string))
        logger.addHandler(handler)
    return logger
