"""What the REST API answers, as JSON-ready data built from the domain layer (no tornado here).

Each function takes a ``DerivaML`` and request values and returns dicts and lists of plain
values; errors are the domain's own ``DerivaMLException`` subclasses.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..catalog.connect import derivaml_home
from ..core.definitions import ML_SCHEMA, ExecAssetType, Status
from ..core.errors import DerivaMLConflict, DerivaMLNotFound, DerivaMLValidationError

if TYPE_CHECKING:
    import pandas as pd

    from ..execution.records import ExecutionRecord
    from ..ml import DerivaML

NOTEBOOK_ASSET_TABLE = "Execution_Asset"


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as JSON-safe dicts (NaN becomes null)."""
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def local_catalogs() -> dict[str, Any]:
    """The names of the local catalogs under ``$DERIVAML_HOME``."""
    folder = derivaml_home() / "catalogs"
    names = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    return {"local": names}


def catalog_info(ml: DerivaML) -> dict[str, Any]:
    return {
        "version": __version__, "host": ml.hostname, "catalog": ml.catalog_id,
        "home": str(derivaml_home()), "ml_schema": ml.ml_schema,
        "domain_schema": ml.domain_schema,
        "counts": {"datasets": ml.catalog.count(ML_SCHEMA, "Dataset", where={"Deleted": False}),
                   "executions": ml.catalog.count(ML_SCHEMA, "Execution")},
    }


def dataset_list(ml: DerivaML) -> list[dict[str, Any]]:
    return records(ml.find_datasets().to_dataframe()[
        ["RID", "Description", "Version", "Dataset_Types"]])


def dataset_detail(ml: DerivaML, rid: str, version: str | None) -> dict[str, Any]:
    """A dataset with its history; members, children and parents as of ``version``."""
    dataset = ml.lookup_dataset(rid, deleted=True)
    record = ml.dataset_version_record(dataset, version)
    return {
        "rid": dataset.rid, "description": dataset.description,
        "dataset_types": dataset.dataset_types,
        "current_version": str(dataset.current_version),
        "version": record["Version"], "snapshot": record["Snapshot"],
        "history": records(ml.dataset_history(dataset).to_dataframe()),
        "children": [d.rid for d in ml.list_dataset_children(dataset, version=version)],
        "parents": [d.rid for d in ml.list_dataset_parents(dataset, version=version)],
        "member_counts": ml.count_dataset_members(dataset, version=version),
    }


def member_page(ml: DerivaML, rid: str, table: str, limit: int, after: str | None,
                version: str | None) -> dict[str, Any]:
    rows, cursor = ml.list_dataset_members_page(rid, table, limit=limit, after=after,
                                                version=version)
    return {"table": table, "rows": rows, "next": cursor}


def execution_list(ml: DerivaML, status: str | None, workflow: str | None, limit: int,
                   offset: int, after: str | None = None,
                   filters: dict[str, str | None] | None = None) -> dict[str, Any]:
    """One page of the executions, newest first: ``limit`` after the cursor ``after`` (or
    skipping ``offset``), the total, the ``next`` cursor (None on the last page) and an
    ``etag`` naming this answer (the handler's ETag, for ``If-None-Match``). ``filters``:
    ``text``, ``since`` and ``dataset`` of ``DerivaML.list_executions_page``."""
    if status is not None:
        _check_status(status)
    rows, cursor, total = ml.list_executions_page(workflow=workflow, status=status,
                                                  limit=limit, after=after, offset=offset,
                                                  **(filters or {}))
    page = {"total": total, "offset": offset, "limit": limit, "next": cursor,
            "executions": rows}
    digest = hashlib.sha1(json.dumps(page, default=str).encode(), usedforsecurity=False)
    return {**page, "etag": f'"{digest.hexdigest()}"'}


def _check_status(status: str) -> None:
    try:
        Status(status)
    except ValueError:
        raise DerivaMLValidationError(
            f"Unknown execution status {status!r}; use one of "
            f"{', '.join(dict.fromkeys(s.value for s in Status))}.") from None


def _summary(record: ExecutionRecord) -> dict[str, Any]:
    return {"rid": record.execution_rid, "status": record.status,
            "description": record.description,
            "workflow": record.workflow.name if record.workflow else None}


