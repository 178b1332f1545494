"""Configs for execution inputs: datasets, assets, and lists that carry a description."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from hydra_zen import builds

from ..dataset.spec import DatasetSpec
from ..execution.configuration import AssetSpec


class DescribedList(list):
    """A list with a ``description``: what ``with_description(...)`` instantiates to."""

    def __init__(self, items: Iterable[Any] | None = None, description: str = ""):
        super().__init__(items or ())
        self.description = description

    def __repr__(self) -> str:
        return f"DescribedList({list(self)!r}, description={self.description!r})"


DatasetSpecConfig = builds(
    DatasetSpec,
    populate_full_signature=True,
    zen_dataclass={"cls_name": "DatasetSpecConfig"},
)
DatasetSpecConfig.__doc__ = (
    "Config of one input dataset: ``DatasetSpecConfig(rid='1-ABC', version='1.0.0')``; "
    "``version=None`` means the current version, ``materialize=False`` skips asset files."
)

AssetSpecConfig = builds(
    AssetSpec, populate_full_signature=True, zen_dataclass={"cls_name": "AssetSpecConfig"}
)
AssetSpecConfig.__doc__ = (
    "Config of one input asset: ``AssetSpecConfig(rid='6-EPNR', cache=True)``. "
    "Plain RID strings work too in ``assets`` lists."
)


def with_description(items: Iterable[Any], description: str) -> Any:
    """A config for ``items`` (datasets, assets...) that instantiates to a ``DescribedList``.

    Example::

        store(with_description([DatasetSpecConfig(rid="1-ABC")], "Training images."),
              group="datasets", name="training")
    """
    return builds(DescribedList, list(items), description=description, hydra_convert="all")
