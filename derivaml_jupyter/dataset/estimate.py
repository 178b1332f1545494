"""What a dataset bag would hold, before it is downloaded: rows, asset bytes and CSV bytes.

The rows are found exactly as the bag's are (``bag.collect_rows``, at the version's
snapshot), so the counts are exact, not estimates; nothing is written or fetched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .bag import collect_rows, excluded_tables, pinned_record
from .bag_catalog import csv_bytes
from .cache import human_size
from .spec import DatasetSpec

if TYPE_CHECKING:
    from ..ml import DerivaML


def estimate_bag(ml: DerivaML, spec: DatasetSpec) -> dict[str, Any]:
    """deriva-ml's estimate dict: ``tables`` (``{name: {row_count, is_asset, asset_bytes,
    csv_bytes, incomplete}}``), ``total_rows``, ``total_asset_bytes``/``_size``,
    ``total_csv_bytes``/``_size``, ``total_estimated_bytes``/``_size``, ``incomplete``
    (always False: the counts are exact) and ``incomplete_tables``."""
    record = pinned_record(ml, spec)
    tables: dict[str, dict[str, Any]] = {}
    for t, rows in collect_rows(ml, record["Dataset"], record["Snapshot"],
                                excluded_tables(ml, spec.exclude_tables),
                                concurrency=spec.reachability_concurrency):
        is_asset = t.kind == "asset"
        entry = tables.setdefault(t.name, {"row_count": 0, "is_asset": is_asset,
                                           "asset_bytes": 0, "csv_bytes": 0,
                                           "incomplete": False})
        entry["row_count"] += len(rows)
        entry["csv_bytes"] += csv_bytes(t, rows)
        if is_asset:
            entry["asset_bytes"] += sum(int(r["Length"] or 0) for r in rows)
    assets = sum(e["asset_bytes"] for e in tables.values())
    csv = sum(e["csv_bytes"] for e in tables.values())
    return {"tables": tables, "total_rows": sum(e["row_count"] for e in tables.values()),
            "total_asset_bytes": assets, "total_asset_size": human_size(assets),
            "total_csv_bytes": csv, "total_csv_size": human_size(csv),
            "total_estimated_bytes": assets + csv,
            "total_estimated_size": human_size(assets + csv),
            "incomplete": False, "incomplete_tables": []}


def estimate_denormalized(ml: DerivaML, include_tables: list[str]) -> dict[str, Any]:
    """The wide table of ``include_tables`` over the whole catalog (no dataset): its
    ``columns`` (``(label, type)``), ``join_path`` (the tables joined, associations left
    out), and per table and in total the rows and asset bytes there are."""
    from types import SimpleNamespace

    from .denormalize import Denormalizer

    plan = Denormalizer(SimpleNamespace(_datasets=ml, dataset_rid=None)).plan(include_tables)
    graph_tables = [plan.row_per, *(t for path in plan.paths.values() for t in path)]
    join_path = [name for name in dict.fromkeys(graph_tables)
                 if name != "Dataset" and ml.find_table(name).kind != "association"]
    tables: dict[str, dict[str, Any]] = {}
    for name in join_path:
        t = ml.find_table(name)
        is_asset = t.kind == "asset"
        tables[name] = {
            "row_count": ml.catalog.count(t.schema, t.name), "is_asset": is_asset,
            "asset_bytes": sum(int(r["Length"] or 0) for r in ml.catalog.select(
                t.schema, t.name, columns=["Length"])) if is_asset else 0}
    assets = sum(e["asset_bytes"] for e in tables.values())
    return {"columns": [(label, type_) for label, _, _, _, type_ in plan.columns],
            "join_path": join_path, "tables": tables,
            "total_rows": sum(e["row_count"] for e in tables.values()),
            "total_asset_bytes": assets, "total_asset_size": human_size(assets)}
