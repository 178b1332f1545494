"""Notebook configs: ``BaseConfig``, ``notebook_config`` and their resolution for
``run_notebook``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra_zen import builds, store

from .groups import NOTEBOOK_GROUPS, STANDARD_GROUPS, hydra_defaults
from .hydra_dirs import dir_overrides, new_run_dir
from .overrides import ConfigOverrideError, validate_overrides

log = logging.getLogger("derivaml")

BASE_CONFIG_NAME = "deriva_base"
_NOTEBOOK_CONFIGS: dict[str, Any] = {}


@dataclass
class BaseConfig:
    """Fields every notebook config has; subclass it to add the notebook's own parameters.

    Example::

        @dataclass
        class MyAnalysisConfig(BaseConfig):
            threshold: float = 0.5
    """

    deriva_ml: Any = None
    datasets: Any = None
    assets: Any = None
    dry_run: bool = False
    description: str = ""
    config_choices: dict[str, str] = field(default_factory=dict)


def notebook_config(
    name: str,
    config_class: type | None = None,
    defaults: Mapping[str, str] | None = None,
    description: str | None = None,
    **field_defaults: Any,
) -> Any:
    """Register the config of notebook ``name`` (top-level in the store) and return it.

    Its groups default to deriva_ml=default_deriva, datasets=default_dataset and
    assets=default_asset; ``defaults`` replaces or adds group choices, ``field_defaults``
    sets field values and ``description`` the execution description.

    Example::

        notebook_config("my_analysis", config_class=MyAnalysisConfig,
                        defaults={"assets": "comparison_weights"}, threshold=0.8)
    """
    groups = {group: STANDARD_GROUPS[group] for group in NOTEBOOK_GROUPS}
    groups.update(defaults or {})
    if description is not None:
        field_defaults["description"] = description
    config = builds(
        config_class or BaseConfig,
        populate_full_signature=True,
        hydra_defaults=hydra_defaults(groups),
        hydra_convert="all",
        **field_defaults,
    )
    store(config, name=name)
    _NOTEBOOK_CONFIGS[name] = config
    return config


def list_notebook_configs() -> list[str]:
    """Names registered with ``notebook_config``, sorted."""
    return sorted(_NOTEBOOK_CONFIGS)


def notebook_config_for(name: str) -> tuple[str, Any]:
    """``(config name, config)`` registered for ``name``; unknown names get the plain
    ``BaseConfig`` one, stored as ``deriva_base``."""
    if name in _NOTEBOOK_CONFIGS:
        return name, _NOTEBOOK_CONFIGS[name]
    log.info("No notebook_config(%r) registered; using the default notebook config.", name)
    if BASE_CONFIG_NAME not in _NOTEBOOK_CONFIGS:
        notebook_config(BASE_CONFIG_NAME)
    return BASE_CONFIG_NAME, _NOTEBOOK_CONFIGS[BASE_CONFIG_NAME]


def resolve_notebook_config(
    name: str, overrides: list[str] | None = None
) -> tuple[Any, Path | None, dict[str, str]]:
    """Compose and instantiate the config of notebook ``name`` with Hydra ``overrides``.

    Configs must already be loaded (``load_configs``). Runs a real Hydra job (its folder,
    with ``.hydra/`` and ``notebook.log``, is under ``$DERIVAML_HOME/work/hydra/notebooks``)
    and returns ``(config, hydra run dir, config choices)``; ``config.config_choices`` is
    filled in too. Bad overrides raise ``ConfigOverrideError``.
    """
    from hydra_zen import instantiate, launch

    from .hydra_job import current_hydra_job

    overrides = list(overrides or [])
    config_name, config_class = notebook_config_for(name)
    store.add_to_hydra_store(overwrite_ok=True)
    validate_overrides(overrides, config_name=config_name, program="deriva-ml-run-notebook")

    def task(cfg: Any) -> tuple[Any, Path | None, dict[str, str]]:
        config = instantiate(cfg)
        job = current_hydra_job()
        config.config_choices = job.choices
        return config, job.output_dir, job.choices

    run_dir = new_run_dir(f"notebooks/{name}")
    result = launch(
        config_class,
        task,
        overrides=[*overrides, *dir_overrides(run_dir)],
        config_name=config_name,
        job_name="notebook",
        version_base="1.3",
    )
    return result.return_value


def render_notebook_config(name: str, overrides: list[str] | None = None,
                           cfg_mode: str = "job") -> str:
    """The composed (not instantiated) config of notebook ``name`` as YAML, like Hydra's
    ``--cfg job|hydra|all``; no catalog access."""
    from hydra import compose, initialize
    from omegaconf import OmegaConf

    if cfg_mode not in ("job", "hydra", "all"):
        raise ConfigOverrideError(f"--cfg takes job, hydra or all, not {cfg_mode!r}.")
    config_name, _ = notebook_config_for(name)
    store.add_to_hydra_store(overwrite_ok=True)
    overrides = list(overrides or [])
    validate_overrides(overrides, config_name=config_name, program="deriva-ml-run-notebook")
    with initialize(version_base="1.3", config_path=None):
        cfg = compose(config_name=config_name, overrides=overrides,
                      return_hydra_config=cfg_mode != "job")
    if cfg_mode == "hydra":
        cfg = OmegaConf.create({"hydra": cfg.hydra})
    return OmegaConf.to_yaml(cfg)
