"""Denormalization: a dataset's rows joined along foreign keys into one wide table, shaped the
way deriva-ml's ``get_denormalized_as_dataframe`` shapes it.

- Row grain: one row per ``row_per`` row in scope; by default ``row_per`` is the requested
  table no other requested table is downstream of (more than one: ``...MultiLeaf``).
- Scope: ``row_per`` rows reachable by foreign keys (either way) from the dataset's members,
  nested datasets included; a member of ``row_per`` is its own route.
- Hoisting: the other requested tables are joined from each ``row_per`` row by following its
  foreign keys (through association and feature tables either way), their columns repeated
  on every row that shares them; a link to several rows gives one row each, a missing one
  NULLs. Several such paths to one table raise ``...AmbiguousPath`` unless a requested
  (``include_tables`` or ``via``) table singles one out.
- Columns: ``Table.column`` (``schema.Table.column`` when two domain schemas contribute) for
  every column of every requested table except pure associations, without ``RCT``, ``RMT``,
  ``RCB``, ``RMB`` unless ``system_columns`` keeps them.
- Members of a requested upstream table that no ``row_per`` row reaches get a row of their own
  (other columns NULL); members of a table with no path to any requested table raise
  ``...UnrelatedAnchor`` unless ``ignore_unrelated_anchors``.
Feature names (``"Diagnosis"``) stand for their feature table (``Execution_Image_Diagnosis``).
Walked through unprojected: the tables the model defines as associations (deriva-ml counts
any table with two foreign keys) and, when it is the only path, any table on it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.errors import DerivaMLTableNotFound, DerivaMLValidationError
from ..feature.discovery import as_feature, find_features
from ..feature.record import FeatureRecord, reduce_with_selector
from .bag_catalog import BagCatalog
from .denormalize_errors import (
    DerivaMLDenormalizeAmbiguousPath,
    DerivaMLDenormalizeDownstreamLeaf,
    DerivaMLDenormalizeError,
    DerivaMLDenormalizeMultiLeaf,
    DerivaMLDenormalizeNoSink,
    DerivaMLDenormalizeUnrelatedAnchor,
)
from .fk_graph import FKGraph

if TYPE_CHECKING:
    import pandas as pd

    from .api import DatasetAPI

CHUNK = 500  # values per select
DROPPED_SYSTEM_COLUMNS = ("RCT", "RMT", "RCB", "RMB")
Selector = Callable[[list[FeatureRecord]], FeatureRecord | None]
Binding = dict[str, dict | None]  # table name -> the row joined for it


@dataclass
class Plan:
    """What a denormalization joins: ``paths`` from ``row_per`` to each other table, and the
    output columns as ``(label, schema, table, column, type)``."""

    include: list[str]
    via: list[str]
    row_per: str
    paths: dict[str, list[str]]
    columns: list[tuple[str, str, str, str, str]]


class Denormalizer:
    """Denormalizes ``dataset`` (a ``Dataset``, or a ``DatasetBag`` as it is) as of
    ``version`` (None: as the catalog is now), with deriva-ml's ``Denormalizer`` methods.

    Example: ``Denormalizer(bag).as_dataframe(["Image", "Subject"])``."""

    def __init__(self, dataset: Any, *, version: Any = None):
        datasets: DatasetAPI = dataset._datasets
        self._datasets = datasets
        self.catalog = datasets.catalog
        self.dataset_rid: str = dataset.dataset_rid
        self.version = version
        self.snapshot = (datasets.dataset_version_record(self.dataset_rid, version)["Snapshot"]
                         if version else None)
        self.graph = FKGraph(self.catalog.model(self.snapshot), datasets.search_schemas,
                             datasets.ml_schema)

    # -- names -------------------------------------------------------------------------------
    def resolve(self, names: Iterable[str]) -> list[str]:
        """Table names for ``names``: tables as they are, feature names as their tables."""
        out = []
        for name in names:
            if name in self.graph.tables:
                out.append(name)
                continue
            tables = sorted({f.feature_table.name for f in find_features(
                self.catalog, self._datasets.search_schemas, None) if f.feature_name == name})
            if len(tables) != 1:
                why = (f"it is the feature of several tables ({', '.join(tables)}); name its "
                       "table" if tables else "it is neither a table nor a feature")
                raise DerivaMLTableNotFound(name, message=(
                    f"Cannot denormalize {name!r}: {why}. Tables: "
                    f"{', '.join(sorted(self.graph.tables))}."))
            out.append(tables[0])
        return list(dict.fromkeys(out))

    # -- planning ----------------------------------------------------------------------------
    def plan(self, include_tables: list[str], row_per: str | None = None,
             via: list[str] | None = None, system_columns: list[str] | None = None) -> Plan:
        """Check the request and plan its joins (no rows read)."""
        if isinstance(include_tables, str) or not include_tables:
            raise DerivaMLValidationError(
                "include_tables must be a non-empty list of table or feature names, e.g. "
                "['Image', 'Subject'].")
        include, via = self.resolve(include_tables), self.resolve(via or [])
        grain = self.row_per(include, via, self.resolve([row_per])[0] if row_per else None)
        ambiguities = self.ambiguities(grain, include, via)
        if ambiguities:
            raise DerivaMLDenormalizeAmbiguousPath(**ambiguities[0])
        paths = {}
        for t in [*include, *via]:
            if t != grain:
                path, _ = self._route(grain, t, {*include, *via})
                if path is None:
                    raise DerivaMLDenormalizeError(
                        f"{t} cannot be joined to the rows of {grain}: no foreign-key path leads "
                        f"from {grain} to it. Pass row_per= another table, or leave {t} out.")
                paths[t] = path
        return Plan(include, via, grain, paths, self._columns(include, system_columns or []))

    def row_per(self, include: list[str], via: list[str], row_per: str | None) -> str:
        requested = {*include, *via}
        if row_per is not None:
            if row_per not in include:
                raise DerivaMLValidationError(
                    f"row_per={row_per!r} must be one of include_tables={include}.")
            below = sorted(self.graph.below(row_per, requested) & set(include))
            if below:
                raise DerivaMLDenormalizeDownstreamLeaf(row_per, below)
            return row_per
        sinks = self.sinks(include, via)
        if not sinks:
            raise DerivaMLDenormalizeNoSink(
                f"No table of include_tables={include} can be the row grain: their foreign "
                "keys form a cycle. Pass row_per=.")
        if len(sinks) > 1:
            raise DerivaMLDenormalizeMultiLeaf(sinks, include, self._bridges(sinks, requested))
        return sinks[0]

    def sinks(self, include: list[str], via: list[str]) -> list[str]:
        """Requested tables with no other requested table downstream of them."""
        requested = {*include, *via}
        return sorted(t for t in include if not self.graph.below(t, requested))

    def _bridges(self, sinks: list[str], requested: set[str]) -> list[str]:
        found: set[str] = set()
        for i, a in enumerate(sinks):
            for b in sinks[i + 1:]:
                paths = self.graph.paths(a, b)
                if paths:
                    found.update(t for t in min(paths, key=len)[1:-1] if t not in requested)
        return sorted(found)

    def _route(self, grain: str, t: str, requested: set[str]
               ) -> tuple[list[str] | None, list[list[str]]]:
        """The path joining ``t`` to ``grain``'s rows, or None and the competing paths."""
        chains = [p for p in self.graph.paths(grain, t) if self.graph.is_hoisting_chain(p)]
        if len(chains) <= 1:
            return (chains[0] if chains else None), []
        signaled = [p for p in chains if any(m in requested and not self.graph.is_transparent(m)
                                             for m in p[1:-1])]
        if len(signaled) == 1:
            return signaled[0], []
        return None, signaled or chains

    def ambiguities(self, grain: str, include: list[str], via: list[str]) -> list[dict]:
        """One dict (``DerivaMLDenormalizeAmbiguousPath``'s arguments) per ambiguous table."""
        out = []
        for t in sorted({*include, *via} - {grain}):
            _, paths = self._route(grain, t, {*include, *via})
            if paths:
                out.append({"from_table": grain, "to_table": t, "paths": sorted(paths),
                            "suggested_intermediates": sorted(
                                {m for p in paths for m in p[1:-1] if m not in include
                                 and not self.graph.is_transparent(m)})})
        return out

    def _columns(self, include: list[str], keep: list[str]
                 ) -> list[tuple[str, str, str, str, str]]:
        unknown = sorted(set(keep) - set(DROPPED_SYSTEM_COLUMNS))
        if unknown:
            raise DerivaMLValidationError(
                f"system_columns {unknown} are not system columns to keep; choose from "
                f"{list(DROPPED_SYSTEM_COLUMNS)}.")
        skip = set(DROPPED_SYSTEM_COLUMNS) - set(keep)
        specs = [(t.schema, t.name, c.name, c.type) for name in include
                 if not self.graph.is_association(name)
                 for t in [self.graph.table(name)] for c in t.columns if c.name not in skip]
        multi = len({s for s, *_ in specs if s != self.graph.ml_schema}) > 1
        return [(f"{s}.{t}.{c}" if multi else f"{t}.{c}", s, t, c, tp) for s, t, c, tp in specs]

    # -- rows --------------------------------------------------------------------------------
    def _select(self, table: str, column: str, values: Iterable[Any]) -> list[dict]:
        t = self.graph.table(table)
        values = sorted({v for v in values if v is not None}, key=str)
        return [row for i in range(0, len(values), CHUNK)
                for row in self.catalog.select(t.schema, t.name, snapshot=self.snapshot,
                                               where={column: values[i:i + CHUNK]})]

    def _linked(self, a: str, a_rows: list[dict], b: str) -> dict[str, list[dict]]:
        """For each row of ``a``, the rows of ``b`` a foreign key links it to (either way)."""
        out: dict[str, dict[str, dict]] = {r["RID"]: {} for r in a_rows}
        links = [(fk.columns[0], fk.pk_columns[0]) for fk in self.graph.fkeys(a, b)]
        links += [(fk.pk_columns[0], fk.columns[0]) for fk in self.graph.fkeys(b, a)] if a != b \
            else []
        for mine, theirs in links:
            found: dict[Any, list[dict]] = {}
            for row in self._select(b, theirs, (r[mine] for r in a_rows)):
                found.setdefault(row[theirs], []).append(row)
            for r in a_rows:
                for row in found.get(r[mine], []):
                    out[r["RID"]][row["RID"]] = row
        return {rid: list(rows.values()) for rid, rows in out.items()}

    def members(self) -> dict[str, list[str]]:
        """RIDs of the dataset's members (nested datasets' too) by table, datasets left out."""
        members = self._datasets.list_dataset_members(self.dataset_rid, recurse=True,
                                                      version=self.version)
        return {t: [r["RID"] for r in rows] for t, rows in members.items()
                if t != "Dataset" and rows and t in self.graph.tables}

    def _reached(self, table: str, rids: list[str], target: str) -> set[str]:
        """RIDs of ``target`` rows linked to rows ``rids`` of ``table`` along any path."""
        found: set[str] = set()
        for path in self.graph.paths(table, target):
            rows = self._select(table, "RID", rids)
            for a, b in zip(path, path[1:]):
                rows = list({r["RID"]: r for linked in self._linked(a, rows, b).values()
                             for r in linked}.values())
            found.update(r["RID"] for r in rows)
        return found

    def _scope(self, members: dict[str, list[str]], table: str) -> set[str]:
        """RIDs of the rows of ``table`` that are members or reached from members."""
        return set().union(*(set(rids) if t == table else self._reached(t, rids, table)
                             for t, rids in members.items()))

    def reachable_rows(self, table: str) -> list[dict]:
        """The rows of ``table`` in the dataset's scope, by RID."""
        rids = self._scope(self.members(), self.graph.table(table).name)
        return sorted(self._select(table, "RID", rids), key=lambda r: r["RID"])

    def classify(self, plan: Plan, members: dict[str, list[str]], ignore_unrelated: bool
                 ) -> tuple[set[str], dict[str, list[str]]]:
        """The ``row_per`` RIDs in scope, and the members that may need rows of their own."""
        requested = {*plan.include, *plan.via}
        upstream: dict[str, list[str]] = {}
        unrelated = []
        for table, rids in members.items():
            if table in plan.include and table in plan.paths:
                upstream[table] = rids
            if not self.graph.connected(table, requested):
                unrelated.append(table)
        if unrelated and not ignore_unrelated:
            raise DerivaMLDenormalizeUnrelatedAnchor(sorted(unrelated), plan.include)
        return self._scope(members, plan.row_per), upstream

    def _join(self, bindings: list[Binding], path: list[str], bound: set[str]) -> list[Binding]:
        for a, b in zip(path, path[1:]):
            if b in bound:
                continue
            bound.add(b)
            sources = list({bnd[a]["RID"]: bnd[a] for bnd in bindings if bnd[a]}.values())
            linked = self._linked(a, sources, b)
            bindings = [{**bnd, b: row} for bnd in bindings
                        for row in (linked.get(bnd[a]["RID"]) if bnd[a] else None) or [None]]
        return bindings

    def _select_features(self, bindings: list[Binding], table: str,
                         selector: Selector) -> list[Binding]:
        feature = as_feature(self.graph.table(table), self.catalog, None)
        record_class = feature.feature_record_class()
        rows = {b[table]["RID"]: b[table] for b in bindings if b.get(table)}
        records = {rid: record_class(**{k: v for k, v in row.items()
                                        if k in record_class.model_fields})
                   for rid, row in rows.items()}
        rid_of = {id(rec): rid for rid, rec in records.items()}
        chosen = {rid_of[id(rec)] for rec in reduce_with_selector(
            records.values(), feature.target_table.name, selector, feature.qualifier_columns)}
        return [b for b in bindings if not b.get(table) or b[table]["RID"] in chosen]

    def rows(self, include_tables: list[str], *, row_per: str | None = None,
             via: list[str] | None = None, ignore_unrelated_anchors: bool = False,
             selector: Selector | None = None, system_columns: list[str] | None = None
             ) -> tuple[list[str], list[dict[str, Any]]]:
        """The column labels and the rows of the wide table."""
        plan = self.plan(include_tables, row_per, via, system_columns)
        features = [t for t in plan.include if self.graph.is_feature(t)]
        if selector is not None and len(features) != 1:
            raise DerivaMLValidationError(
                f"A selector reduces the values of one feature, so include_tables must hold "
                f"exactly one feature table; it holds {features or 'none'}.")
        scope, upstream = self.classify(plan, self.members(), ignore_unrelated_anchors)
        bindings: list[Binding] = [{plan.row_per: r} for r in sorted(
            self._select(plan.row_per, "RID", scope), key=lambda r: r["RID"])]
        bound = {plan.row_per}
        for path in sorted(plan.paths.values(), key=len):
            bindings = self._join(bindings, path, bound)
        if selector is not None:
            bindings = self._select_features(bindings, features[0], selector)
        for table, rids in upstream.items():
            present = {b[table]["RID"] for b in bindings if b.get(table)}
            bindings += [{table: r} for r in self._select(
                table, "RID", [r for r in rids if r not in present])]
        labels = [c[0] for c in plan.columns]
        return labels, [{label: b[t][c] if b.get(t) else None
                         for label, _, t, c, _ in plan.columns} for b in bindings]

    def as_dataframe(self, include_tables: list[str], *, row_per: str | None = None,
                     via: list[str] | None = None, ignore_unrelated_anchors: bool = False,
                     selector: Selector | None = None, system_columns: list[str] | None = None
                     ) -> pd.DataFrame:
        """The wide table as a DataFrame (``Table.column`` columns)."""
        import pandas as pd

        labels, rows = self.rows(include_tables, row_per=row_per, via=via,
                                 ignore_unrelated_anchors=ignore_unrelated_anchors,
                                 selector=selector, system_columns=system_columns)
        return pd.DataFrame(rows, columns=labels)

    def as_dict(self, include_tables: list[str], *, row_per: str | None = None,
                via: list[str] | None = None, ignore_unrelated_anchors: bool = False,
                selector: Selector | None = None, system_columns: list[str] | None = None
                ) -> Iterator[dict[str, Any]]:
        """The rows of ``as_dataframe`` as dicts, one at a time."""
        yield from self.rows(include_tables, row_per=row_per, via=via,
                             ignore_unrelated_anchors=ignore_unrelated_anchors,
                             selector=selector, system_columns=system_columns)[1]

    def columns(self, include_tables: list[str], *, row_per: str | None = None,
                via: list[str] | None = None) -> list[tuple[str, str]]:
        """``(column label, type)`` of the wide table, from the model alone."""
        return [(label, kind) for label, *_, kind in self.plan(include_tables, row_per,
                                                                via).columns]

    # -- looking before running --------------------------------------------------------------
    def describe(self, include_tables: list[str], *, row_per: str | None = None,
                 via: list[str] | None = None) -> dict[str, Any]:
        """The plan as deriva-ml's 13-key dict; problems are reported, never raised."""
        warnings: list[str] = []

        def attempt(what: str, call: Callable[[], Any], fallback: Any) -> Any:
            try:
                return call()
            except Exception as e:  # noqa: BLE001 - a dry run reports every failure
                warnings.append(f"{what}: {type(e).__name__} ({str(e)[:160]})")
                return fallback

        include = attempt("include_tables", lambda: self.resolve(include_tables),
                          list(include_tables))
        via_list = attempt("via", lambda: self.resolve(via or []), list(via or []))
        candidates = attempt("row_per candidates", lambda: self.sinks(include, via_list), [])
        grain = attempt("row_per", lambda: self.row_per(include, via_list, row_per), None)
        plan = attempt("plan", lambda: self.plan(include, grain, via_list), None) \
            if grain else None
        members = attempt("members", self.members, {})
        join_path = list(dict.fromkeys(t for p in (plan.paths.values() if plan else [])
                                       for t in p))
        if grain and grain not in join_path:
            join_path.insert(0, grain)
        estimate: dict[str, Any] = {"in_scope_row_per_rows": None, "orphan_rows": None,
                                    "total": None}
        if grain:
            others = sorted(t for t in members if t != grain)
            at_grain = len(members.get(grain, []))
            estimate = ({"in_scope_row_per_rows": at_grain, "orphan_rows": None,
                         "total": at_grain} if not others else
                        {**estimate, "reason": f"members of {others} reach an unknown number "
                                               f"of {grain} rows; run the denormalization to "
                                               "count them."})
        return {
            "row_per": grain,
            "row_per_source": "explicit" if row_per else "auto-inferred",
            "row_per_candidates": candidates,
            "columns": [(c[0], c[4]) for c in plan.columns] if plan else [],
            "include_tables": include,
            "via": via_list,
            "join_path": join_path,
            "transparent_intermediates": [t for t in join_path if t not in include],
            "ambiguities": [
                {"type": "multiple_paths", "from": a["from_table"], "to": a["to_table"],
                 "paths": [" → ".join(p) for p in a["paths"]],
                 "suggestions": {"add_to_include_tables": a["suggested_intermediates"],
                                 "add_to_via": a["suggested_intermediates"]}}
                for a in (attempt("ambiguities", lambda: self.ambiguities(grain, include,
                                                                          via_list), [])
                          if grain else [])],
            "estimated_row_count": estimate,
            "anchors": {"total": sum(map(len, members.values())),
                        "by_type": {t: len(r) for t, r in members.items()}},
            "source": "local" if isinstance(self.catalog, BagCatalog) else "catalog",
            "warnings": warnings,
        }

    def list_paths(self, tables: list[str] | None = None) -> dict[str, Any]:
        """What can be denormalized from this dataset: deriva-ml's 6-key dict."""
        anchor_types = sorted(self.members())
        names = sorted(self.graph.tables)
        reachable = {a: sorted(t for t in names if t != a and self.graph.paths(a, t))
                     for a in anchor_types}
        paths = {}
        for source in sorted({*anchor_types, *(tables or [])} & set(names)):
            for target in reachable.get(source) or []:
                if tables is None or source in tables or target in tables:
                    paths[(source, target)] = [{"path": p, "direct": len(p) == 2}
                                               for p in self.graph.paths(source, target)]
        return {
            "member_types": anchor_types,
            "anchor_types": anchor_types,
            "reachable_tables": reachable,
            "association_tables": [t for t in names if self.graph.is_association(t)],
            "feature_tables": [t for t in names if self.graph.is_feature(t)],
            "schema_paths": paths,
        }
