"""Execution methods of ``DerivaML``: workflows, executions and provenance queries.

``create_execution`` and ``restore_execution`` construct an ``Execution``, which records
itself and downloads its inputs (see ``opening.py``).
"""

from __future__ import annotations

import base64
from typing import Any

from ..catalog.contract import AtLeast, Contains
from ..core.definitions import ML_SCHEMA, MLVocab, Status
from ..core.errors import (
    DerivaMLCycleError,
    DerivaMLNotFound,
    DerivaMLTableTypeError,
    DerivaMLValidationError,
)
from ..core.listing import Listing, sort_order
from ..core.rid import normalize_rid
from ..dataset.spec import DatasetSpec, DatasetVersion
from .configuration import ExecutionConfiguration
from .execution import Execution
from .records import (
    EXECUTION_COLUMNS,
    ExecutionRecord,
    execution_rows,
    input_links,
    nested_rids,
)
from .workflow import WORKFLOW_COLUMNS, Workflow, workflow_rows

DATASET_ROLES = ("input", "output", "any")


class ExecutionAPI:
    """Mixed into ``DerivaML``; relies on its ``catalog``, term lookup and dataset methods."""

    # -- workflows ---------------------------------------------------------------------------
    def create_workflow(self, name: str, workflow_type: str | list[str],
                        description: str = "") -> Workflow:
        """A workflow of ``Workflow_Type`` term(s) ``workflow_type``. It is recorded (with its
        git URL and checksum) when an execution of it is created."""
        if not isinstance(name, str) or not name.strip():
            raise DerivaMLValidationError(
                f"A workflow needs a name (a non-empty string), not {name!r}: "
                "ml.create_workflow('Training run', 'Training').")
        types = [workflow_type] if isinstance(workflow_type, str) else list(workflow_type)
        return Workflow(name=name, workflow_type=self._check_terms(MLVocab.workflow_type, types),
                        description=description)._bound_to(self)

    def _workflows(self, where: dict[str, Any] | None = None,
                   sort: list[str] | None = None) -> list[Workflow]:
        """The recorded workflows matching ``where``, with their types (two queries)."""
        rows = self.catalog.select(ML_SCHEMA, "Workflow", where=where, sort=sort)
        types = self.profile.workflow_types(self.catalog, rows)
        return [Workflow(name=r["Name"], workflow_type=types[r["RID"]],
                         description=r["Description"] or "", url=r["URL"],
                         version=r["Version"], checksum=r["Checksum"],
                         workflow_rid=r["RID"])._bound_to(self)
                for r in rows]

    def lookup_workflow(self, workflow_rid: str) -> Workflow:
        """The recorded workflow with this RID."""
        rid = normalize_rid(workflow_rid)
        found = self._workflows({"RID": rid})
        if not found:
            raise DerivaMLNotFound(
                f"Workflow {rid} does not exist; find_workflows() lists the workflows.")
        return found[0]

    def find_workflows(self, sort: bool | None = None) -> Listing[Workflow]:
        """Every recorded workflow as ``Workflow`` objects, in creation order (``sort=True``:
        newest first); shown as a table of RID, Name, Description, URL, Checksum, Version,
        Workflow_Type."""
        return Listing(self._workflows(sort=sort_order(sort)), workflow_rows, WORKFLOW_COLUMNS)

    def _add_workflow(self, workflow: Workflow) -> str:
        """The RID of ``workflow``'s row: the one it was recorded as, else the one with its
        checksum and URL (the same code at the same commit), else a new one. Matching the
        checksum alone would credit code committed after a dirty run to that run's commit."""
        if workflow.workflow_rid and self.catalog.count(
                ML_SCHEMA, "Workflow", where={"RID": workflow.workflow_rid}):
            return workflow.workflow_rid
        key = {c: v for c, v in (("Checksum", workflow.checksum), ("URL", workflow.url)) if v}
        type_column = self.profile.workflow_values(workflow.workflow_type)
        with self.catalog.transaction():
            found = self.catalog.select(ML_SCHEMA, "Workflow", where=key,
                                        sort=["RCT"], limit=1) if key else []
            if found:
                return found[0]["RID"]
            rid = self.catalog.insert(ML_SCHEMA, "Workflow", [{
                "Name": workflow.name, "Description": workflow.description, "URL": workflow.url,
                "Checksum": workflow.checksum, "Version": workflow.version,
                **type_column}])[0]["RID"]
            links = self.profile.workflow_type_links(rid, workflow.workflow_type)
            if links:
                self.catalog.insert(ML_SCHEMA, "Workflow_Workflow_Type", links)
        return rid

    # -- executions --------------------------------------------------------------------------
    def create_execution(self, configuration: ExecutionConfiguration | None = None, *,
                         workflow: Workflow | None = None, dry_run: bool = False) -> Execution:
        """Record a new execution of ``configuration`` (status Created) and download its
        inputs. ``dry_run``: RID ``"0000"``, inputs downloaded, nothing written to the catalog.

        Example::

            with ml.create_execution(ExecutionConfiguration(workflow=wf)) as exe:
                ...
            exe.upload_execution_outputs()
        """
        return Execution(configuration, self, workflow=workflow, dry_run=dry_run)

    def _execution_row(self, execution_rid: str) -> dict:
        rid = normalize_rid(execution_rid)
        rows = self.catalog.select(ML_SCHEMA, "Execution", where={"RID": rid})
        if not rows:
            found = self.catalog.resolve_rid(rid)  # raises for unknown RIDs
            raise DerivaMLTableTypeError("Execution", rid, message=(
                f"RID {rid} is a row of {found.table}, not an execution; find_executions() "
                "lists the executions."))
        return rows[0]

    def restore_execution(self, execution_rid: str) -> Execution:
        """An existing execution, to stage more outputs or finish an interrupted upload.

        The configuration comes from the catalog; staged files from the local manifest.
        """
        return Execution(None, self, reload=execution_rid)

    resume_execution = restore_execution

    def lookup_execution(self, execution_rid: str) -> ExecutionRecord:
        """What the catalog records about an execution: status, timing, workflow, inputs,
        outputs and nesting."""
        return ExecutionRecord.from_row(self, self._execution_row(execution_rid))

    def _nest_execution(self, parent: str, child: str, sequence: int | None) -> None:
        self.profile.require("Execution_Execution", "nest executions")
        parent_row, child_row = self._execution_row(parent), self._execution_row(child)
        parent, child = parent_row["RID"], child_row["RID"]
        if parent == child or parent in self._execution_descendants(child):
            raise DerivaMLCycleError(
                [parent, child, parent], f"Cannot nest execution {child} in {parent}: {parent} "
                f"is {child} or nested inside it, so this would make a cycle")
        self.catalog.insert(ML_SCHEMA, "Execution_Execution", [{
            "Execution": parent, "Nested_Execution": child, "Sequence": sequence}],
            on_conflict_skip=True)

    def _execution_descendants(self, rid: str) -> set[str]:
        seen: set[str] = set()
        frontier = [rid]
        while frontier:
            frontier = [c for r in frontier for c in nested_rids(self, r, children=True)
                        if c not in seen]
            seen.update(frontier)
        return seen

    def find_executions(self, workflow: Workflow | str | None = None,
                        workflow_type: str | None = None, status: Status | str | None = None,
                        sort: bool | None = None, dataset: Any = None,
                        dataset_role: str = "any") -> Listing[ExecutionRecord]:
        """Executions as ``ExecutionRecord`` objects, in creation order (``sort=True``: newest
        first); shown as a table of RID, Workflow (name), Description, Status, Status_Detail,
        Start_Time, Duration, Workflow_RID.

        Filters: ``workflow`` (a ``Workflow``, its RID or name), ``workflow_type`` (a
        ``Workflow_Type`` term), ``status``, and ``dataset`` (a RID, ``Dataset`` or
        ``DatasetSpec``, whose version, if given, pins it) with ``dataset_role``: ``"input"``
        (executions that read it), ``"output"`` (that made a version of it) or ``"any"``.
        """
        if dataset_role not in DATASET_ROLES:
            raise DerivaMLValidationError(
                f"dataset_role must be one of {', '.join(DATASET_ROLES)}, not {dataset_role!r}.")
        if dataset is None and dataset_role != "any":
            raise DerivaMLValidationError(
                f"dataset_role={dataset_role!r} needs a dataset to filter by; pass dataset=.")
        workflows = {w.workflow_rid: w for w in self._workflows()}
        where: dict[str, Any] = {}
        if workflow is not None or workflow_type is not None:
            where["Workflow"] = self._matching_workflows(workflows, workflow, workflow_type)
        if status is not None:
            where["Status"] = self.profile.status_words(status)
        if dataset is not None:
            where["RID"] = self._dataset_executions(dataset, dataset_role)
        rows = self.catalog.select(ML_SCHEMA, "Execution", where=where, sort=sort_order(sort))
        return Listing((ExecutionRecord.from_row(self, r, workflows) for r in rows),
                       execution_rows, EXECUTION_COLUMNS)

    def list_executions_page(self, workflow: str | None = None,
                             status: Status | str | None = None, limit: int = 50,
                             after: str | None = None, offset: int = 0,
                             text: str | None = None, since: str | None = None,
                             dataset: str | None = None,
                             ) -> tuple[list[dict[str, Any]], str | None, int]:
        """One page of the table of ``find_executions(workflow=, status=, sort=True)``, newest
        first: ``limit`` rows after the cursor ``after`` (and ``offset`` more skipped), the
        cursor of the next page (None at the end) and how many executions match. ``text``
        keeps those whose description holds it (any case), ``since`` those created at or
        after that time (ISO 8601), ``dataset`` those that read or made that dataset.

        Three catalog queries whatever the number of executions: the workflows' names, the
        count and the page itself (keyset paging on RCT, RID); ``dataset`` adds its links.
        """
        names = {w["RID"]: w["Name"] for w in self.catalog.select(
            ML_SCHEMA, "Workflow", columns=["RID", "Name"])}
        where: dict[str, Any] = {}
        if workflow is not None:
            where["Workflow"] = _one_or_all(
                [rid for rid, name in names.items() if workflow in (rid, name)])
        if status is not None:
            where["Status"] = _one_or_all(self.profile.status_words(status))
        if text:
            where["Description"] = Contains(text)
        if since:
            where["RCT"] = AtLeast(since)
        if dataset is not None:
            where["RID"] = self._dataset_executions(dataset, "any")
        total = self.catalog.count(ML_SCHEMA, "Execution", where=where)
        rows = self.catalog.select(ML_SCHEMA, "Execution", where=where, sort=["-RCT"],
                                   limit=offset + limit + 1, after=_page_start(after))
        page = [self.profile.execution_view(r) for r in rows[offset:offset + limit]]
        more = len(rows) > offset + limit
        return ([{"RID": r["RID"], "Workflow": names.get(r["Workflow"]),
                  "Description": r["Description"], "Status": r["Status"],
                  "Status_Detail": r["Status_Detail"], "Start_Time": r["Start_Time"],
                  "Duration": r["Execution_Duration"], "Workflow_RID": r["Workflow"]}
                 for r in page],
                _page_cursor(page[-1]) if more else None, total)

    def _matching_workflows(self, workflows: dict[str, Workflow], workflow: Any,
                            workflow_type: str | None) -> list[str]:
        """RIDs of the ``workflows`` that are ``workflow`` (object, RID or name) and have type
        ``workflow_type``."""
        found = list(workflows.values())
        if workflow is not None:
            key = getattr(workflow, "workflow_rid", None) or getattr(workflow, "name", workflow)
            found = [w for w in found if key in (w.workflow_rid, w.name)]
        if workflow_type is not None:
            (term,) = self._check_terms(MLVocab.workflow_type, [workflow_type])
            found = [w for w in found if term in w.workflow_type]
        return [w.workflow_rid for w in found]

    def _dataset_executions(self, dataset: Any, role: str) -> list[str]:
        """RIDs of the executions that read (``input``), made (``output``) or did either
        (``any``) with ``dataset``, at its version if ``dataset`` is a ``DatasetSpec`` with
        one."""
        version = getattr(dataset, "version", None) if isinstance(dataset, DatasetSpec) else None
        rid = self._dataset_row(getattr(dataset, "rid", dataset), deleted=True)["RID"]
        found: list[str] = []
        if role in ("input", "any"):
            links = input_links(self, {"Dataset": rid})
            if version is not None:
                pinned = self.dataset_version_record(rid, version)["RID"]
                links = [r for r in links if r.get("Dataset_Version") == pinned]
            found += [r["Execution"] for r in links]
        if role in ("output", "any"):
            found += [r["Execution"] for r in self.catalog.select(
                ML_SCHEMA, "Dataset_Version", where={"Dataset": rid})
                if r["Execution"] and (version is None or DatasetVersion.parse(r["Version"])
                                       == DatasetVersion.parse(version))]
        return list(dict.fromkeys(found))


def _page_cursor(row: dict[str, Any]) -> str:
    """The cursor of the page after ``row``: its RCT and RID, URL-safe."""
    return base64.urlsafe_b64encode(f"{row['RCT']}|{row['RID']}".encode()).decode()


def _page_start(cursor: str | None) -> dict[str, Any] | None:
    """The keyset ``after`` of a cursor made by ``_page_cursor``."""
    if cursor is None:
        return None
    try:
        rct, rid = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
    except (ValueError, UnicodeError):
        raise DerivaMLValidationError(
            f"{cursor[:80]!r} is not a cursor of the executions listing; pass the 'next' "
            "of the previous page, or nothing for the first page.") from None
    return {"RCT": rct, "RID": rid}


def _one_or_all(values: list[str]) -> str | list[str]:
    """A filter on one value as an equality (an index then gives its rows in order)."""
    return values[0] if len(values) == 1 else values
