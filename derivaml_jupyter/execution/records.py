"""``ExecutionRecord``: what the catalog knows about one execution, and the provenance
queries behind it (inputs, outputs, nesting)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.definitions import ML_SCHEMA, Status
from .status_log import append_status, read_status_history, recorded_status_history

if TYPE_CHECKING:
    from ..asset.record import Asset
    from ..dataset.dataset import Dataset
    from ..ml import DerivaML
    from .workflow import Workflow

EXECUTION_COLUMNS = ("RID", "Workflow", "Description", "Status", "Status_Detail", "Start_Time",
                     "Duration", "Workflow_RID")


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
    status: Status | str | None
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
    def from_row(cls, ml: DerivaML, row: dict,
                 workflows: Mapping[str, Workflow] | None = None) -> ExecutionRecord:
        """The record of an ``Execution`` row, read through the catalog's profile (status a
        ``Status`` where it is one of ours, timing columns the catalog lacks None); its
        workflow comes from ``workflows`` (by RID) if there, else is looked up."""
        row = ml.profile.execution_view(row)
        workflow = None
        if row["Workflow"]:
            workflow = (workflows or {}).get(row["Workflow"]) or \
                ml.lookup_workflow(row["Workflow"])
        return cls(
            execution_rid=row["RID"], status=_status(row["Status"]),
            status_detail=row["Status_Detail"], description=row["Description"],
            workflow=workflow, start_time=row["Start_Time"], stop_time=row["Stop_Time"],
            duration=row["Execution_Duration"], download_duration=row["Download_Duration"],
            upload_duration=row["Upload_Duration"], _ml=ml)

    def __setattr__(self, name: str, value: Any) -> None:
        """Setting ``status`` or ``description`` of a record read from the catalog writes it
        there, as deriva-ml's does (fields set while the record is built do not)."""
        if name in ("status", "description") and self.__dict__.get("_ml") is not None:
            if name == "status":
                value = self._ml.profile.parse_status(value)
            self._write(**{name.title(): value})
        super().__setattr__(name, value)

    def _write(self, **columns: Any) -> None:
        self._ml.catalog.update(ML_SCHEMA, "Execution", [{
            "RID": self.execution_rid, **self._ml.profile.execution_values(**columns)}])
        if "Status" in columns:
            append_status(self._working_dir, columns["Status"], columns.get("Status_Detail"))

    @property
    def _working_dir(self) -> Path:
        return self._ml.working_dir / "execution" / self.execution_rid

    @property
    def status_history(self) -> list[dict]:
        """``{"time", "status", "detail"}`` of each status the execution was given, oldest
        first (the catalog row keeps only the latest): an upload that failed and was resumed
        shows both. Read from this machine's log, else from the ``status_history.jsonl``
        file ``derivaml push`` recorded with the execution; empty when neither is there."""
        return read_status_history(self._working_dir) or \
            recorded_status_history(self._ml.catalog, self.execution_rid)

    def update_status(self, status: Status | str, status_detail: str = "") -> None:
        """Set the status and its detail (``Status_Detail``) in the catalog."""
        status = self._ml.profile.parse_status(status)
        self._write(Status=status, Status_Detail=status_detail)
        super().__setattr__("status", status)
        super().__setattr__("status_detail", status_detail)

    def add_nested_execution(self, child: Any, sequence: int | None = None) -> None:
        """Nest execution ``child`` (a record, an ``Execution`` or a RID) in this one."""
        self._ml._nest_execution(self.execution_rid, getattr(child, "execution_rid", child),
                                 sequence)

    @property
    def workflow_rid(self) -> str | None:
        return self.workflow.workflow_rid if self.workflow else None

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

    def _related(self, children: bool, recurse: bool) -> list[ExecutionRecord]:
        found: dict[str, None] = {}
        frontier = [self.execution_rid]
        while frontier:
            frontier = [r for rid in frontier for r in nested_rids(self._ml, rid, children)
                        if r not in found and r != self.execution_rid]
            found.update(dict.fromkeys(frontier))
            if not recurse:
                break
        return [self._ml.lookup_execution(r) for r in found]

    def list_execution_children(self, recurse: bool = False) -> list[ExecutionRecord]:
        """Executions nested in this one, ordered by their Sequence (``recurse``: all
        descendants)."""
        return self._related(children=True, recurse=recurse)

    def list_execution_parents(self, recurse: bool = False) -> list[ExecutionRecord]:
        """Executions this one is nested in (``recurse``: all ancestors)."""
        return self._related(children=False, recurse=recurse)

    list_nested_executions = list_execution_children
    list_parent_executions = list_execution_parents

    def is_nested(self) -> bool:
        """Whether this execution is nested in another."""
        return bool(nested_rids(self._ml, self.execution_rid, children=False))

    def is_parent(self) -> bool:
        """Whether other executions are nested in this one."""
        return bool(nested_rids(self._ml, self.execution_rid, children=True))

    def list_input_datasets(self) -> list[Dataset]:
        """The datasets this execution read."""
        return [self._ml.lookup_dataset(rid, deleted=True)
                for rid in dict.fromkeys(d["rid"] for d in self.inputs["datasets"])]

    def list_assets(self, asset_role: str | None = None) -> list[Asset]:
        """The assets linked to this execution (``asset_role``: only ``Input`` or
        ``Output`` ones)."""
        return self._ml.list_execution_assets(self.execution_rid, asset_role)


def _status(word: str | None) -> Status | str | None:
    """``word`` as a ``Status`` when it is one (a word we do not know stays as stored)."""
    try:
        return Status(word)
    except ValueError:
        return word


def execution_rows(records: Sequence[ExecutionRecord]) -> list[dict[str, Any]]:
    """The table of a listing of executions."""
    return [{"RID": r.execution_rid, "Workflow": r.workflow.name if r.workflow else None,
             "Description": r.description, "Status": r.status and str(r.status),
             "Status_Detail": r.status_detail, "Start_Time": r.start_time,
             "Duration": r.duration, "Workflow_RID": r.workflow_rid} for r in records]
