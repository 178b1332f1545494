"""``DerivaMLConfig``: the connection settings of the ``deriva_ml`` config group."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DerivaMLConfig:
    """Where and how to connect; ``DerivaML.instantiate(config)`` turns it into a ``DerivaML``.

    ``hostname="local"`` is the embedded catalog under ``$DERIVAML_HOME``. Use it in a
    hydra-zen store::

        DerivaMLConf = builds(DerivaMLConfig, populate_full_signature=True)
        store(DerivaMLConf(hostname="local", catalog_id="demo"),
              group="deriva_ml", name="default_deriva")

    ``hydra_runtime_output_dir`` is not a parameter: it is filled in when the config is
    instantiated inside a Hydra run, so the execution can record Hydra's config files.
    """

    hostname: str = "local"
    catalog_id: str = "default"
    domain_schema: str | None = None
    project_name: str | None = None
    working_dir: str | None = None
    cache_dir: str | None = None
    logging_level: str = "WARNING"
    credential: Any = None
    clean_execution_dir: bool = False
    hydra_runtime_output_dir: str | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.catalog_id = str(self.catalog_id)
        self.hydra_runtime_output_dir = hydra_output_dir()


def hydra_output_dir() -> str | None:
    """The output directory of the current Hydra job, or None outside Hydra."""
    from hydra.core.hydra_config import HydraConfig

    if not HydraConfig.initialized():
        return None
    return HydraConfig.get().runtime.output_dir
