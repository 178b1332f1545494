"""The status history a push carries: each pushed execution gets, in the local catalog, an
``Execution_Metadata`` file ``status_history.jsonl`` (asset type ``Status_History``, linked to
it as an Output), which the push then copies like its other metadata files.

The history is read from the local catalog itself, not from the ``status.jsonl`` of the
machine that ran the execution (which may be elsewhere): every status change updates the
``Execution`` row, and the local catalog keeps each version of a row with the time it was
written (``LocalCatalog.row_versions``). Each distinct ``(Status, Status_Detail)`` in a row,
with the time it was set, is one line, in the shape of ``status.jsonl``.

A finished execution's history can still grow (a Stopped one uploaded later, a failed upload
resumed): the file is then replaced by the current history (same row, new object).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from ...core.definitions import ML_SCHEMA, ExecAssetType
from ...core.hashing import file_md5
from ...execution.status_log import STATUS_HISTORY_FILE, status_line
from ...schema.profile import SchemaProfile
from ..local.catalog import LocalCatalog

METADATA = "Execution_Metadata"
DESCRIPTION = "The statuses the execution went through, with their times (JSON lines)."
TERM_DESCRIPTION = "The status history of an execution, copied with it by derivaml push."


def status_history_lines(local: LocalCatalog, profile: SchemaProfile, rid: str) -> str:
    """The status history of execution ``rid``: one ``{"time", "status", "detail"}`` line a
    status, oldest first, from the versions of its row."""
    lines, last = [], None
    for version in local.row_versions(ML_SCHEMA, "Execution", rid):
        status = profile.status_of(version["Status"]) or version["Status"]
        detail = version["Status_Detail"] or ""
        if (status, detail) != last:
            lines.append(status_line(version["RMT"], status, detail) + "\n")
            last = (status, detail)
    return "".join(lines)


def history_files(local: LocalCatalog, executions: list[str]) -> dict[str, dict]:
    """The ``status_history.jsonl`` metadata row of each of ``executions`` that has one."""
    links = local.select(ML_SCHEMA, f"{METADATA}_Execution", where={
        "Execution": executions, "Asset_Role": "Output"})
    rows = {r["RID"]: r for r in local.select(ML_SCHEMA, METADATA, where={
        "RID": [link[METADATA] for link in links], "Filename": STATUS_HISTORY_FILE})}
    return {link["Execution"]: rows[link[METADATA]] for link in links
            if link[METADATA] in rows}


def record_status_histories(local: LocalCatalog, profile: SchemaProfile,
                            executions: Iterable[str]) -> int:
    """Record or refresh the ``status_history.jsonl`` file of each of ``executions`` in the
    local catalog; return how many files were written (0 when all were current)."""
    executions = sorted(executions)
    if not executions or not local.model().has_table(ML_SCHEMA, f"{METADATA}_Execution"):
        return 0
    recorded = history_files(local, executions)
    written = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / STATUS_HISTORY_FILE
        for rid in executions:
            path.write_text(status_history_lines(local, profile, rid), encoding="utf-8")
            row = recorded.get(rid)
            if row is not None and row["MD5"] == file_md5(path):
                continue
            info = local.put_object(f"{ML_SCHEMA}/{METADATA}", STATUS_HISTORY_FILE, path)
            values = {"URL": info.url, "Filename": STATUS_HISTORY_FILE,
                      "Length": info.length, "MD5": info.md5}
            if row is not None:
                local.update(ML_SCHEMA, METADATA, [{"RID": row["RID"], **values}])
            else:
                _insert(local, rid, values)
            written += 1
    return written


def _insert(local: LocalCatalog, execution: str, values: dict) -> None:
    """A new history file row of ``execution``, its type and its link, in one transaction."""
    term = ExecAssetType.status_history.value
    with local.transaction():
        local.insert(ML_SCHEMA, "Asset_Type", [{"Name": term, "Description": TERM_DESCRIPTION}],
                     on_conflict_skip=True)
        (row,) = local.insert(ML_SCHEMA, METADATA, [{**values, "Description": DESCRIPTION}])
        local.insert(ML_SCHEMA, f"{METADATA}_Asset_Type",
                     [{METADATA: row["RID"], "Asset_Type": term}])
        local.insert(ML_SCHEMA, f"{METADATA}_Execution",
                     [{METADATA: row["RID"], "Execution": execution, "Asset_Role": "Output"}])
