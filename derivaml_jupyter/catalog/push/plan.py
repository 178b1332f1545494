"""Which local rows a push copies: the executions asked for and everything they need.

Starting from the executions, rows are gathered wave by wave. A row brings the rows its
foreign keys point to (an execution its workflow, a dataset version its dataset...) and the
rows it *owns*: an execution owns every row pointing at it (its input links, outputs, feature
values, dataset versions it made, nested executions) except its parents' links to it; a
dataset owns its versions, types, members and nested datasets; any other row owns the links
giving it vocabulary terms (asset types, workflow types). Rows that came from the target by
``derivaml pull`` are not copied: they keep their RIDs there (``identity``). Vocabulary terms
are gathered by name. The plan remembers which row brought which (``links``), so the rows of
each execution asked for can be told apart (``reach``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from ...core.definitions import ML_SCHEMA
from ..clone.pull import pulls
from ..contract import Catalog, ForeignKey, Model, Table

TableKey = tuple[str, str]


@dataclass
class Plan:
    """The rows to push by table (RID -> row), the RIDs the target holds already (pulled
    from it), the vocabulary terms used, by vocabulary, and the rows each row brought."""

    rows: dict[TableKey, dict[str, dict]] = field(default_factory=dict)
    identity: set[str] = field(default_factory=set)
    terms: dict[TableKey, set[str]] = field(default_factory=dict)
    links: dict[str, set[str]] = field(default_factory=dict)

    def reach(self, rids: Iterable[str]) -> dict[str, set[str]]:
        """For each of ``rids``, the rows of the plan it brought, itself included (an
        execution: its own rows, what they point to, its nested executions' rows)."""
        planned = {r for rows in self.rows.values() for r in rows}
        reached = {}
        for rid in rids:
            seen, todo = set(), [rid]
            while todo:
                current = todo.pop()
                if current not in seen and current in planned:
                    seen.add(current)
                    todo.extend(self.links.get(current, ()))
            reached[rid] = seen
        return reached

    def link(self, source: str, target: str) -> None:
        self.links.setdefault(source, set()).add(target)


def is_rid_link(fk: ForeignKey) -> bool:
    return len(fk.columns) == 1 and fk.pk_columns == ("RID",)


def _is_term_link(fk: ForeignKey, model: Model) -> bool:
    return (len(fk.columns) == 1 and model.has_table(fk.pk_schema, fk.pk_table)
            and model.table(fk.pk_schema, fk.pk_table).kind == "vocabulary"
            and fk.pk_columns != ("RID",))


def owned_links(model: Model) -> dict[TableKey, list[tuple[Table, str]]]:
    """For each table, the (table, column) pairs whose rows its rows own."""
    owned: dict[TableKey, list[tuple[Table, str]]] = {}
    execution = (ML_SCHEMA, "Execution")
    for r in model.tables():
        targets = {(fk.pk_schema, fk.pk_table) for fk in r.foreign_keys}
        for fk in filter(is_rid_link, r.foreign_keys):
            target, column = (fk.pk_schema, fk.pk_table), fk.columns[0]
            if target == execution:
                keep = r.name != "Execution" and (r.name, column) != (
                    "Execution_Execution", "Nested_Execution")
            elif r.kind != "association" or execution in targets:
                keep = target == (ML_SCHEMA, "Dataset") and r.name == "Dataset_Version"
            elif target == (ML_SCHEMA, "Dataset"):
                keep = column == "Dataset"
            else:
                keep = all(_is_term_link(other, model) for other in r.foreign_keys
                           if other is not fk)
            if keep:
                owned.setdefault(target, []).append((r, column))
    return owned


def plan_push(local: Catalog, remote: Catalog, host: str, catalog: str,
              executions: Iterable[str]) -> Plan:
    """The rows pushing ``executions`` (local RIDs) to ``remote`` copies."""
    model = local.model()
    owned = owned_links(model)
    plan = Plan()
    snapshots = [p.local_snapshot for p in pulls(local) if (p.host, p.catalog) == (host, catalog)]
    wave: dict[TableKey, set[str]] = {(ML_SCHEMA, "Execution"): set(executions)}
    while wave:
        found: dict[TableKey, list[dict]] = {}
        for key, rids in wave.items():
            rids -= plan.rows.get(key, {}).keys() | plan.identity
            plan.identity |= _pulled(local, remote, key, rids, snapshots)
            rids -= plan.identity
            if rids:
                found[key] = select_in(local, key, rids)
                plan.rows.setdefault(key, {}).update((r["RID"], r) for r in found[key])
        wave = {}
        for key, rows in found.items():
            t = model.table(*key)
            for fk in t.foreign_keys:
                values = {r[fk.columns[0]] for r in rows if len(fk.columns) == 1} - {None}
                if is_rid_link(fk) and values:
                    wave.setdefault((fk.pk_schema, fk.pk_table), set()).update(values)
                    for r in rows:
                        if r[fk.columns[0]] is not None:
                            plan.link(r["RID"], r[fk.columns[0]])
                elif _is_term_link(fk, model) and values:
                    plan.terms.setdefault((fk.pk_schema, fk.pk_table), set()).update(values)
            for r, column in owned.get(key, []):
                for row in select_in(local, (r.schema, r.name), [x["RID"] for x in rows],
                                     column):
                    wave.setdefault((r.schema, r.name), set()).add(row["RID"])
                    plan.link(row[column], row["RID"])
    return plan


def select_in(c: Catalog, key: TableKey, values: Iterable[str], column: str = "RID",
              snapshot: str | None = None, chunk: int = 500) -> list[dict]:
    """The rows of table ``key`` whose ``column`` is one of ``values`` (asked ``chunk`` at a
    time)."""
    values = sorted(values)
    return [row for i in range(0, len(values), chunk)
            for row in c.select(*key, where={column: values[i:i + chunk]}, snapshot=snapshot)]


def _pulled(local: Catalog, remote: Catalog, key: TableKey, rids: set[str],
            snapshots: list[str]) -> set[str]:
    """Those of ``rids`` that came from ``remote`` by a pull: rows the local catalog held at
    a pull's snapshot (RIDs minted later may collide with unrelated remote rows), which the
    remote holds with the same RID and creation time."""
    if not rids or not snapshots or not remote.model().has_table(*key):
        return set()
    created: dict[str, str] = {}
    for snapshot in snapshots:
        if local.model(snapshot).has_table(*key):
            created |= {r["RID"]: r["RCT"]
                        for r in select_in(local, key, rids, snapshot=snapshot)}
    return {r["RID"] for r in select_in(remote, key, created)
            if _same_time(r["RCT"], created[r["RID"]])} if created else set()


def _same_time(a: str, b: str) -> bool:
    """Whether two timestamps (ERMrest's JSON or a bag's CSV form) are the same instant."""
    try:
        return datetime.fromisoformat(str(a)) == datetime.fromisoformat(str(b))
    except ValueError:
        return a == b
