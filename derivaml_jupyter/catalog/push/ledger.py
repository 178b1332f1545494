"""Both sides of a push record which remote row each local row became.

The target holds the table ``deriva-ml.Pushed_Row`` (made by the first push, which needs the
right to create tables in that schema), one row per local row pushed: ``Origin`` (the local
catalog's id, a UUID kept in its annotation ``ORIGIN_TAG``), ``Origin_RID``, ``Origin_Table``
and ``Target_RID``, unique on
``(Origin, Origin_RID)``. A row of a table without a natural key (executions, datasets,
workflows) is *claimed* first (``Target_RID`` empty), then inserted, then its claim filled in;
a push killed between the insert and the record finds the row again among those it made since
the claim (same content). The local catalog mirrors the mapping in its annotation
``PUSHES_TAG``, keyed by target; the target's table is the authority when they differ. It
also records, per execution pushed, the local snapshot as of which the push copied it: its
later changes are those made after (see ``updates``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ...core.definitions import ML_SCHEMA
from ...core.errors import DerivaMLException
from ..contract import Catalog, Column, Table

PUSHES_TAG = "tag:derivaml-jupyter,2026:pushed-executions"
ORIGIN_TAG = "tag:derivaml-jupyter,2026:catalog-origin"
LEDGER_TABLE = "Pushed_Row"


def ledger_table() -> Table:
    """The target's record of pushed rows."""
    return Table(ML_SCHEMA, LEDGER_TABLE, [
        Column("Origin", nullok=False, comment="Id of the local catalog the row came from."),
        Column("Origin_RID", nullok=False, comment="The row's RID there."),
        Column("Origin_Table", nullok=False, comment="schema:table of the row."),
        Column("Target_RID", comment="The row's RID here; empty while claimed."),
    ], keys=[("Origin", "Origin_RID")],
        comment="Rows copied here by `derivaml push`, and their RIDs in their local catalog.")


@dataclass(frozen=True)
class Push:
    """What ``derivaml push`` copied from a local catalog to ``host``/``catalog``: the
    executions pushed (local RIDs), the RID each local row has there, and for each execution
    the local snapshot as of which it was copied (``synced``)."""

    host: str
    catalog: str
    executions: list[str] = field(default_factory=list)
    mapping: dict[str, str] = field(default_factory=dict)
    pushed_at: str = ""
    synced: dict[str, str] = field(default_factory=dict)


def pushes(catalog: Catalog) -> list[Push]:
    """The pushes recorded in the local ``catalog`` (a ``DerivaML`` or its catalog), one per
    target."""
    catalog = getattr(catalog, "catalog", catalog)
    return [Push(**p) for p in catalog.annotations().get(PUSHES_TAG, {}).values()]


def origin_id(local: Catalog) -> str:
    """The id naming ``local`` as a push's origin, made on first use."""
    found = local.annotations().get(ORIGIN_TAG)
    if not found:
        found = str(uuid.uuid4())
        local.update_annotations({ORIGIN_TAG: found})
    return found


