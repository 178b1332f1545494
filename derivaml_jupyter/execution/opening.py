"""How an ``Execution`` comes to be: a new one recorded in the catalog with its inputs
downloaded (``start``), or an existing one bound again by RID (``reload``).

``Execution(configuration, ml, workflow=None, reload=None, dry_run=False)`` calls these, as
deriva-ml's constructor does its work; ``ml.create_execution`` and ``ml.restore_execution``
construct an ``Execution``.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING

from ..catalog.contract import ResolvedRID
from ..core.definitions import DRY_RUN_RID, ML_SCHEMA, ExecAssetType, MLVocab, Status
from ..core.errors import DerivaMLTableTypeError, DerivaMLValidationError
from ..core.filespec import FileSpec
from .asset_path import AssetFilePath
from .configuration import AssetSpec, ExecutionConfiguration, LocalFile
from .provenance import resolve_workflow_source, runtime_environment
from .records import input_datasets, linked_assets
from .timing import format_duration
from .upload import upload_entries
from .workflow import Workflow

if TYPE_CHECKING:
    from ..ml import DerivaML
    from .execution import Execution

ENV_SAVE_EXECUTION_RID = "DERIVA_ML_SAVE_EXECUTION_RID"


def start(exe: Execution, ml: DerivaML, configuration: ExecutionConfiguration | None,
          workflow: Workflow | None, dry_run: bool) -> None:
    """Validate everything first (workflow, dataset RIDs and versions, asset RIDs), so bad
    input writes nothing; then record the workflow (reused by checksum), the execution and its
    input datasets, bind ``exe`` to it, download the inputs and upload the configuration and
    runtime environment as ``Execution_Metadata``. ``dry_run``: RID ``"0000"``, inputs
    downloaded, nothing written to the catalog."""
    config = configuration or ExecutionConfiguration()
    if not isinstance(config, ExecutionConfiguration):
        raise DerivaMLValidationError(
            f"An execution takes an ExecutionConfiguration, not a {type(config).__name__}: "
            "ml.create_execution(ExecutionConfiguration(workflow=..., datasets=[...])).")
    workflow = workflow or config.workflow
    if workflow is None:
        raise DerivaMLValidationError(
            "Workflow must be specified either in the configuration or as a parameter: "
            "make one with ml.create_workflow(name, workflow_type).")
    if not isinstance(workflow, Workflow):
        raise DerivaMLValidationError(
            f"workflow must be a Workflow (from ml.create_workflow), not {workflow!r}.")
    config.workflow = workflow
    workflow.workflow_type = ml._check_terms(MLVocab.workflow_type, workflow.workflow_type)
    versions = [ml.dataset_version_record(s.rid, s.version)["RID"] for s in config.datasets]
    specs = [a for a in config.assets if isinstance(a, AssetSpec)]
    assets = [_input_asset(ml, a) for a in specs]
    local_files = [_local_file(a) for a in config.assets if isinstance(a, LocalFile)]
    resolve_workflow_source(workflow)
    if not dry_run:
        ml._ensure_seed_terms(MLVocab.asset_type, MLVocab.asset_role)
    started = time.monotonic()
    bags = [ml.download_dataset_bag(spec) for spec in config.datasets]
    if dry_run:
        exe._bind(ml, config, DRY_RUN_RID, workflow.workflow_rid or DRY_RUN_RID, dry_run=True)
    else:
        with ml.catalog.transaction():
            workflow._bound_to(ml).workflow_rid = ml._add_workflow(workflow)
            rid = ml.catalog.insert(ML_SCHEMA, "Execution", [ml.profile.execution_values(
                Workflow=workflow.workflow_rid, Description=config.description,
                Status=Status.created, Status_Detail="Execution created")])[0]["RID"]
            ml.catalog.insert(ML_SCHEMA, "Dataset_Execution", [
                ml.profile.dataset_execution_row(s.rid, rid, v)
                for s, v in zip(config.datasets, versions)], on_conflict_skip=True)
        exe._bind(ml, config, rid, workflow.workflow_rid)
    exe.datasets = bags
    try:
        for spec, asset in zip(specs, assets):
            _download_input(ml, exe, spec, asset)
        if local_files and not dry_run:
            ml.add_files([f for path in local_files for f in FileSpec.create_filespecs(
                path, "Execution input file")], exe.execution_rid)
        exe._write(Download_Duration=format_duration(time.monotonic() - started))
        if not dry_run:
            _record_metadata(ml, exe)
    except BaseException:
        if not dry_run:
            ml.catalog.delete(ML_SCHEMA, "Execution", {"RID": exe.execution_rid})
        raise
    _save_execution_rid(ml, exe)


def reload(exe: Execution, ml: DerivaML, execution_rid: str,
           configuration: ExecutionConfiguration | None) -> None:
    """Bind ``exe`` to an existing execution, to stage more outputs or finish an interrupted
    upload. Its configuration is ``configuration`` if given, else rebuilt from the catalog
    (workflow, description, input datasets and assets); its downloaded input assets and
    staged files are found again on this machine."""
    if execution_rid == DRY_RUN_RID:
        exe._bind(ml, configuration or ExecutionConfiguration(), DRY_RUN_RID, DRY_RUN_RID,
                  dry_run=True)
        return
    row = ml._execution_row(execution_rid)
    rid = row["RID"]
    config = configuration or ExecutionConfiguration(
        workflow=ml.lookup_workflow(row["Workflow"]) if row["Workflow"] else None,
        description=row["Description"] or "",
        datasets=[f"{d['rid']}@{d['version']}" if d["version"] else d["rid"]
                  for d in input_datasets(ml, rid)],
        assets=[a["RID"] for rows in linked_assets(ml, rid, "Input").values() for a in rows])
    exe._bind(ml, config, rid, row["Workflow"])
    for path in sorted((exe.working_dir / "downloaded-assets").glob("*/*/*")):
        table, asset_rid = path.parent.parent.name, path.parent.name
        exe.asset_paths.setdefault(table, []).append(
            AssetFilePath(path, asset_table=table, file_name=path, asset_rid=asset_rid))


def _input_asset(ml: DerivaML, spec: AssetSpec) -> ResolvedRID:
    found = ml.catalog.resolve_rid(spec.rid)
    if found.schema not in (ml.ml_schema, ml.domain_schema) or \
            ml.catalog.model().table(found.schema, found.table).kind != "asset":
        raise DerivaMLTableTypeError("asset table", spec.rid, message=(
            f"Asset {spec.rid} is a row of {found.table}, which is not an asset table; "
            f"input assets must be rows of one of "
            f"{', '.join(sorted(t.name for t in ml.list_assets()))}."))
    return found


def _local_file(spec: LocalFile) -> Path:
    path = Path(spec.path).expanduser()
    if not path.exists():
        raise DerivaMLValidationError(
            f"LocalFile input {spec.path} does not exist on this machine: give the path of a "
            "file or folder to record as read by the execution.")
    return path


def _download_input(ml: DerivaML, exe: Execution, spec: AssetSpec, asset: ResolvedRID) -> None:
    """Copy an input asset to ``downloaded-assets/<Table>/<RID>/<Filename>`` and record it as
    an Input of ``exe``."""
    row = asset.row
    filename = row.get("Filename") or row["URL"].rsplit("/", 1)[-1]
    dest = exe.working_dir / "downloaded-assets" / asset.table / row["RID"] / filename
    if spec.cache:
        cached = ml.cache_dir / "assets" / f"{row['RID']}_{row['MD5']}" / filename
        if not cached.exists():
            ml.catalog.get_object(row["URL"], cached)
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.unlink(missing_ok=True)
        dest.symlink_to(cached)
    else:
        ml.catalog.get_object(row["URL"], dest)
    types = [r["Asset_Type"] for r in ml.catalog.select(
        asset.schema, f"{asset.table}_Asset_Type", where={asset.table: row["RID"]})]
    exe.asset_paths.setdefault(asset.table, []).append(
        AssetFilePath(dest, asset_table=asset.table, file_name=dest, asset_types=types,
                      asset_rid=row["RID"]))
    if not exe.dry_run:
        ml.catalog.insert(asset.schema, f"{asset.table}_Execution", [{
            asset.table: row["RID"], "Execution": exe.execution_rid, "Asset_Role": "Input",
        }], on_conflict_skip=True)


def _record_metadata(ml: DerivaML, exe: Execution) -> None:
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
    run_dir = ml.hydra_runtime_output_dir
    if run_dir is not None:
        for folder in (run_dir / ".hydra", run_dir / "hydra-config"):
            for f in sorted(folder.glob("*.yaml")):
                paths.append(exe.asset_file_path(
                    "Execution_Metadata", f, asset_types=[ExecAssetType.hydra_config],
                    copy_file=True, rename_file=f"hydra-{run_dir.name}-{f.name}"))
    keys = {p.relative_to(exe.working_dir).as_posix() for p in paths}
    upload_entries(ml.catalog, exe.manifest, exe.execution_rid,
                   [e for e in exe.manifest.pending() if e.key in keys], progress=False)


def _save_execution_rid(ml: DerivaML, exe: Execution) -> None:
    target = os.environ.get(ENV_SAVE_EXECUTION_RID)
    if not target:
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    run_dir = ml.hydra_runtime_output_dir
    path.write_text(json.dumps({
        "hostname": ml.hostname, "catalog_id": ml.catalog_id,
        "execution_rid": exe.execution_rid, "workflow_rid": exe.workflow_rid,
        "working_dir": str(ml.working_dir), "execution_dir": str(exe.working_dir),
        "hydra_run_dir": str(run_dir) if run_dir else None,
    }, indent=2), encoding="utf-8")
