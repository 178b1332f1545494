"""``BaseConfig``, the fields every notebook or script config has, and deriva-ml's ready-made
``DerivaBaseConfig`` with the standard ``base_defaults``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hydra_zen import builds

from .groups import STANDARD_GROUPS, hydra_defaults

#: The defaults list of a DerivaML app: ``_self_`` then the five standard groups
#: (deriva_ml, datasets, assets, workflow, model_config) with their default entries.
base_defaults: list[str | dict[str, str]] = hydra_defaults(STANDARD_GROUPS)


@dataclass
class BaseConfig:
    """Fields every notebook config has; subclass it to add the notebook's own parameters.

    ``config_choices`` is filled in with the group choices Hydra made; ``script_config``
    is a callable run instead of ``model_config`` when set (see ``run_model``).

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
    script_config: Any = None


#: ``builds(BaseConfig)`` with ``base_defaults``: a name to import and build on. As is it does
#: not compose (``BaseConfig`` has no ``workflow`` or ``model_config`` field), so unlike
#: deriva-ml it is not stored as ``deriva_base`` (where it would fill config listings, and
#: make a project's own ``store(DerivaBaseConfig, name="deriva_base")`` a duplicate).
DerivaBaseConfig = builds(BaseConfig, populate_full_signature=True,
                          hydra_defaults=base_defaults)
