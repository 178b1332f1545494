"""Execution methods of ``DerivaML``: workflows, executions and provenance queries.

``create_execution`` validates everything first (workflow, dataset RIDs and versions, asset
RIDs) so bad input writes nothing; then it records the workflow (reused by checksum), the
execution, its input datasets and assets, and uploads the configuration and runtime
environment as ``Execution_Metadata``.
"""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path
from typing import Any

from ..catalog.contract import ResolvedRID
from ..core.definitions import DRY_RUN_RID, ML_SCHEMA, ExecAssetType, MLVocab, Status
from ..core.errors import (
    DerivaMLCycleError,
    DerivaMLNotFound,
    DerivaMLValidationError,
)
from ..core.listing import Listing, sort_order
from ..core.rid import normalize_rid
from ..dataset.spec import DatasetSpec, DatasetVersion
from .asset_path import AssetFilePath
from .configuration import AssetSpec, ExecutionConfiguration
from .execution import Execution, format_duration
from .provenance import resolve_workflow_source, runtime_environment
from .records import (
    EXECUTION_COLUMNS,
    ExecutionRecord,
    execution_rows,
    input_datasets,
    input_links,
    linked_assets,
    nested_rids,
)
from .upload import upload_entries
from .workflow import WORKFLOW_COLUMNS, Workflow, workflow_rows

