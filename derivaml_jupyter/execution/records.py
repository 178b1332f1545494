"""``ExecutionRecord``: what the catalog knows about one execution, and the provenance
queries behind it (inputs, outputs, nesting)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from ..core.definitions import ML_SCHEMA

if TYPE_CHECKING:
    from ..ml import DerivaML
    from .workflow import Workflow


def linked_assets(ml: DerivaML, execution_rid: str, role: str) -> dict[str, list[dict]]:
    """Asset rows linked to an execution with ``Asset_Role`` ``role``, by asset table name."""
    result: dict[str, list[dict]] = {}
    model = ml.catalog.model()
    for t in ml.list_assets():
        if not model.has_table(t.schema, f"{t.name}_Execution"):
            continue
        links = ml.catalog.select(t.schema, f"{t.name}_Execution",
                                  where={"Execution": execution_rid, "Asset_Role": role})
        if links:
            result[t.name] = ml.catalog.select(t.schema, t.name,
                                               where={"RID": [r[t.name] for r in links]})
    return result


def input_links(ml: DerivaML, where: dict[str, Any]) -> list[dict]:
    """The ``Dataset_Execution`` rows matching ``where`` that record inputs. deriva-ml 1.x also
    linked each dataset an execution created (its first version names that execution); those
    are outputs, so they are left out."""
    links = ml.catalog.select(ML_SCHEMA, "Dataset_Execution", where=where)
    creators: dict[str, str | None] = {}
    for r in ml.catalog.select(ML_SCHEMA, "Dataset_Version", sort=["RCT"],
                               where={"Dataset": list({r["Dataset"] for r in links})},
                               columns=["Dataset", "Execution", "RCT"]):
        creators.setdefault(r["Dataset"], r["Execution"])
    return [r for r in links if creators.get(r["Dataset"]) != r["Execution"]]


def input_datasets(ml: DerivaML, execution_rid: str) -> list[dict]:
    """``{"rid", "version", "version_rid"}`` of each dataset the execution read; the version
    is None where the catalog does not record it (deriva-ml 1.x)."""
    links = input_links(ml, {"Execution": execution_rid})
    version_rids = [r.get("Dataset_Version") for r in links]
    versions = {r["RID"]: r["Version"] for r in ml.catalog.select(
        ML_SCHEMA, "Dataset_Version", where={"RID": [v for v in version_rids if v]},
        columns=["RID", "Version"])}
    return [{"rid": r["Dataset"], "version": versions.get(v), "version_rid": v}
            for r, v in zip(links, version_rids)]


def output_datasets(ml: DerivaML, execution_rid: str) -> list[dict]:
    """``{"rid", "version"}`` of each dataset version the execution made."""
    rows = ml.catalog.select(ML_SCHEMA, "Dataset_Version", where={"Execution": execution_rid},
                             sort=["RCT"])
    return [{"rid": r["Dataset"], "version": r["Version"]} for r in rows]


def nested_rids(ml: DerivaML, execution_rid: str, children: bool) -> list[str]:
    """RIDs of the executions nested in this one (children, by Sequence, unnumbered last) or
    of those it is nested in (parents)."""
    if not ml.profile.has_table("Execution_Execution"):  # a catalog without nesting
        return []
    mine, theirs = ("Execution", "Nested_Execution") if children else \
        ("Nested_Execution", "Execution")
    rows = ml.catalog.select(ML_SCHEMA, "Execution_Execution", where={mine: execution_rid})
    rows.sort(key=lambda r: (r["Sequence"] is None, r["Sequence"] or 0, r["RCT"]))
    return [r[theirs] for r in rows]


@dataclass
class ExecutionRecord:
    """A read-only view of an execution in the catalog.

    Example::

        record = ml.lookup_execution("1-XYZ")
        record.status, record.inputs["datasets"], record.outputs["assets"]
    """

    execution_rid: str
    status: str | None
    status_detail: str | None
    description: str | None
    workflow: Workflow | None
    start_time: str | None
    stop_time: str | None
    duration: str | None
    download_duration: str | None = None
    upload_duration: str | None = None
    _ml: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def from_row(cls, ml: DerivaML, row: dict) -> ExecutionRecord:
        """The record of an ``Execution`` row, read through the catalog's profile (status as
        ours, timing columns it lacks None)."""
        row = ml.profile.execution_view(row)
        return cls(
            execution_rid=row["RID"], status=row["Status"], status_detail=row["Status_Detail"],
            description=row["Description"],
            workflow=ml.lookup_workflow(row["Workflow"]) if row["Workflow"] else None,
            start_time=row["Start_Time"], stop_time=row["Stop_Time"],
            duration=row["Execution_Duration"], download_duration=row["Download_Duration"],
            upload_duration=row["Upload_Duration"], _ml=ml)

    @cached_property
    def inputs(self) -> dict[str, Any]:
        """``{"datasets": [{"rid", "version", "version_rid"}], "assets": {table: [rows]}}``."""
        return {"datasets": input_datasets(self._ml, self.execution_rid),
                "assets": linked_assets(self._ml, self.execution_rid, "Input")}

    @cached_property
    def outputs(self) -> dict[str, Any]:
        """``{"assets": {table: [rows]}, "datasets": [{"rid", "version"}]}``."""
        return {"assets": linked_assets(self._ml, self.execution_rid, "Output"),
                "datasets": output_datasets(self._ml, self.execution_rid)}

    def list_nested_executions(self) -> list[ExecutionRecord]:
        """Executions nested in this one, ordered by their Sequence."""
        return [self._ml.lookup_execution(r)
                for r in nested_rids(self._ml, self.execution_rid, children=True)]

    def list_parent_executions(self) -> list[ExecutionRecord]:
        """Executions this one is nested in."""
        return [self._ml.lookup_execution(r)
                for r in nested_rids(self._ml, self.execution_rid, children=False)]
