"""Later changes of executions pushed before.

An execution can change after it was pushed: a Stopped execution uploaded later, a failed
upload resumed. Its ``Execution`` row then changes (status, detail, stop time, durations),
its status history grows, and rows pointing at it are added (outputs, feature values...).
Each push records, per execution, the local snapshot as of which it copied it
(``Push.synced``); ``changed_executions`` finds, from the local catalog's row times alone,
those whose ``Execution`` row or a row pointing at it changed after.

Pushing such an execution again (or any execution asked for by RID) inserts its new rows as
any push does, and updates the rows earlier pushes copied to the target (``Pushed_Row``)
whose values there now differ from the local rows (``find_changes``): those rows are copies
of local rows, so the local values win. Rows pulled from the target are not updated here
(they are not copies; ``push`` only points a pulled dataset at a version made offline), nor
are workflows (found there by their code), nor a dataset version's snapshot (the target's
own). A row whose values are the same on both sides is not written. An update is a plain
overwrite of columns, safe to repeat after a push killed half-way; a changed file (e.g. a
longer ``status_history.jsonl``) is stored on the target before any row is written.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ...core.definitions import ML_SCHEMA
from ...core.rid import decode
from ..contract import AtLeast, Catalog, Model, Table
from ..local.catalog import snapshot_time
from .plan import Plan, TableKey, is_rid_link, owned_links, select_in
from .rows import Rewriter

NEVER_UPDATED = {(ML_SCHEMA, "Workflow")}
TARGET_COLUMNS = {(ML_SCHEMA, "Dataset_Version"): {"Snapshot"}}  # the target's own values


def changed_executions(local: Catalog, synced: Mapping[str, str]) -> set[str]:
    """Those of the executions in ``synced`` (local RID -> local snapshot as of which a push
    copied it) whose ``Execution`` row, or a row pointing at it, changed after."""
    if not synced:
        return set()
    times = {rid: _instant(snapshot_time(decode(snapshot))) for rid, snapshot in synced.items()}
    since = AtLeast(snapshot_time(decode(min(synced.values(), key=decode))))
    model = local.model()
    sources = [(model.table(ML_SCHEMA, "Execution"), "RID"),
               *owned_links(model).get((ML_SCHEMA, "Execution"), [])]
    changed = set()
    for t, column in sources:
        for row in local.select(t.schema, t.name, where={"RMT": since},
                                columns=list(dict.fromkeys([column, "RMT"]))):
            rid = row[column]
            if rid in times and _instant(row["RMT"]) > times[rid]:
                changed.add(rid)
    return changed


@dataclass
class Change:
    """A row an earlier push made on the target that differs from its local row now: the
    local table and row, the target RID, the target columns to write, the target's values
    before, and whether its file is new (to be stored before the row is updated)."""

    table: Table
    row: dict[str, Any]
    target_rid: str
    columns: list[str]
    before: dict[str, Any]
    new_file: bool = False

    @property
    def key(self) -> TableKey:
        return self.table.schema, self.table.name

    @property
    def rid(self) -> str:
        return self.row["RID"]


def find_changes(local_model: Model, remote: Catalog, remote_model: Model, plan: Plan,
                 rewriter: Rewriter) -> list[Change]:
    """The rows of ``plan`` earlier pushes made on the target (``rewriter.mapping``) whose
    values there differ from the local rows'. Reads the target; writes nothing."""
    changes = []
    for key, rows in plan.rows.items():
        mapped = {rid: rewriter.mapping[rid] for rid in rows if rid in rewriter.mapping}
        if key in NEVER_UPDATED or not mapped:
            continue
        t, there = local_model.table(*key), remote_model.table(*key)
        theirs = {r["RID"]: r for r in select_in(remote, key, mapped.values())}
        for rid, target in mapped.items():
            if target in theirs:  # else deleted there since: nothing to update
                change = _compare(t, there, rows[rid], theirs[target], rewriter)
                if change is not None:
                    changes.append(Change(t, rows[rid], target, *change))
    return changes


def updated_rows(changes: list[Change], rewriter: Rewriter, urls: Mapping[str, str]
                 ) -> dict[TableKey, list[dict]]:
    """The updates making ``changes`` (once every row they point to is on the target;
    ``urls``: the new files there, by local RID), by table."""
    updates: dict[TableKey, list[dict]] = {}
    for c in changes:
        row = rewriter.row(c.table, c.row, set(), urls.get(c.rid))
        updates.setdefault(c.key, []).append(
            {"RID": c.target_rid, **{name: row[name] for name in c.columns}})
    return updates


def _compare(t: Table, there: Table, ours: Mapping[str, Any], theirs: Mapping[str, Any],
             rewriter: Rewriter) -> tuple[list[str], dict[str, Any], bool] | None:
    """The columns of target row ``theirs`` that differ from local row ``ours``, the target's
    values before, and whether the file differs; None when none differ."""
    pending = {fk.columns[0] for fk in t.foreign_keys if is_rid_link(fk)
               and ours.get(fk.columns[0]) is not None
               and ours[fk.columns[0]] not in rewriter.plan.identity
               and ours[fk.columns[0]] not in rewriter.mapping}  # links to rows not there yet
    wanted = rewriter.row(t, ours, pending)
    skipped = TARGET_COLUMNS.get((t.schema, t.name), set())
    new_file = t.kind == "asset" and bool(ours.get("URL")) and ours.get("MD5") != \
        theirs.get("MD5")
    if t.kind == "asset":
        skipped = skipped | {"URL"}  # the target's object; a new one when the MD5 differs
    columns = [name for name, value in wanted.items() if name not in skipped and (
        name in pending or not same_value(there.column(name).type, value, theirs.get(name)))]
    if new_file:
        columns.append("URL")
    if not columns:
        return None
    return columns, {name: theirs.get(name) for name in columns}, new_file


def same_value(column_type: str, ours: Any, theirs: Any) -> bool:
    """Whether a value sent to a column of ``column_type`` is the one the target holds
    (times compared as instants, ``float4`` at its precision)."""
    if ours is None or theirs is None:
        return ours is theirs
    if column_type in ("timestamptz", "timestamp"):
        try:
            return _instant(ours) == _instant(theirs)
        except ValueError:
            return str(ours) == str(theirs)
    if column_type == "float4":
        return _single(ours) == _single(theirs)
    if column_type in ("float8", "int2", "int4", "int8"):
        return float(ours) == float(theirs)
    return ours == theirs


def _instant(value: Any) -> datetime:
    """An ISO time as an instant (without a zone: UTC)."""
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _single(value: Any) -> float:
    return struct.unpack("f", struct.pack("f", float(value)))[0]


@dataclass(frozen=True)
class ExecutionUpdate:
    """What a push brought to the target for an execution an earlier push copied: its
    status there before and now (None when unchanged), the rows of it added there and the
    rows of it updated there."""

    status: tuple[str, str] | None
    rows_added: int
    rows_updated: int

    def __str__(self) -> str:
        parts = [f"status {self.status[0]} -> {self.status[1]}"] if self.status else []
        for count, what in ((self.rows_added, "added"), (self.rows_updated, "updated")):
            if count:
                parts.append(f"{count} row{'s' if count > 1 else ''} {what}")
        return ", ".join(parts)