ENV_SAVE_EXECUTION_RID = "DERIVA_ML_SAVE_EXECUTION_RID"
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
                        description=description)

    def _workflows(self, where: dict[str, Any] | None = None,
                   sort: list[str] | None = None) -> list[Workflow]:
        """The recorded workflows matching ``where``, with their types (two queries)."""
        rows = self.catalog.select(ML_SCHEMA, "Workflow", where=where, sort=sort)
        types = self.profile.workflow_types(self.catalog, rows)
        return [Workflow(name=r["Name"], workflow_type=types[r["RID"]],
                         description=r["Description"] or "", url=r["URL"],
                         version=r["Version"], checksum=r["Checksum"], workflow_rid=r["RID"])
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
        config = configuration or ExecutionConfiguration()
        if not isinstance(config, ExecutionConfiguration):
            raise DerivaMLValidationError(
                f"create_execution takes an ExecutionConfiguration, not a "
                f"{type(config).__name__}: ml.create_execution(ExecutionConfiguration("
                "workflow=..., datasets=[...])).")
        workflow = workflow or config.workflow
        if workflow is None:
            raise DerivaMLValidationError(
                "Workflow must be specified either in the configuration or as a parameter: "
                "make one with ml.create_workflow(name, workflow_type).")
        if not isinstance(workflow, Workflow):
            raise DerivaMLValidationError(
                f"workflow must be a Workflow (from ml.create_workflow), not {workflow!r}.")
        config.workflow = workflow
        workflow.workflow_type = self._check_terms(MLVocab.workflow_type, workflow.workflow_type)
        versions = [self.dataset_version_record(s.rid, s.version)["RID"] for s in config.datasets]
        assets = [self._input_asset(a) for a in config.assets]
        resolve_workflow_source(workflow)
        if not dry_run:
            self._ensure_seed_terms(MLVocab.asset_type, MLVocab.asset_role)
        started = time.monotonic()
        bags = [self.download_dataset_bag(spec) for spec in config.datasets]
        if dry_run:
            exe = Execution(self, config, DRY_RUN_RID, workflow.workflow_rid or DRY_RUN_RID,
                            dry_run=True)
        else:
            with self.catalog.transaction():
                workflow.workflow_rid = self._add_workflow(workflow)
                rid = self.catalog.insert(ML_SCHEMA, "Execution", [self.profile.execution_values(
                    Workflow=workflow.workflow_rid, Description=config.description,
                    Status=Status.created, Status_Detail="Execution created")])[0]["RID"]
                self.catalog.insert(ML_SCHEMA, "Dataset_Execution", [
                    self.profile.dataset_execution_row(s.rid, rid, v)
                    for s, v in zip(config.datasets, versions)], on_conflict_skip=True)
            exe = Execution(self, config, rid, workflow.workflow_rid)
        exe.datasets = bags
        try:
            for spec, asset in zip(config.assets, assets):
                self._download_input(exe, spec, asset)
            exe._write(Download_Duration=format_duration(time.monotonic() - started))
            if not dry_run:
                self._record_metadata(exe)
        except BaseException:
            if not dry_run:
                self.catalog.delete(ML_SCHEMA, "Execution", {"RID": exe.execution_rid})
            raise
        self._save_execution_rid(exe)
        return exe

    def _input_asset(self, spec: AssetSpec) -> ResolvedRID:
        found = self.catalog.resolve_rid(spec.rid)
        if found.schema not in (self.ml_schema, self.domain_schema) or \
                self.catalog.model().table(found.schema, found.table).kind != "asset":
            raise DerivaMLValidationError(
                f"Asset {spec.rid} is a row of {found.table}, which is not an asset table; "
                f"input assets must be rows of one of "
                f"{', '.join(sorted(t.name for t in self.list_assets()))}.")
        return found

    def _download_input(self, exe: Execution, spec: AssetSpec, asset: ResolvedRID) -> None:
        """Copy an input asset to ``downloaded-assets/<Table>/<RID>/<Filename>`` and record
        it as an Input of ``exe``."""
        row = asset.row
        filename = row.get("Filename") or row["URL"].rsplit("/", 1)[-1]
        dest = exe.working_dir / "downloaded-assets" / asset.table / row["RID"] / filename
        if spec.cache:
            cached = self.cache_dir / "assets" / f"{row['RID']}_{row['MD5']}" / filename
            if not cached.exists():
                self.catalog.get_object(row["URL"], cached)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.unlink(missing_ok=True)
            dest.symlink_to(cached)
        else:
            self.catalog.get_object(row["URL"], dest)
        types = [r["Asset_Type"] for r in self.catalog.select(
            asset.schema, f"{asset.table}_Asset_Type", where={asset.table: row["RID"]})]
        exe.asset_paths.setdefault(asset.table, []).append(
            AssetFilePath(dest, asset_table=asset.table, asset_types=types, asset_rid=row["RID"]))
        if not exe.dry_run:
            self.catalog.insert(asset.schema, f"{asset.table}_Execution", [{
                asset.table: row["RID"], "Execution": exe.execution_rid, "Asset_Role": "Input",
            }], on_conflict_skip=True)

    def _record_metadata(self, exe: Execution) -> None:
        """Upload ``configuration.json``, ``environment.json`` and Hydra's config files as
        ``Execution_Metadata`` of ``exe``."""
        workflow = exe.configuration.workflow
        source = Path(workflow.git_root or workflow.source_path or ".") if workflow else None
        files = {
            "configuration.json": (ExecAssetType.deriva_config,
                                   json.dumps(exe.configuration.to_dict(), indent=2)),
            "environment.json": (ExecAssetType.runtime_env,
                                 json.dumps(runtime_environment(source), indent=2)),
        }
        paths = []
        for name, (asset_type, text) in files.items():
            path = exe.asset_file_path("Execution_Metadata", name, asset_types=[asset_type])
            path.write_text(text, encoding="utf-8")
            paths.append(path)
        run_dir = self.hydra_runtime_output_dir
        if run_dir is not None:
            for folder in (run_dir / ".hydra", run_dir / "hydra-config"):
                for f in sorted(folder.glob("*.yaml")):
                    paths.append(exe.asset_file_path(
                        "Execution_Metadata", f, asset_types=[ExecAssetType.hydra_config],
                        copy_file=True, rename_file=f"hydra-{run_dir.name}-{f.name}"))
        keys = {p.relative_to(exe.working_dir).as_posix() for p in paths}
        upload_entries(self.catalog, exe.manifest, exe.execution_rid,
                       [e for e in exe.manifest.pending() if e.key in keys], progress=False)

    def _save_execution_rid(self, exe: Execution) -> None:
        target = os.environ.get(ENV_SAVE_EXECUTION_RID)
        if not target:
            return
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        run_dir = self.hydra_runtime_output_dir
        path.write_text(json.dumps({
            "hostname": self.hostname, "catalog_id": self.catalog_id,
            "execution_rid": exe.execution_rid, "workflow_rid": exe.workflow_rid,
            "working_dir": str(self.working_dir), "execution_dir": str(exe.working_dir),
            "hydra_run_dir": str(run_dir) if run_dir else None,
        }, indent=2), encoding="utf-8")

    def _execution_row(self, execution_rid: str) -> dict:
        rid = normalize_rid(execution_rid)
        rows = self.catalog.select(ML_SCHEMA, "Execution", where={"RID": rid})
        if not rows:
            found = self.catalog.resolve_rid(rid)  # raises for unknown RIDs
            raise DerivaMLValidationError(
                f"RID {rid} is a row of {found.table}, not an execution; find_executions() "
                "lists the executions.")
        return rows[0]

    def restore_execution(self, execution_rid: str) -> Execution:
        """An existing execution, to stage more outputs or finish an interrupted upload.

        The configuration comes from the catalog; staged files from the local manifest.
        """
        row = self._execution_row(execution_rid)
        rid = row["RID"]
        config = ExecutionConfiguration(
            workflow=self.lookup_workflow(row["Workflow"]) if row["Workflow"] else None,
            description=row["Description"] or "",
            datasets=[f"{d['rid']}@{d['version']}" if d["version"] else d["rid"]
                      for d in input_datasets(self, rid)],
            assets=[a["RID"] for rows in linked_assets(self, rid, "Input").values()
                    for a in rows])
        exe = Execution(self, config, rid, row["Workflow"])
        downloaded = exe.working_dir / "downloaded-assets"
        for asset in config.assets:
            for path in sorted(downloaded.glob(f"*/{asset.rid}/*")):
                table = path.parent.parent.name
                exe.asset_paths.setdefault(table, []).append(
                    AssetFilePath(path, asset_table=table, asset_rid=asset.rid))
        return exe

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
                             ) -> tuple[list[dict[str, Any]], str | None, int]:
        """One page of the table of ``find_executions(workflow=, status=, sort=True)``, newest
        first: ``limit`` rows after the cursor ``after`` (and ``offset`` more skipped), the
        cursor of the next page (None at the end) and how many executions match.

        Three catalog queries whatever the number of executions: the workflows' names, the
        count and the page itself (keyset paging on RCT, RID).
        """
        names = {w["RID"]: w["Name"] for w in self.catalog.select(
            ML_SCHEMA, "Workflow", columns=["RID", "Name"])}
        where: dict[str, Any] = {}
        if workflow is not None:
            where["Workflow"] = _one_or_all(
                [rid for rid, name in names.items() if workflow in (rid, name)])
        if status is not None:
            where["Status"] = _one_or_all(self.profile.status_words(status))
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
