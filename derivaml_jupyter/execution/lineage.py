"""The result of ``ml.lookup_lineage(rid)``: the tree of executions that produced an artifact,
as deriva-ml's ``deriva_ml.execution.lineage`` models it.

Each ``LineageNode`` is an execution with the datasets and assets it consumed; its
``parents`` are the executions that produced those inputs. The models are keyword-only
dataclasses with pydantic's ``model_dump()`` and ``model_copy(update=...)``, so code that
serializes deriva-ml's results works unchanged.

Example::

    result = ml.lookup_lineage(asset_rid)
    producer = result.lineage.execution
    print(producer.rid, producer.workflow.name if producer.workflow else None)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal


class _Model:
    """pydantic's ``model_dump`` / ``model_copy`` for the dataclasses below."""

    def model_dump(self) -> dict[str, Any]:
        """The model as plain dicts and lists (nested models included)."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    def model_copy(self, update: dict[str, Any] | None = None):
        """A copy with the fields of ``update`` replaced."""
        return dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]


@dataclass(kw_only=True)
class WorkflowSummary(_Model):
    """A workflow in brief: its RID and name (``ml.lookup_workflow(rid)`` has the rest)."""

    rid: str
    name: str | None = None


@dataclass(kw_only=True)
class ExecutionSummary(_Model):
    """An execution in brief: RID, description, workflow and status as stored
    (``ml.lookup_execution(rid)`` has the rest)."""

    rid: str
    description: str | None = None
    workflow: WorkflowSummary | None = None
    status: str


@dataclass(kw_only=True)
class DatasetSummary(_Model):
    """A consumed dataset: its RID, description and the version consumed (the current one
    where the catalog does not record which)."""

    rid: str
    description: str | None = None
    version: str | None = None


@dataclass(kw_only=True)
class AssetSummary(_Model):
    """A consumed asset: its RID, file name and asset table."""

    rid: str
    filename: str | None = None
    asset_table: str


@dataclass(kw_only=True)
class LineageNode(_Model):
    """One execution of the tree, with what it consumed and, in ``parents``, the executions
    that produced those inputs (each once). ``already_shown``: this execution is expanded
    elsewhere in the tree (or closes a cycle), so its inputs are not repeated here."""

    execution: ExecutionSummary
    consumed_datasets: list[DatasetSummary] = field(default_factory=list)
    consumed_assets: list[AssetSummary] = field(default_factory=list)
    parents: list[LineageNode] = field(default_factory=list)
    already_shown: bool = False


@dataclass(kw_only=True)
class RootDescriptor(_Model):
    """The artifact the walk started from: a ``Dataset``, ``Asset``, ``Feature`` value or
    ``Execution``, and the execution that produced it (the execution itself for an
    ``Execution``; None when the catalog records no producer)."""

    rid: str
    type: Literal["Dataset", "Asset", "Feature", "Execution"]
    description: str | None = None
    producing_execution: ExecutionSummary | None = None


@dataclass(kw_only=True)
class LineageResult(_Model):
    """What ``lookup_lineage`` found. ``lineage`` is None when the root has no recorded
    producer. ``walked_complete`` is False when ``max_executions`` stopped the walk early;
    ``depth_capped`` says ``depth`` left some parents unexpanded; ``cycle_detected`` that an
    execution was reached again from its own inputs."""

    root: RootDescriptor
    lineage: LineageNode | None = None
    executions_visited: int = 0
    walked_complete: bool = True
    cycle_detected: bool = False
    depth_capped: bool = False
