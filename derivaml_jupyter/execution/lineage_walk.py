"""The walk behind ``ml.lookup_lineage``: from an artifact back through the executions that
produced it and their inputs (data flow, not ``Execution_Execution`` nesting).

An execution's parents are the executions that produced what it consumed: the version of
each input dataset it read (``Dataset_Version.Execution``), the members of that version that
are assets (their ``<Asset>_Execution`` ``Output`` links, read as of the version's snapshot)
and each input asset. Reads are batched per node: one query per kind of link, never one per
input row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..catalog.contract import Table
from ..core.definitions import ML_SCHEMA
from ..core.errors import DerivaMLNotFound, DerivaMLValidationError
from ..dataset.spec import DatasetVersion
from .lineage import (
    AssetSummary,
    DatasetSummary,
    ExecutionSummary,
    LineageNode,
    LineageResult,
    RootDescriptor,
    WorkflowSummary,
)
from .records import input_datasets

if TYPE_CHECKING:
    from ..ml import DerivaML


def classify(ml: DerivaML, rid: str) -> tuple[RootDescriptor, str | None, Table]:
    """The root's descriptor, the RID of the execution that produced it (None if unknown)
    and its table. Workflows and rows that are not artifacts raise."""
    if not rid:
        raise DerivaMLValidationError("lookup_lineage needs a RID (of a dataset, asset, "
                                      "feature value or execution).")
    found = ml.catalog.resolve_rid(rid)
    table = ml.catalog.model().table(found.schema, found.table)
    row, rid = found.row, found.row["RID"]
    if (found.schema, found.table) == (ML_SCHEMA, "Workflow"):
        raise DerivaMLValidationError(
            f"RID {rid} is a Workflow, which describes what to run, not a produced artifact; "
            "pass the RID of a dataset, asset, feature value or execution.")
    if (found.schema, found.table) == (ML_SCHEMA, "Execution"):
        return RootDescriptor(rid=rid, type="Execution", description=row["Description"]), \
            rid, table
    if (found.schema, found.table) == (ML_SCHEMA, "Dataset"):
        return RootDescriptor(rid=rid, type="Dataset", description=row["Description"]), \
            dataset_producer(ml, rid), table
    if table.kind == "asset":
        producers = asset_producers(ml, table, [rid])
        return RootDescriptor(rid=rid, type="Asset", description=row.get("Description")), \
            producers.get(rid), table
    if {"Feature_Name", "Execution"} <= set(table.column_names):
        return RootDescriptor(rid=rid, type="Feature"), row["Execution"], table
    raise DerivaMLValidationError(
        f"RID {rid} is a row of {found.table}, which is not lineage-shaped: lookup_lineage "
        "takes the RID of a dataset, asset, feature value or execution.")


def dataset_versions(ml: DerivaML, dataset_rids: list[str]) -> dict[str, list[dict]]:
    """The ``Dataset_Version`` rows of each dataset, oldest first, in one read."""
    found: dict[str, list[dict]] = {rid: [] for rid in dataset_rids}
    if dataset_rids:
        for row in ml.catalog.select(ML_SCHEMA, "Dataset_Version",
                                     where={"Dataset": dataset_rids},
                                     columns=["Dataset", "Version", "Execution", "Snapshot"]):
            found[row["Dataset"]].append(row)
    for rows in found.values():
        rows.sort(key=lambda r: DatasetVersion.parse(r["Version"]))
    return found


def pick_version(rows: list[dict], version: str | None) -> dict | None:
    """The row of ``version`` among a dataset's version rows (None: the latest)."""
    if version is None:
        return rows[-1] if rows else None
    wanted = DatasetVersion.parse(version)
    return next((r for r in rows if DatasetVersion.parse(r["Version"]) == wanted), None)


def dataset_producer(ml: DerivaML, dataset_rid: str) -> str | None:
    """The execution recorded on the dataset's latest version."""
    row = pick_version(dataset_versions(ml, [dataset_rid])[dataset_rid], None)
    return row["Execution"] if row else None


def asset_producers(ml: DerivaML, table: Table, asset_rids: list[str]) -> dict[str, str]:
    """Asset RID -> the execution that produced it (its first ``Output`` link), in one read."""
    if not asset_rids or not ml.catalog.model().has_table(table.schema,
                                                          f"{table.name}_Execution"):
        return {}
    links = ml.catalog.select(table.schema, f"{table.name}_Execution", sort=["RCT"],
                              where={table.name: asset_rids, "Asset_Role": "Output"})
    found: dict[str, str] = {}
    for link in links:
        found.setdefault(link[table.name], link["Execution"])
    return found


def member_producers(ml: DerivaML, dataset_rid: str, snapshot: str | None = None) -> set[str]:
    """The executions that produced the asset members of the dataset as of ``snapshot``
    (default: its current members): two reads per asset element type."""
    model = ml.catalog.model()
    producers: set[str] = set()
    for name, (association, column) in ml._element_associations(snapshot).items():
        member_table = model.find_table(name, ml.search_schemas)
        if member_table.kind != "asset":
            continue
        members = ml.catalog.select(association.schema, association.name, columns=[column],
                                    where={"Dataset": dataset_rid}, snapshot=snapshot)
        producers |= set(asset_producers(ml, member_table,
                                         list({m[column] for m in members})).values())
    return producers


