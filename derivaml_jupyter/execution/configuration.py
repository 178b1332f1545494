"""``ExecutionConfiguration``: what an execution will use (workflow, datasets, assets)."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import DerivaMLValidationError
from ..core.rid import normalize_rid
from ..dataset.spec import DatasetSpec
from .workflow import Workflow


@dataclass
class AssetSpec:
    """An input asset by RID; ``cache=True`` keeps a shared local copy across executions."""

    rid: str
    cache: bool = False

    def __post_init__(self) -> None:
        self.rid = normalize_rid(self.rid)


@dataclass(kw_only=True)
class LocalFile:
    """An input file on this machine, by path (an ``AssetSpec`` names one in the catalog):
    the execution records it in the ``File`` table, with its MD5, and as read by the run
    (see ``DerivaML.add_files``); a folder gives every file below it."""

    path: str
    cache: bool = False

    def __post_init__(self) -> None:
        self.path = str(self.path)


def _as_dataset_spec(item: Any) -> DatasetSpec:
    if isinstance(item, DatasetSpec):
        return item
    if isinstance(item, str):
        return DatasetSpec.from_shorthand(item)
    if isinstance(item, dict) or hasattr(item, "keys"):
        return DatasetSpec.from_mapping(item)
    if hasattr(item, "rid"):  # e.g. an instantiated hydra config object
        return DatasetSpec(rid=item.rid, version=getattr(item, "version", None),
                           materialize=getattr(item, "materialize", True))
    raise DerivaMLValidationError(
        f"{item!r} is not a dataset spec: use DatasetSpec(rid=..., version=...) or 'RID@1.0.0'."
    )


def _as_asset_spec(item: Any) -> AssetSpec | LocalFile:
    if isinstance(item, AssetSpec | LocalFile):
        return item
    if isinstance(item, str):
        return AssetSpec(item)
    if isinstance(item, dict) or hasattr(item, "keys"):
        values = dict(item)
        return LocalFile(**values) if "path" in values else AssetSpec(**values)
    if hasattr(item, "path"):
        return LocalFile(path=item.path, cache=getattr(item, "cache", False))
    if hasattr(item, "rid"):
        return AssetSpec(rid=item.rid, cache=getattr(item, "cache", False))
    raise DerivaMLValidationError(f"{item!r} is not an asset RID, AssetSpec or LocalFile.")


@dataclass
class ExecutionConfiguration:
    """Inputs and description of an execution.

    Example::

        ExecutionConfiguration(workflow=wf, description="Training run",
                               datasets=[DatasetSpec(rid="1-ABC")], assets=["2-GHI"])
    """

    workflow: Workflow | None = None
    description: str = ""
    datasets: list[DatasetSpec] = field(default_factory=list)
    assets: list[AssetSpec | LocalFile] = field(default_factory=list)
    argv: list[str] = field(default_factory=lambda: list(sys.argv))
    config_choices: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.datasets = [_as_dataset_spec(d) for d in (self.datasets or [])]
        self.assets = [_as_asset_spec(a) for a in (self.assets or [])]
        self.description = str(self.description or "")
        self.config_choices = {k: str(v) for k, v in (self.config_choices or {}).items()
                               if v is not None}

    @staticmethod
    def load_configuration(path: str | Path) -> ExecutionConfiguration:
        """The configuration a JSON file holds, as ``to_dict`` writes it (an execution's
        ``configuration.json`` metadata asset is one)."""
        try:
            values = json.loads(Path(path).read_text(encoding="utf-8"))
            workflow = values.get("workflow")
            return ExecutionConfiguration(
                workflow=Workflow(**workflow) if workflow else None,
                **{k: v for k, v in values.items() if k != "workflow"})
        except (json.JSONDecodeError, TypeError, AttributeError) as e:
            raise DerivaMLValidationError(
                f"{path} is not an execution configuration (JSON as "
                f"ExecutionConfiguration.to_dict() writes it): {e}") from e

    def to_dict(self) -> dict:
        return {
            "workflow": self.workflow.to_dict() if self.workflow else None,
            "description": self.description,
            "datasets": [d.to_dict() for d in self.datasets],
            "assets": [asdict(a) for a in self.assets],
            "argv": self.argv,
            "config_choices": self.config_choices,
        }
