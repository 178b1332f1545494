"""The standard config groups and the default entry each must provide."""

from __future__ import annotations

DEFAULT_CONFIG_NAME = "deriva_model"

# group -> name of the entry used when the command line does not choose one
STANDARD_GROUPS: dict[str, str] = {
    "deriva_ml": "default_deriva",
    "datasets": "default_dataset",
    "assets": "default_asset",
    "workflow": "default_workflow",
    "model_config": "default_model",
}

NOTEBOOK_GROUPS = ("deriva_ml", "datasets", "assets")


def hydra_defaults(groups: dict[str, str]) -> list:
    """A Hydra defaults list: ``_self_`` first, then one ``{group: option}`` per group."""
    return ["_self_", *({group: option} for group, option in groups.items())]