class Ledger:
    """The mapping of one local catalog's rows to one target's, recorded on both sides."""

    def __init__(self, local: Catalog, remote: Catalog, host: str, catalog: str):
        self.local, self.remote = local, remote
        self.key = f"{host}/{catalog}"
        self.origin = origin_id(local)
        if not remote.model().has_table(ML_SCHEMA, LEDGER_TABLE):
            try:
                remote.create_table(ledger_table())
            except DerivaMLException as e:
                raise DerivaMLException(
                    f"The first push to {self.key} makes the table {ML_SCHEMA}.{LEDGER_TABLE} "
                    f"there (it records which rows were pushed), which {remote.whoami()} "
                    f"could not: {e} Nothing was pushed. An owner of the catalog (or a user "
                    f"who may create tables in {ML_SCHEMA}) makes it by pushing there once; "
                    "then push again.") from e
        self.claims = {r["Origin_RID"]: r for r in remote.iter_rows(
            ML_SCHEMA, LEDGER_TABLE, where={"Origin": self.origin})}
        self.mapping = {rid: r["Target_RID"] for rid, r in self.claims.items()
                        if r["Target_RID"]}
        self._mirror()

    def unfinished_claims(self, rids: Iterable[str]) -> dict[str, dict]:
        """The claims made by an earlier, interrupted push for ``rids``, with their RCT."""
        return {rid: self.claims[rid] for rid in rids
                if rid in self.claims and not self.claims[rid]["Target_RID"]}

    def claim(self, table: str, rids: Iterable[str]) -> None:
        """Record that ``rids`` are about to be inserted (before the insert)."""
        new = [rid for rid in rids if rid not in self.claims]
        if new:
            self._add(table, {rid: None for rid in new})

    def record(self, table: str, pairs: Mapping[str, str]) -> None:
        """Record local RID -> remote RID for ``pairs``, remotely then locally."""
        pairs = {k: v for k, v in pairs.items() if self.mapping.get(k) != v}
        if not pairs:
            return
        claimed = [{"RID": self.claims[k]["RID"], "Target_RID": v} for k, v in pairs.items()
                   if k in self.claims]
        if claimed:
            self.remote.update(ML_SCHEMA, LEDGER_TABLE, claimed)
            for k in pairs.keys() & self.claims.keys():
                self.claims[k]["Target_RID"] = pairs[k]
        self._add(table, {k: v for k, v in pairs.items() if k not in self.claims})
        self.mapping.update(pairs)
        self._mirror()

    def _add(self, table: str, pairs: Mapping[str, str | None]) -> None:
        if not pairs:
            return
        inserted = self.remote.insert(ML_SCHEMA, LEDGER_TABLE, [
            {"Origin": self.origin, "Origin_RID": k, "Origin_Table": table, "Target_RID": v}
            for k, v in pairs.items()], on_conflict_skip=True)
        self.claims.update((r["Origin_RID"], r) for r in inserted)
        there = [k for k in pairs if k not in {r["Origin_RID"] for r in inserted}]
        for r in self.remote.select(ML_SCHEMA, LEDGER_TABLE, where={
                "Origin": self.origin, "Origin_RID": there}) if there else []:
            self.claims[r["Origin_RID"]] = r
            if r["Target_RID"] is None and pairs[r["Origin_RID"]]:  # an earlier claim
                self.remote.update(ML_SCHEMA, LEDGER_TABLE, [
                    {"RID": r["RID"], "Target_RID": pairs[r["Origin_RID"]]}])
                r["Target_RID"] = pairs[r["Origin_RID"]]

    def finish(self, executions: Iterable[str], snapshot: str) -> None:
        """Add ``executions``, copied as of local ``snapshot``, to the local record of pushes
        to this target."""
        record, executions = self._record(), list(executions)
        record["executions"] = list(dict.fromkeys([*record["executions"], *executions]))
        record["synced"] = {**record.get("synced", {}), **dict.fromkeys(executions, snapshot)}
        self._save(record)

    def finished(self) -> list[str]:
        """The executions earlier pushes to this target completed (local RIDs)."""
        return self._record()["executions"]

    def _record(self) -> dict:
        host, _, catalog = self.key.rpartition("/")
        found = self.local.annotations().get(PUSHES_TAG, {}).get(self.key)
        return found or {"host": host, "catalog": catalog, "executions": [], "mapping": {}}

    def _mirror(self) -> None:
        record = self._record()
        if record["mapping"] != self.mapping:
            self._save({**record, "mapping": dict(self.mapping)})

    def _save(self, record: dict) -> None:
        record["pushed_at"] = datetime.now(UTC).isoformat()
        recorded = self.local.annotations().get(PUSHES_TAG, {})
        self.local.update_annotations({PUSHES_TAG: {**recorded, self.key: record}})
