"""Notebook configs: ``BaseConfig``, ``notebook_config`` and their resolution for
``run_notebook``."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from hydra_zen import builds, store

from .base import BaseConfig
from .groups import NOTEBOOK_GROUPS, STANDARD_GROUPS, hydra_defaults
from .hydra_dirs import dir_overrides, new_run_dir
from .overrides import ConfigOverrideError, validate_overrides

log = logging.getLogger("derivaml")

T = TypeVar("T")
BASE_CONFIG_NAME = "deriva_notebook_base"
_NOTEBOOK_CONFIGS: dict[str, Any] = {}


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
    ``BaseConfig`` one (groups deriva_ml, datasets, assets), stored as
    ``deriva_notebook_base``."""
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
    config_name, config_class = notebook_config_for(name)
    return _launch(config_class, config_name, list(overrides or []), run_dir_name=name)


def get_notebook_configuration(
    config_class: type[T],
    config_name: str,
    overrides: list[str] | None = None,
    job_name: str = "notebook",
    version_base: str = "1.3",
) -> T:
    """The instantiated config ``config_class`` stored as ``config_name``, resolved with the
    overrides of ``deriva-ml-run-notebook`` first, then ``overrides``.

    Runs a Hydra job like ``run_notebook`` does and fills in ``config_choices``. Example::

        config = get_notebook_configuration(ROCAnalysisConfigBuilds, "roc_analysis",
                                            overrides=["assets=roc_lr_sweep"])
    """
    from .run_notebook import env_overrides

    overrides = env_overrides() + list(overrides or [])
    config, _, _ = _launch(config_class, config_name, overrides, run_dir_name=config_name,
                           job_name=job_name, version_base=version_base)
    return config


def _launch(config_class: Any, config_name: str, overrides: list[str], run_dir_name: str,
            job_name: str = "notebook", version_base: str = "1.3",
            ) -> tuple[Any, Path | None, dict[str, str]]:
    """Validate ``overrides``, run the Hydra job and return ``(config, run dir, choices)``."""
    from hydra_zen import instantiate, launch

    from .hydra_job import current_hydra_job

    store.add_to_hydra_store(overwrite_ok=True)
    validate_overrides(overrides, config_name=config_name, program="deriva-ml-run-notebook")

    def task(cfg: Any) -> tuple[Any, Path | None, dict[str, str]]:
        config = instantiate(cfg)
        job = current_hydra_job()
        if hasattr(config, "config_choices"):
            config.config_choices = job.choices
        return config, job.output_dir, job.choices

    run_dir = new_run_dir(f"notebooks/{run_dir_name}")
    result = launch(
        config_class,
        task,
        overrides=[*overrides, *dir_overrides(run_dir)],
        config_name=config_name,
        job_name=job_name,
        version_base=version_base,
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