def execution_detail(ml: DerivaML, rid: str) -> dict[str, Any]:
    record = ml.lookup_execution(rid)
    workflow = record.workflow
    return {
        **_summary(record), "status_detail": record.status_detail,
        "start_time": record.start_time, "stop_time": record.stop_time,
        "duration": record.duration, "download_duration": record.download_duration,
        "upload_duration": record.upload_duration,
        "workflow": None if workflow is None else {
            "rid": workflow.workflow_rid, "name": workflow.name, "url": workflow.url,
            "version": workflow.version, "checksum": workflow.checksum,
            "workflow_type": list(workflow.workflow_type)},
        "inputs": {**record.inputs, "assets": _assets(ml, record.inputs["assets"])},
        "outputs": {**record.outputs, "assets": _assets(ml, record.outputs["assets"])},
        "children": [_summary(r) for r in record.list_nested_executions()],
        "parents": [_summary(r) for r in record.list_parent_executions()],
    }


def abandon_execution(ml: DerivaML, rid: str, reason: str) -> dict[str, Any]:
    """Mark an execution left Running (or never started) as Aborted, with ``reason`` as its
    status detail; an execution that has ended is a conflict."""
    record = ml.lookup_execution(rid)
    if str(record.status) not in (Status.running, Status.created):
        raise DerivaMLConflict(
            f"Execution {rid} is {record.status}, not Running: only an execution that has "
            "not ended can be marked abandoned.")
    record.update_status(Status.aborted, f"Abandoned: {reason}")
    return _summary(record)


def execution_provenance(ml: DerivaML, rid: str) -> dict[str, Any]:
    """What an execution ran on (from its ``environment.json``: Python, platform, the git
    commit, remote and uncommitted changes, the number of packages) and the metrics its
    metrics files hold (``execution.compare``); None for what it did not record."""
    from ..execution.compare import read_metrics

    outputs = ml.lookup_execution(rid).outputs["assets"]
    environment = next((r for r in outputs.get("Execution_Metadata", [])
                        if r["Filename"] == "environment.json"), None)
    recorded = None
    if environment is not None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "environment.json"
            ml.catalog.get_object(environment["URL"], path)
            env = json.loads(path.read_text(encoding="utf-8"))
        python, platform = env.get("python") or {}, env.get("platform") or {}
        recorded = {"python": (python.get("version") or "").split()[0] or None,
                    "platform": platform.get("platform"), "git": env.get("git"),
                    "packages": len(env.get("packages") or {})}
    return {"environment": recorded, "metrics": read_metrics(ml, outputs)}


def _assets(ml: DerivaML, by_table: dict[str, list[dict]]) -> dict[str, list[dict]]:
    return {table: [{"rid": r["RID"], "filename": r["Filename"], "url": r["URL"],
                     "length": r["Length"], "md5": r["MD5"],
                     "cite": ml.catalog.url_for(r["RID"])} for r in rows]
            for table, rows in by_table.items()}


def comparison(ml: DerivaML, rids: str, only_differences: bool) -> dict[str, Any]:
    """Executions ``rids`` (comma-separated) side by side: a row per fact with each
    execution's value (null where it has none) and whether they differ."""
    from ..execution.compare import differ, is_missing

    frame = ml.compare_executions(rids.split(","), only_differences=only_differences)
    rows = []
    for (section, name), values in zip(frame.index, frame.itertuples(False)):
        plain = [None if is_missing(v) else v.item() if hasattr(v, "item") else v
                 for v in values]  # numpy scalars as Python values
        rows.append({"section": section, "name": name, "values": plain,
                     "differs": differ(values)})
    return {"executions": list(frame.columns), "rows": rows}


