"""Rows an execution stages for a table in a CSV file (``exe.table_path(table)``), inserted
into the catalog when its outputs are uploaded."""

from __future__ import annotations

import csv
from pathlib import Path

from ..catalog.contract import Catalog, Table
from ..dataset.bag_catalog import decode_cell

# Suffix a CSV file gets once its rows are in the catalog, so no upload inserts them again.
UPLOADED = ".uploaded"


def table_file(working_dir: Path, table: Table) -> Path:
    """``<working_dir>/table/<schema>/<Table>/<Table>.csv`` (its folder made)."""
    folder = working_dir / "table" / table.schema / table.name
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{table.name}.csv"


def staged_table_files(working_dir: Path) -> list[Path]:
    """The CSV files of rows not yet inserted."""
    return sorted(p for p in (working_dir / "table").glob("*/*/*.csv") if p.stat().st_size)


def insert_staged_rows(catalog: Catalog, working_dir: Path) -> dict[str, int]:
    """Insert the rows of each staged CSV file (header: column names; an empty cell is
    None), a table in one transaction, then mark the file uploaded; return how many rows
    went into each ``schema/table``."""
    inserted = {}
    for path in staged_table_files(working_dir):
        schema, name = path.parent.parent.name, path.parent.name
        types = {c.name: c.type for c in catalog.model().table(schema, name).columns}
        with open(path, newline="", encoding="utf-8") as f:
            rows = [{k: decode_cell(types.get(k, "text"), v) for k, v in row.items()}
                    for row in csv.DictReader(f)]
        if rows:
            with catalog.transaction():
                catalog.insert(schema, name, rows)
        path.rename(path.with_name(path.name + UPLOADED))
        inserted[f"{schema}/{name}"] = len(rows)
    return inserted
