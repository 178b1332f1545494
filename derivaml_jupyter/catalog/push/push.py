"""``push_executions``: copy executions recorded on a local catalog to another catalog (a
DERIVA server, or another local catalog), with everything they need (see ``plan``).

Every step is a find-or-insert recorded on both sides (see ``ledger``), so a push that is
interrupted completes on the next one without duplicates. Nothing is written to the target
until it is known to hold every table the rows need and every file is found locally; the
files are stored there before any row is written. Locally, a push first records each
execution's status history as a file (see ``history``). Executions pushed before are pushed
again when they changed since (see ``updates``): their new rows are added, and the rows
pushed before that differ from the local ones now are updated (local wins; rows pulled from
the target are never updated).
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...core.definitions import ML_SCHEMA, Status
from ...core.errors import (
    DerivaMLConflict,
    DerivaMLNotFound,
    DerivaMLTableNotFound,
    DerivaMLValidationError,
)
from ...core.rid import normalize_rid
from ...schema.profile import SchemaProfile
from ..clone.load import load_order
from ..connect import connect_catalog, is_local, require_existing
from ..contract import AtLeast, Catalog, Table
from .files import local_file, send_files
from .history import record_status_histories
from .ledger import Ledger, pushes
from .plan import Plan, TableKey, plan_push
from .rows import Rewriter, same_content
from .updates import Change, ExecutionUpdate, changed_executions, find_changes, updated_rows

BATCH_ROWS = 200  # rows inserted, then recorded, at a time: what a kill can leave unrecorded
UNFINISHED = (Status.created, Status.running, Status.pending_upload)
Progress = Callable[[str, int, int], None]  # ("rows" | "bytes", done, total)


@dataclass
class PushResult:
    """What a push did: the target, the executions pushed (local RID -> target RID),
    ``mapping`` (local RID -> target RID of every row concerned; rows pulled from the target
    map to themselves), rows inserted and files sent by this push, the executions an earlier
    push had copied already with nothing new since (``already_pushed``), and those it had
    copied that changed since (``updated``: what this push brought of each), with the rows
    it updated."""

    host: str
    catalog: str
    executions: dict[str, str] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)
    rows_inserted: int = 0
    files_uploaded: int = 0
    already_pushed: list[str] = field(default_factory=list)
    updated: dict[str, ExecutionUpdate] = field(default_factory=dict)
    rows_updated: int = 0


def push_executions(source: Any, host: str, catalog: str, rids: Sequence[str] | None = None, *,
                    credential: dict | None = None, progress: Progress | None = None
                    ) -> PushResult:
    """Copy executions of the local catalog ``source`` (a ``DerivaML`` or its catalog) to
    catalog ``catalog`` of ``host`` (``local`` for another local catalog): their workflows,
    input dataset versions, status and status history (an ``Execution_Metadata`` file
    ``status_history.jsonl``, see ``history``), output files and rows, metadata files,
    feature values, the datasets they made and their nested executions. ``rids`` are
    execution RIDs (None: every execution not pushed there yet, and those pushed there that
    changed since). Rows pulled from that catalog by ``derivaml pull`` keep their RIDs; the
    others get new ones there. An execution pushed before gets there what it has now: its
    new rows, and the rows pushed before updated where the local ones differ (see
    ``updates``). ``progress`` is called with ("rows" or "bytes", done, total); without it
    progress bars are shown.

    Example::

        result = push_executions(DerivaML("local", "offline"), "www.example.org", "1")
        print(result.executions)
    """
    local = getattr(source, "catalog", source)
    catalog = str(catalog)
    if not is_local(local.hostname):
        raise DerivaMLValidationError(
            f"push copies executions from a local catalog; {local.hostname} is a server.")
    if is_local(host) and catalog == str(local.catalog_id):
        raise DerivaMLValidationError(
            f"Cannot push local catalog {catalog!r} to itself: name another catalog.")
    wanted = _wanted(local, rids, host, catalog)
    if is_local(host):
        require_existing(host, catalog)
    remote = connect_catalog(host, catalog, credential)
    remote.whoami()  # no login: a clear error before anything is written
    with one_push_at_a_time(local):
        return _Push(local, remote, host, catalog, progress).run(wanted)


@contextmanager
def one_push_at_a_time(local: Catalog) -> Iterator[None]:
    """Hold the local catalog's push lock (an ``flock`` the kernel releases when the process
    ends, however it ends) for the block, or refuse when another push holds it: two pushes
    of one catalog at once could both claim, then insert, the same rows."""
    with open(Path(local.path) / "push.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise DerivaMLConflict(
                f"Another push from local catalog {local.catalog_id!r} is running: wait for "
                "it to end, then push again (it copies only what is left).") from None
        yield


def _wanted(local: Catalog, rids: Sequence[str] | None, host: str, catalog: str
            ) -> list[str]:
    """The executions to push: ``rids``, checked, or those no push to the target finished
    and those that changed since a push there (or whose push recorded no time)."""
    if rids is None:
        record = next((p for p in pushes(local) if (p.host, p.catalog) == (host, catalog)),
                      None)
        done, synced = (set(record.executions), record.synced) if record else (set(), {})
        again = changed_executions(local, {r: synced[r] for r in done if r in synced})
        again |= done - synced.keys()
        return [r["RID"] for r in local.iter_rows(ML_SCHEMA, "Execution")
                if r["RID"] not in done or r["RID"] in again]
    wanted = list(dict.fromkeys(normalize_rid(r) for r in rids))
    found = {r["RID"] for r in local.select(ML_SCHEMA, "Execution", where={"RID": wanted},
                                            columns=["RID"])}
    if missing := [r for r in wanted if r not in found]:
        raise DerivaMLNotFound(
            f"No execution {', '.join(missing)} in local catalog {local.catalog_id}: "
            "`derivaml executions` lists them. Nothing was pushed.")
    return wanted


class _Push:
    def __init__(self, local: Catalog, remote: Catalog, host: str, catalog: str,
                 progress: Progress | None):
        self.local, self.remote, self.host, self.catalog = local, remote, host, catalog
        self.progress = progress
        self.local_model, self.remote_model = local.model(), remote.model()
        self.source = SchemaProfile.read(local, self.local_model)
        self.target = SchemaProfile.read(remote, self.remote_model)
        self.inserted = self.files = 0

    def run(self, wanted: list[str]) -> PushResult:
        as_of = self.local.snapshot()  # changes after it are pushed by a later push
        plan, order = self._plan(wanted)
        if record_status_histories(self.local, self.source,
                                   plan.rows.get((ML_SCHEMA, "Execution"), {})):
            as_of = self.local.snapshot()
            plan, order = self._plan(wanted)  # with the history files just recorded
        executions = plan.rows.get((ML_SCHEMA, "Execution"), {})  # nested ones too
        ledger = Ledger(self.local, self.remote, self.host, self.catalog)
        done_before = set(ledger.mapping) & set(ledger.finished())
        rewriter = Rewriter(self.local, self.remote_model, plan, ledger.mapping, self.source,
                            self.target)
        pending = {key: [r for rid, r in rows.items() if rid not in ledger.mapping]
                   for key, rows in plan.rows.items()}
        new = {r["RID"] for rows in pending.values() for r in rows}
        changes = find_changes(self.local_model, self.remote, self.remote_model, plan, rewriter)
        with _Bars(self.progress, len(new) + len(changes),
                   self._bytes(pending, changes)) as bars:
            urls = self._send_files(pending, changes, bars)
            self._terms(plan)
            for t, deferred in order:
                rows = pending[(t.schema, t.name)]
                for start in range(0, len(rows), BATCH_ROWS):
                    self._write(t, rows[start:start + BATCH_ROWS], deferred, ledger, rewriter,
                                urls, bars)
            for t, deferred in order:
                self._fill(t, plan, deferred, rewriter)
            for (schema, table), rows in updated_rows(changes, rewriter, urls).items():
                self.remote.update(schema, table, rows)
                bars.rows(len(rows))
            self._pin_versions(plan, rewriter)
            self._point_pulled_datasets(plan, rewriter)
        ledger.finish(executions, as_of)
        mapping = {rid: rewriter.target_rid(rid) for rows in plan.rows.values() for rid in rows}
        mapping |= {rid: rid for rid in plan.identity}
        before = [rid for rid in wanted if rid in done_before | plan.identity]
        updated = self._updates(plan, [rid for rid in before if rid in executions], new,
                                changes)
        return PushResult(
            self.host, self.catalog, {rid: mapping[rid] for rid in wanted if rid in mapping},
            mapping, self.inserted, self.files,
            [rid for rid in before if rid not in updated], updated, len(changes))

    def _updates(self, plan: Plan, executions: list[str], new: set[str],
                 changes: list[Change]) -> dict[str, ExecutionUpdate]:
        """What this push brought of each of ``executions`` (pushed before), for those it
        brought something of: rows added (``new``), rows updated, the status there."""
        statuses = {c.rid: (c.before["Status"], c.row["Status"]) for c in changes
                    if c.key == (ML_SCHEMA, "Execution") and "Status" in c.before}
        updates = {}
        for rid, reached in plan.reach(executions).items():
            added = len(reached & new)
            updated = sum(c.rid in reached for c in changes)
            status = None
            if rid in statuses:
                status = (self._status(self.target, statuses[rid][0]),
                          self._status(self.source, statuses[rid][1]))
            if added or updated:
                updates[rid] = ExecutionUpdate(status, added, updated)
        return updates

    @staticmethod
    def _status(profile: SchemaProfile, word: str | None) -> str:
        status = profile.status_of(word)
        return status.value if status else str(word)

    # -- before writing ------------------------------------------------------------------
    def _plan(self, wanted: list[str]) -> tuple[Plan, list[tuple[Table, set[str]]]]:
        """The rows to push and the order of their tables, checked."""
        plan = plan_push(self.local, self.remote, self.host, self.catalog, wanted)
        if self.target.workflow_type_column and \
                not self.target.has_table("Workflow_Workflow_Type"):
            plan.rows.pop((ML_SCHEMA, "Workflow_Workflow_Type"), None)  # in Workflow's column
        order = load_order(self.local_model, plan.rows)
        self._check(plan, [t for t, _ in order])
        return plan, order

    def _check(self, plan: Plan, tables: list[Table]) -> None:
        """Refuse, before writing, rows the target has no table or column for, unfinished
        executions, and asset rows whose file is not here."""
        for t in tables:
            self._check_table(t)
        for key in plan.terms:
            if key != (ML_SCHEMA, "Execution_Status"):
                self._check_table(self.local_model.table(*key))
        workflows = plan.rows.get((ML_SCHEMA, "Workflow"), {})
        for types in self.source.workflow_types(self.local, workflows.values()).values():
            self.target.workflow_values(types)  # one type where the target keeps one
        for row in plan.rows.get((ML_SCHEMA, "Execution"), {}).values():
            if self.source.status_of(row["Status"]) in UNFINISHED:
                raise DerivaMLValidationError(
                    f"Execution {row['RID']} is {row['Status']}: push it once it has finished "
                    "and its outputs are uploaded (upload_execution_outputs). Nothing was "
                    "pushed.")
        for key, rows in plan.rows.items():
            t = self.local_model.table(*key)
            if t.kind == "asset":
                for row in rows.values():
                    if row.get("URL"):
                        local_file(self.local, t, row)

    def _check_table(self, t: Table) -> None:
        name = f"{t.schema}.{t.name}"
        if not self.remote_model.has_table(t.schema, t.name):
            if t.schema == ML_SCHEMA:
                self.target.require(t.name, f"take the rows of {name} a push copies")
            raise DerivaMLTableNotFound(name, message=(
                f"Catalog {self.catalog} on {self.host} has no table {name}, which the pushed "
                "rows need: make it there (create_table, create_asset, create_feature... on "
                "that catalog) and push again. Nothing was pushed."))
        if t.schema == ML_SCHEMA:
            return  # columns the target lacks are those its deriva-ml version has not
        have = set(self.remote_model.table(t.schema, t.name).column_names)
        if missing := [c for c in t.column_names if c not in have]:
            raise DerivaMLTableNotFound(name, message=(
                f"Table {name} of catalog {self.catalog} on {self.host} has no column "
                f"{', '.join(missing)}, which the pushed rows fill: add it there and push "
                "again. Nothing was pushed."))

    def _bytes(self, pending: dict[TableKey, list[dict]], changes: list[Change]) -> int:
        return sum(r.get("Length") or 0 for rows in self._files(pending, changes).values()
                   for r in rows)

    def _files(self, pending: dict[TableKey, list[dict]], changes: list[Change]
               ) -> dict[TableKey, list[dict]]:
        """The asset rows whose files to send: new rows with a file, and rows pushed before
        whose file changed, by table."""
        files = {key: [r for r in rows if r.get("URL")] for key, rows in pending.items()
                 if self.local_model.table(*key).kind == "asset"}
        for c in changes:
            if c.new_file:
                files.setdefault(c.key, []).append(c.row)
        return {key: rows for key, rows in files.items() if rows}

    # -- writing -------------------------------------------------------------------------
    def _terms(self, plan: Plan) -> None:
        """Add the vocabulary terms the rows use that the target lacks."""
        for key, names in plan.terms.items():
            if not self.remote_model.has_table(*key):
                continue  # Execution_Status of a catalog keeping status words
            have = set(self.remote_model.table(*key).column_names)
            kept = {"Name", "Description", "Synonyms"} & have
            terms = [{k: v for k, v in row.items() if k in kept}
                     for row in self.local.select(*key, where={"Name": sorted(names)})]
            self.remote.insert(*key, terms, on_conflict_skip=True)

    def _send_files(self, pending: dict[TableKey, list[dict]], changes: list[Change],
                    bars: _Bars) -> dict[str, str]:
        """Store the files of the asset rows to push, and the new files of rows pushed
        before, in the target before any row is written (an object store refusing them, e.g.
        to a user without the right to create objects there, then leaves the catalog as it
        was); their URLs there, by local RID."""
        urls: dict[str, str] = {}
        for key, rows in self._files(pending, changes).items():
            urls |= send_files(self.local, self.remote, self.local_model.table(*key), rows,
                               bars.bytes)
            self.files += len(rows)
        return urls

    def _write(self, t: Table, rows: list[dict], deferred: set[str], ledger: Ledger,
               rewriter: Rewriter, urls: dict[str, str], bars: _Bars) -> None:
        """Find or insert ``rows`` of ``t`` (``urls``: their files there) in the target and
        record where they are."""
        key = f"{t.schema}:{t.name}"
        target = {r["RID"]: rewriter.row(t, r, deferred, urls.get(r["RID"])) for r in rows}
        there = self.remote_model.table(t.schema, t.name)
        natural = _natural_key(there, target.values())
        if natural:
            found = self._insert_keyed(there, natural, target)
        else:
            found = self._find_workflows(target) if t.name == "Workflow" else {}
            ledger.record(key, found)
            rest = {rid: row for rid, row in target.items() if rid not in found}
            ledger.claim(key, rest)
            found |= self._recover(there, rest, ledger.unfinished_claims(rest), ledger)
            new = [rid for rid in rest if rid not in found]
            inserted = self.remote.insert(t.schema, t.name, [target[rid] for rid in new])
            self.inserted += len(inserted)
            found |= {rid: row["RID"] for rid, row in zip(new, inserted, strict=True)}
        ledger.record(key, found)
        bars.rows(len(rows))

    def _insert_keyed(self, t: Table, natural: tuple[str, ...], target: dict[str, dict]
                      ) -> dict[str, str]:
        """Insert rows skipping those whose natural key is there; each row's target RID."""
        def key(row: dict) -> tuple:
            return tuple(row[c] for c in natural)

        inserted = self.remote.insert(t.schema, t.name, list(target.values()),
                                      on_conflict_skip=True)
        self.inserted += len(inserted)
        there = {key(r): r["RID"] for r in inserted}
        if missing := [row for row in target.values() if key(row) not in there]:
            there |= {key(r): r["RID"] for r in self.remote.select(t.schema, t.name, where={
                c: sorted({row[c] for row in missing}, key=str) for c in natural})}
        return {rid: there[key(row)] for rid, row in target.items()}

    def _find_workflows(self, target: dict[str, dict]) -> dict[str, str]:
        """Workflows the target records already (same URL and checksum)."""
        found = {}
        for rid, row in target.items():
            where = {c: row.get(c) for c in ("URL", "Checksum") if row.get(c)}
            if where:
                same = self.remote.select(ML_SCHEMA, "Workflow", where=where, sort=["RCT"],
                                          limit=1)
                if same:
                    found[rid] = same[0]["RID"]
        return found

    def _recover(self, t: Table, rows: dict[str, dict], claims: dict[str, dict],
                 ledger: Ledger) -> dict[str, str]:
        """Rows an interrupted push inserted but did not record: among the rows this client
        made since their claim, those with the same content not recorded for another row."""
        if not claims:
            return {}
        since = min(c["RCT"] for c in claims.values())
        taken = set(ledger.mapping.values())
        candidates = [r for r in self.remote.iter_rows(
            t.schema, t.name, where={"RCT": AtLeast(since), "RCB": self.remote.whoami()},
            sort=["RCT"]) if r["RID"] not in taken]
        found = {}
        for rid in claims:
            match = next((r for r in candidates if same_content(t, rows[rid], r)), None)
            if match is not None:
                found[rid] = match["RID"]
                candidates.remove(match)
        return found

    def _fill(self, t: Table, plan: Plan, deferred: set[str], rewriter: Rewriter) -> None:
        """Fill in the ``deferred`` columns (keys closing a cycle) of the pushed rows."""
        if not deferred:
            return
        rows = plan.rows.get((t.schema, t.name), {})
        wanted = [{"RID": rewriter.target_rid(rid), **{c: rewriter.target_rid(row[c])
                                                       for c in deferred}}
                  for rid, row in rows.items() if any(row.get(c) for c in deferred)]
        there = {r["RID"]: r for r in self.remote.select(
            t.schema, t.name, where={"RID": [w["RID"] for w in wanted]})} if wanted else {}
        changed = [w for w in wanted if any(there[w["RID"]].get(c) != w[c] for c in deferred)]
        if changed:
            self.remote.update(t.schema, t.name, changed)

    def _pin_versions(self, plan: Plan, rewriter: Rewriter) -> None:
        """Point the pushed dataset versions at the target's snapshot holding their rows."""
        versions = [rewriter.target_rid(rid)
                    for rid in plan.rows.get((ML_SCHEMA, "Dataset_Version"), {})]
        if not versions:
            return
        unpinned = [r["RID"] for r in self.remote.select(
            ML_SCHEMA, "Dataset_Version", where={"RID": versions, "Snapshot": None},
            columns=["RID"])]
        if unpinned:
            snapshot = self.remote.snapshot()
            self.remote.update(ML_SCHEMA, "Dataset_Version",
                               [{"RID": rid, "Snapshot": snapshot} for rid in unpinned])


    def _point_pulled_datasets(self, plan: Plan, rewriter: Rewriter) -> None:
        """A pulled dataset whose current version here was made offline (and pushed) gets
        that version as its current one on the target too."""
        versions = plan.rows.get((ML_SCHEMA, "Dataset_Version"), {})
        pulled = sorted({v["Dataset"] for v in versions.values()} & plan.identity)
        if not pulled:
            return
        wanted = {r["RID"]: rewriter.target_rid(r["Version"]) for r in self.local.select(
            ML_SCHEMA, "Dataset", where={"RID": pulled}) if r["Version"] in versions}
        there = {r["RID"]: r["Version"] for r in self.remote.select(
            ML_SCHEMA, "Dataset", where={"RID": list(wanted)})} if wanted else {}
        changed = [{"RID": rid, "Version": v} for rid, v in wanted.items() if there[rid] != v]
        if changed:
            self.remote.update(ML_SCHEMA, "Dataset", changed)