def execution_overrides(ml: DerivaML, rid: str) -> dict[str, Any]:
    """The Hydra overrides and top-level config (``config_name``) execution ``rid`` ran with,
    its workflow's URL and whether it ran a notebook or a model, for running it again; for a
    sweep's parent, its jobs' overrides joined into one multirun (``multirun`` true). An
    execution that recorded none (not run by ``deriva-ml-run`` or ``deriva-ml-run-notebook``)
    is not found."""
    from ..execution.compare import recorded_config_name, recorded_overrides, sweep_overrides
    from ..runners.reproduce_record import recorded_checkout

    record = ml.lookup_execution(rid)
    jobs = record.list_nested_executions()
    if jobs:
        overrides = sweep_overrides(recorded_overrides(ml, j.execution_rid) for j in jobs)
    else:
        overrides = recorded_overrides(ml, record.execution_rid)
    if overrides is None:
        raise DerivaMLNotFound(
            f"Execution {rid} recorded no Hydra overrides (hydra-*-overrides.yaml)"
            + (" that one multirun could repeat (its jobs' overrides differ in their keys, or "
               "are not plain values): re-run its jobs one by one" if jobs else
               ": it was not run by deriva-ml-run or deriva-ml-run-notebook, so it cannot be "
               "run again with them. Start a run from the Configs section instead") + ".")
    url = record.workflow.url if record.workflow else None
    first = (jobs[0] if jobs else record).execution_rid
    return {"rid": record.execution_rid, "overrides": overrides, "url": url,
            "checkout": recorded_checkout(ml, first, url),
            "kind": "notebook" if (url or "").endswith(".ipynb") else "model",
            "multirun": bool(jobs),
            "config_name": recorded_config_name(ml, first)}


def sweep(ml: DerivaML, rid: str) -> dict[str, Any]:
    """Sweep ``rid``'s jobs (its nested executions) as a table: the ``parameters`` (override
    keys) and ``metrics`` names that are its columns, in the order first seen, and a row per
    job (``execution.compare.sweep_jobs``)."""
    from ..execution.compare import sweep_jobs

    jobs = sweep_jobs(ml, rid)
    columns = {kind: list(dict.fromkeys(k for job in jobs for k in job[kind]))
               for kind in ("parameters", "metrics")}
    return {"rid": rid, **columns, "jobs": jobs}


def push(ml: DerivaML, host: str, catalog: str, rids: list[str] | None) -> dict[str, Any]:
    """Copy executions ``rids`` (None: those not pushed there yet) of the local catalog of
    ``ml`` to ``catalog`` of ``host`` (``catalog.push``); what was copied."""
    from ..catalog.push import push_executions

    result = push_executions(ml, host, catalog, rids, progress=lambda *_: None)
    return {"host": result.host, "catalog": result.catalog, "executions": result.executions,
            "rows_inserted": result.rows_inserted, "files_uploaded": result.files_uploaded,
            "already_pushed": result.already_pushed}


def workflow_list(ml: DerivaML) -> list[dict[str, Any]]:
    return records(ml.find_workflows().to_dataframe())


def confined_path(root: str | Path, relative: str, what: str = "path") -> Path:
    """``relative`` resolved inside ``root``; a path that leaves it is a validation error."""
    base = Path(root).expanduser().resolve()
    target = (base / (relative or ".")).resolve()
    if not target.is_relative_to(base):
        raise DerivaMLValidationError(
            f"The {what} {relative!r} is outside the Jupyter server's root directory; give a "
            "path relative to that directory without '..'.")
    return target


def upload_notebook(ml: DerivaML, notebook: Path, execution_rid: str) -> dict[str, Any]:
    """Upload ``notebook`` and its Markdown rendering to an execution as ``Notebook_Output``
    assets; return the uploaded files (table, filename, RID)."""
    from ..runners.notebook_markdown import notebook_to_markdown

    if notebook.suffix != ".ipynb" or not notebook.is_file():
        raise DerivaMLNotFound(f"No notebook at {notebook.name!r}: give the path of an .ipynb "
                               "file relative to the Jupyter server's root directory.")
    exe = ml.restore_execution(execution_rid)
    types = [ExecAssetType.notebook_output.value]
    with tempfile.TemporaryDirectory() as folder:
        markdown = notebook_to_markdown(notebook, Path(folder) / f"{notebook.stem}.md")
        for path in (notebook, markdown):
            exe.asset_file_path(NOTEBOOK_ASSET_TABLE, path, asset_types=types, copy_file=True)
    uploaded = exe.upload_execution_outputs(progress=False)
    return {"execution_rid": exe.execution_rid, "files": [
        {"table": table, "filename": path.name, "rid": path.asset_rid}
        for table, paths in uploaded.items() for path in paths]}