def consumed_assets(ml: DerivaML, execution_rid: str) -> list[tuple[Table, list[dict]]]:
    """The rows of each asset table the execution read (``Asset_Role`` ``Input``): one joined
    read per asset table."""
    model, found = ml.catalog.model(), []
    for t in ml.list_asset_tables():
        if model.has_table(t.schema, f"{t.name}_Execution"):
            rows = ml.catalog.select_linked(
                t.schema, t.name, via=(t.schema, f"{t.name}_Execution", t.name),
                where={"Execution": execution_rid, "Asset_Role": "Input"})
            if rows:
                found.append((t, rows))
    return found


class LineageWalk:
    """One ``lookup_lineage`` walk: depth-first from the root's producer, each execution
    expanded once (later meetings are ``already_shown`` nodes)."""

    def __init__(self, ml: DerivaML, max_executions: int):
        self.ml = ml
        self.max_executions = max_executions
        self.visited: set[str] = set()
        self.active: set[str] = set()
        self.cycle_detected = False
        self.depth_capped = False
        self.complete = True

    def run(self, rid: str, depth: int | None) -> LineageResult:
        root, producer, _ = classify(self.ml, rid)
        extra: set[str] = set()
        if root.type == "Dataset":
            members = member_producers(self.ml, root.rid)
            if producer is None and members:
                producer, *rest = sorted(members)
                extra = set(rest)
            else:
                extra = members - {producer}
        if producer is None:
            return LineageResult(root=root)
        node = self.expand(producer, depth, extra)
        if node is not None:
            root = root.model_copy(update={"producing_execution": node.execution})
        return LineageResult(root=root, lineage=node, executions_visited=len(self.visited),
                             walked_complete=self.complete, cycle_detected=self.cycle_detected,
                             depth_capped=self.depth_capped)

    def expand(self, execution_rid: str, depth: int | None,
               extra_parents: frozenset[str] | set[str] = frozenset()) -> LineageNode | None:
        if execution_rid in self.active or execution_rid in self.visited:
            self.cycle_detected |= execution_rid in self.active
            return LineageNode(execution=ExecutionSummary(rid=execution_rid, status="Unknown"),
                               already_shown=True)
        if len(self.visited) >= self.max_executions:
            self.complete = False
            return None
        try:
            summary = self.summary(execution_rid)
        except DerivaMLNotFound:  # an input names an execution that no longer exists
            return None
        self.visited.add(execution_rid)
        self.active.add(execution_rid)
        try:
            datasets, assets, parents = self.inputs(execution_rid)
            parents = (parents | set(extra_parents)) - {execution_rid}
            nodes: list[LineageNode] = []
            if depth is None or depth > 0:
                for parent in sorted(parents):
                    node = self.expand(parent, None if depth is None else depth - 1)
                    if node is not None:
                        nodes.append(node)
            elif parents:
                self.depth_capped = True
            return LineageNode(execution=summary, consumed_datasets=datasets,
                               consumed_assets=assets, parents=nodes)
        finally:
            self.active.discard(execution_rid)

    def summary(self, execution_rid: str) -> ExecutionSummary:
        rows = self.ml.catalog.select(ML_SCHEMA, "Execution", where={"RID": execution_rid},
                                      columns=["RID", "Description", "Workflow", "Status"])
        if not rows:
            raise DerivaMLNotFound(f"Execution {execution_rid} does not exist.")
        row = rows[0]
        workflow = None
        if row["Workflow"]:
            names = self.ml.catalog.select(ML_SCHEMA, "Workflow", where={"RID": row["Workflow"]},
                                           columns=["Name"])
            workflow = WorkflowSummary(rid=row["Workflow"],
                                       name=names[0]["Name"] if names else None)
        return ExecutionSummary(rid=row["RID"], description=row["Description"],
                                workflow=workflow, status=row["Status"] or "Created")

    def inputs(self, execution_rid: str
               ) -> tuple[list[DatasetSummary], list[AssetSummary], set[str]]:
        """What the execution consumed, and the executions that produced it: the version of
        each input dataset it read (its producer and the producers of its asset members as
        of that version) and each input asset."""
        ml, parents = self.ml, set()
        edges = input_datasets(ml, execution_rid)
        rids = list(dict.fromkeys(e["rid"] for e in edges))
        versions = dataset_versions(ml, rids)
        descriptions = {r["RID"]: r["Description"] for r in ml.catalog.select(
            ML_SCHEMA, "Dataset", where={"RID": rids}, columns=["RID", "Description"])
            } if rids else {}
        datasets = []
        for edge in edges:
            consumed = pick_version(versions[edge["rid"]], edge["version"])
            latest = pick_version(versions[edge["rid"]], None)
            datasets.append(DatasetSummary(
                rid=edge["rid"], description=descriptions.get(edge["rid"]) or None,
                version=edge["version"] or (latest["Version"] if latest else None)))
            if consumed and consumed["Execution"]:
                parents.add(consumed["Execution"])
            snapshot = consumed["Snapshot"] if consumed and edge["version"] else None
            parents |= member_producers(ml, edge["rid"], snapshot)
        assets = []
        for table, rows in consumed_assets(ml, execution_rid):
            assets += [AssetSummary(rid=r["RID"], filename=r.get("Filename") or None,
                                    asset_table=table.name) for r in rows]
            parents |= set(asset_producers(ml, table, [r["RID"] for r in rows]).values())
        return datasets, assets, parents