def _natural_key(t: Table, rows: Iterable[dict]) -> tuple[str, ...] | None:
    """A unique key of ``t`` (not RID) every row fills, to find rows by."""
    rows = list(rows)
    for key in t.keys:
        if key != ("RID",) and all(row.get(c) is not None for row in rows for c in key):
            return key
    return None


class _Bars:
    """Rows and bytes progress: the caller's ``progress``, or two tqdm bars."""

    def __init__(self, progress: Progress | None, rows: int, size: int):
        self.progress, self.totals, self.done = progress, {"rows": rows, "bytes": size}, {}
        self.bars: dict[str, Any] = {}
        self.lock = threading.Lock()  # files are sent from several threads

    def __enter__(self) -> _Bars:
        if self.progress is None:
            from tqdm.auto import tqdm

            self.bars = {"rows": tqdm(total=self.totals["rows"], unit="row", desc="Rows"),
                         "bytes": tqdm(total=self.totals["bytes"], unit="B", unit_scale=True,
                                       desc="Files")}
        return self

    def __exit__(self, *exc: object) -> None:
        for bar in self.bars.values():
            bar.close()

    def _add(self, kind: str, count: int) -> None:
        with self.lock:
            self.done[kind] = self.done.get(kind, 0) + count
            if self.progress is not None:
                self.progress(kind, self.done[kind], self.totals[kind])
            else:
                self.bars[kind].update(count)

    def rows(self, count: int) -> None:
        self._add("rows", count)

    def bytes(self, count: int) -> None:
        self._add("bytes", count)
