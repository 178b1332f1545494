"""``DerivaMLConfig``: the connection settings of the ``deriva_ml`` config group."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from typing import Any

from ..core.definitions import ML_SCHEMA

_MODES = ("online", "offline")
_WARNED: set[str] = set()


class IgnoredConfigWarning(UserWarning):
    """A ``DerivaMLConfig`` field of deriva-ml that has no effect here."""


@dataclass
class DerivaMLConfig:
    """Where and how to connect; ``DerivaML.instantiate(config)`` turns it into a ``DerivaML``.

    ``hostname="local"`` is the embedded catalog under ``$DERIVAML_HOME``. Use it in a
    hydra-zen store::

        DerivaMLConf = builds(DerivaMLConfig, populate_full_signature=True)
        store(DerivaMLConf(hostname="local", catalog_id="demo"),
              group="deriva_ml", name="default_deriva")

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
        if self.mode not in _MODES:
            raise ValueError(
                f"DerivaMLConfig.mode must be 'online' or 'offline', not {self.mode!r}.")
        if self.default_schema and self.domain_schema and \
                self.default_schema != self.domain_schema:
            raise ValueError(
                f"DerivaMLConfig: domain_schema {self.domain_schema!r} and default_schema "
                f"{self.default_schema!r} disagree; set only one of them.")
        schemas = _as_set(self.domain_schemas)
        only = next(iter(schemas)) if len(schemas) == 1 else None
        self.domain_schema = self.default_schema = \
            self.domain_schema or self.default_schema or only
        for field, why in self._ignored(len(schemas)):
            _ignore(field, why)
        self.use_minid = False
        logging.getLogger("deriva").setLevel(self.deriva_logging_level)

    def _ignored(self, n_domain_schemas: int) -> list[tuple[str, str]]:
        """``(field, why)`` of the deriva-ml settings given that have no effect here."""
        ignored = []
        if n_domain_schemas > 1:
            ignored.append(("domain_schemas", "the domain schemas are read from the catalog's "
                            "model here; default_schema picks the one new tables go to."))
        if self.ml_schema != ML_SCHEMA:
            ignored.append(("ml_schema", f"the ML tables are always in schema {ML_SCHEMA!r} "
                            "here."))
        if self.s3_bucket is not None:
            ignored.append(("s3_bucket", "dataset bags are not exported to S3 here; "
                            "download_dataset_bag builds them from the catalog."))
        if self.use_minid:
            ignored.append(("use_minid", "no MINID is minted for dataset bags here; a bag is "
                            "named by its dataset RID and version."))
        if self.mode == "offline":
            ignored.append(("mode", "there is no offline staging mode here, writes reach the "
                            "catalog as they happen; to work without a server use "
                            "hostname='local' (the embedded catalog)."))
        return ignored


def _as_set(value: Any) -> set[str]:
    if value is None:
        return set()
    return {value} if isinstance(value, str) else set(value)


def _ignore(field: str, why: str) -> None:
    """Warn, once per field per process, that ``field`` has no effect."""
    if field in _WARNED:
        return
    _WARNED.add(field)
    warnings.warn(f"DerivaMLConfig.{field} is ignored: {why}", IgnoredConfigWarning,
                  stacklevel=4)


def hydra_output_dir() -> str | None:
    """The output directory of the current Hydra job, or None outside Hydra."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return None
    return HydraConfig.get().runtime.output_dir
