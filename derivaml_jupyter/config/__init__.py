"""The hydra-zen configuration layer: connection and input configs, config discovery,
named multiruns, ``create_model_config``/``run_model`` and notebook configs."""

from .base import BaseConfig, DerivaBaseConfig, base_defaults
from .connection import DerivaMLConfig, IgnoredConfigWarning
from .discovery import ConfigDiscoveryError, load_configs
from .groups import DEFAULT_CONFIG_NAME, STANDARD_GROUPS
from .menu import format_config_menu
from .model import create_model_config, run_model
from .model_protocol import DerivaMLModel
from .multirun import (
    MultirunSpec,
    get_all_multirun_configs,
    get_multirun_config,
    list_multirun_configs,
    multirun_config,
)
from .notebook import (
    get_notebook_configuration,
    list_notebook_configs,
    notebook_config,
    render_notebook_config,
    resolve_notebook_config,
)
from .overrides import ConfigOverrideError, overrides_from_env, validate_overrides
from .specs import AssetSpecConfig, DatasetSpecConfig, DescribedList, with_description
from .sweep import finalize_sweep_parent, reset_multirun_state

__all__ = [
    "AssetSpecConfig",
    "BaseConfig",
    "ConfigDiscoveryError",
    "ConfigOverrideError",
    "DEFAULT_CONFIG_NAME",
    "DatasetSpecConfig",
    "DerivaBaseConfig",
    "DerivaMLConfig",
    "DerivaMLModel",
    "DescribedList",
    "IgnoredConfigWarning",
    "MultirunSpec",
    "STANDARD_GROUPS",
    "base_defaults",
    "create_model_config",
    "finalize_sweep_parent",
    "format_config_menu",
    "get_all_multirun_configs",
    "get_multirun_config",
    "get_notebook_configuration",
    "list_multirun_configs",
    "list_notebook_configs",
    "load_configs",
    "multirun_config",
    "notebook_config",
    "overrides_from_env",
    "render_notebook_config",
    "reset_multirun_state",
    "resolve_notebook_config",
    "run_model",
    "validate_overrides",
    "with_description",
]
