"""Named multirun (sweep) configurations, selected on the command line with ``+multirun=name``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..core.errors import DerivaMLNotFound


@dataclass(frozen=True)
class MultirunSpec:
    """A named sweep: Hydra ``overrides`` and a (markdown) ``description`` for the parent
    execution."""

    name: str
    overrides: list[str] = field(default_factory=list)
    description: str = ""


_REGISTRY: dict[str, MultirunSpec] = {}


def multirun_config(name: str, overrides: Iterable[str], description: str = "") -> MultirunSpec:
    """Register a named sweep.

    Example::

        multirun_config("lr_sweep",
                        overrides=["+experiment=quick", "model_config.learning_rate=0.001,0.01"],
                        description="## Learning rate sweep")
    """
    spec = MultirunSpec(name=name, overrides=list(overrides), description=description)
    _REGISTRY[name] = spec
    return spec


def get_multirun_config(name: str) -> MultirunSpec:
    """The sweep registered under ``name``; unknown names raise with the list of known ones."""
    try:
        return _REGISTRY[name]
    except KeyError:
        known = ", ".join(list_multirun_configs()) or "(none registered)"
        raise DerivaMLNotFound(
            f"Unknown multirun config {name!r}. Known multirun configs: {known}. "
            "Register one with multirun_config(name, overrides=[...], description=...)."
        ) from None


def list_multirun_configs() -> list[str]:
    """Names of the registered sweeps, sorted."""
    return sorted(_REGISTRY)


def get_all_multirun_configs() -> dict[str, MultirunSpec]:
    """All registered sweeps by name."""
    return dict(sorted(_REGISTRY.items()))
