"""``LocalFileConfig``: the hydra-zen config of a ``LocalFile`` input (deriva-ml's), for
``assets`` groups: ``LocalFileConfig(path="/data/labels.csv")``."""

from __future__ import annotations

from hydra_zen import builds

from ..execution.configuration import LocalFile

LocalFileConfig = builds(LocalFile, populate_full_signature=True,
                         zen_dataclass={"cls_name": "LocalFileConfig"})
LocalFileConfig.__doc__ = (
    "Config of one input file on this machine: ``LocalFileConfig(path='/data/labels.csv')``.")
