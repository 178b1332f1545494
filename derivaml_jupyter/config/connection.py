"""``DerivaMLConfig``: the connection settings of the ``deriva_ml`` config group."""

from __future__ import annotations

import getpass
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.connection_mode import (
    ConnectionMode,
    IgnoredConfigWarning,
    as_schema_set,
    ignored_settings,
    warn_ignored,
)
from ..core.definitions import ML_SCHEMA
from ..execution.dirs import default_working_dir

__all__ = ["DerivaMLConfig", "IgnoredConfigWarning"]


@dataclass
class DerivaMLConfig:
    """Where and how to connect; ``DerivaML.instantiate(config)`` turns it into a ``DerivaML``.

    ``hostname="local"`` is the embedded catalog under ``$DERIVAML_HOME``. Use it in a
    hydra-zen store::

        DerivaMLConf = builds(DerivaMLConfig, populate_full_signature=True)
        store(DerivaMLConf(hostname="local", catalog_id="demo"),
              group="deriva_ml", name="default_deriva")

    ``catalog_id`` defaults to ``"default"`` (deriva-ml: 1): with the default ``hostname``,
    ``"local"``, that is the catalog ``DerivaML()``, the magics and ``derivaml init`` use,
    where 1 would name a local catalog nothing else opens; give it for a DERIVA server.

    Every field of deriva-ml's ``DerivaMLConfig`` is accepted. ``default_schema`` (or a
    single ``domain_schemas`` entry) sets ``domain_schema``, where new tables go;
    ``deriva_logging_level`` sets the level of deriva-py's ``deriva`` loggers. Fields that do
    not apply here (``s3_bucket``, ``use_minid=True``, ``mode="offline"``, another
    ``ml_schema``, several ``domain_schemas``) warn once per process with
    ``IgnoredConfigWarning``, saying why. ``hydra_runtime_output_dir`` is filled in inside a
    Hydra run, so the execution can record Hydra's config files.
    """

    hostname: str = "local"
    catalog_id: str = "default"
    domain_schema: str | None = None
    project_name: str | None = None
    working_dir: str | None = None
    cache_dir: str | None = None
    logging_level: Any = "WARNING"
    credential: Any = None
    clean_execution_dir: bool = True
    hydra_runtime_output_dir: str | None = None
    domain_schemas: Any = None
    default_schema: str | None = None
    ml_schema: str = ML_SCHEMA
    deriva_logging_level: Any = "WARNING"
    s3_bucket: str | None = None
    use_minid: bool | None = None
    mode: Any = "online"

    def __post_init__(self) -> None:
        self.catalog_id = str(self.catalog_id)
        self.hydra_runtime_output_dir = hydra_output_dir() or self.hydra_runtime_output_dir
        self.mode = getattr(self.mode, "value", self.mode)
        if self.mode not in {m.value for m in ConnectionMode}:
            raise ValueError(
                f"DerivaMLConfig.mode must be 'online' or 'offline', not {self.mode!r}.")
        if self.default_schema and self.domain_schema and \
                self.default_schema != self.domain_schema:
            raise ValueError(
                f"DerivaMLConfig: domain_schema {self.domain_schema!r} and default_schema "
                f"{self.default_schema!r} disagree; set only one of them.")
        schemas = as_schema_set(self.domain_schemas)
        only = next(iter(schemas)) if len(schemas) == 1 else None
        self.domain_schema = self.default_schema = \
            self.domain_schema or self.default_schema or only
        warn_ignored("DerivaMLConfig", ignored_settings(
            domain_schemas=self.domain_schemas, ml_schema=self.ml_schema,
            s3_bucket=self.s3_bucket, use_minid=self.use_minid, mode=self.mode), stacklevel=4)
        self.use_minid = False
        logging.getLogger("deriva").setLevel(self.deriva_logging_level)

    @staticmethod
    def compute_workdir(working_dir: str | Path | None, catalog_id: str | int | None = None,
                        hostname: str | None = None) -> Path:
        """The working directory of a connection, as deriva-ml lays it out: under a given
        ``working_dir`` (shared by several users) ``<working_dir>/<user>/deriva-ml``, else
        the per-user root ``$DERIVAML_HOME/work`` (deriva-ml: ``~/.deriva-ml``); then
        ``<hostname>/<catalog_id>`` for those given."""
        root = Path(working_dir).expanduser() / getpass.getuser() / "deriva-ml" \
            if working_dir else None
        return default_working_dir(hostname, catalog_id, root).absolute()


def hydra_output_dir() -> str | None:
    """The output directory of the current Hydra job, or None outside Hydra."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return None
    return HydraConfig.get().runtime.output_dir
