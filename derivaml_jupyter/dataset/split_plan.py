"""The read side of ``split_dataset`` and ``subsample``: the source's members as they are
now, in RID order, as a DataFrame with deriva-ml's ``Table.column`` names, and the partitions
a selection function chooses from it. Nothing here writes to the catalog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.definitions import MLVocab
from ..core.errors import (
    DerivaMLNotFound,
    DerivaMLNotImplemented,
    DerivaMLTableNotFound,
    DerivaMLValidationError,
)
from .selection import (
    SelectionFunction,
    ordered_split,
    random_split,
    require_column,
    stratified_split,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..catalog.contract import Model, Table
    from ..ml import DerivaML


@dataclass
class Plan:
    """Which source members go into which partition."""

    source: str
    version: str
    element_table: str
    partitions: dict[str, list[str]]
    strategy: str


def check_options(*, stratify_by_column: str | None, selection_fn: Any,
                   include_tables: list[str] | None, row_per: str | None,
                   element_table: str | None, partition_by: str | None,
                   via: list[str] | None) -> str:
    """The partition unit (``"element"`` unless given); raises on conflicting options."""
    if stratify_by_column and selection_fn:
        raise DerivaMLValidationError(
            "stratify_by_column and selection_fn are mutually exclusive. Use one or the other.")
    if (stratify_by_column or selection_fn) and not include_tables:
        raise DerivaMLValidationError(
            f"include_tables is required when using "
            f"{'stratify_by_column' if stratify_by_column else 'a custom selection_fn'}: name "
            "the tables whose columns it reads (e.g., include_tables=['Image']).")
    if partition_by not in (None, "element", "row"):
        raise DerivaMLValidationError(
            f"partition_by must be 'element', 'row', or None, got {partition_by!r}.")
    if row_per is not None and row_per != element_table and partition_by is None:
        raise DerivaMLValidationError(
            f"partition_by is required when row_per != element_table (got row_per={row_per!r},"
            f" element_table={element_table!r}): 'element' keeps partitions disjoint by "
            "element, 'row' partitions the rows.")
    if via:
        raise DerivaMLNotImplemented(
            "via= forces tables into deriva-ml's denormalization joins, which derivaml does "
            "not have yet; stratify by a column of the element table or of a table it "
            "references.")
    return partition_by or "element"


def _is_feature(ml: DerivaML, name: str, table: Table | None) -> bool:
    if table is not None:
        return "Feature_Name" in table.column_names
    try:
        ml.lookup_term(MLVocab.feature_name, name)
    except DerivaMLNotFound:
        return False
    return True


def _joined_table(ml: DerivaML, model: Model, element: Table, name: str
                  ) -> tuple[Table, str, str] | None:
    """``(table, element column, key column)`` joining ``name`` to ``element`` through one of
    its foreign keys; None for the element table itself."""
    referenced = sorted({fk.pk_table for fk in element.foreign_keys})
    usable = f"include_tables may name {element.name}" + (
        f" and the tables it references: {', '.join(referenced)}" if referenced else "") + "."
    try:
        table = model.find_table(name, ml.search_schemas)
    except DerivaMLNotFound:
        if not _is_feature(ml, name, None):
            raise DerivaMLTableNotFound(name, message=(
                f"include_tables names {name!r}, but there is no table named {name!r}; "
                f"{usable}")) from None
        table = None
    if table is not None and (table.schema, table.name) == (element.schema, element.name):
        return None
    fks = [] if table is None else element.references(table.schema, table.name)
    if len(fks) == 1 and len(fks[0].columns) == 1:
        return table, fks[0].columns[0], fks[0].pk_columns[0]
    what = "feature values" if _is_feature(ml, name, table) else f"columns of {name}"
    raise DerivaMLNotImplemented(
        f"Selecting by {what} needs a join beyond {element.name}'s own foreign keys "
        f"(deriva-ml's denormalization), which derivaml does not have yet; {usable}")


def _member_frame(ml: DerivaML, element: Table, rows: list[dict],
                  include_tables: list[str]) -> pd.DataFrame:
    """One row per member: ``Element.column`` columns, plus ``Table.column`` columns of each
    included table the element references (deriva-ml's denormalized column names)."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=element.column_names).add_prefix(f"{element.name}.")
    model = ml.catalog.model()
    for name in dict.fromkeys(include_tables):
        joined = _joined_table(ml, model, element, name)
        if joined is None:
            continue
        table, column, key = joined
        keys = frame[f"{element.name}.{column}"].dropna().unique().tolist()
        related = ml.catalog.select(table.schema, table.name,
                                    where={key: keys}) if keys else []
        other = pd.DataFrame(related, columns=table.column_names)
        frame = frame.merge(other.add_prefix(f"{table.name}."), how="left",
                            left_on=f"{element.name}.{column}", right_on=f"{table.name}.{key}")
    return frame


def _pick_element_table(members: dict[str, list[dict]], source: str,
                        element_table: str | None) -> str:
    tables = [t for t, rows in members.items() if t != "Dataset" and rows]
    if element_table is None:
        if not tables:
            raise DerivaMLValidationError(
                f"Source dataset {source} has no members. Cannot split an empty dataset.")
        if len(tables) > 1:
            raise DerivaMLValidationError(
                f"Source dataset has members in multiple tables: {tables}. Specify "
                "element_table to choose which one to split.")
        return tables[0]
    if not members.get(element_table):
        raise DerivaMLValidationError(
            f"Source dataset {source} has no members in table '{element_table}'. Available "
            f"tables with members: {tables}")
    return element_table


def plan_partitions(ml: DerivaML, source_dataset_rid: str,
                    sizes_of: Callable[[int], dict[str, int]], *, element_table: str | None,
                    shuffle: bool, seed: int, stratify_by_column: str | None,
                    stratify_missing: str, include_tables: list[str] | None,
                    selection_fn: SelectionFunction | None, row_per: str | None) -> Plan:
    """Read the source's members (now; its current version is what the plan records) and
    choose the partitions."""
    import pandas as pd

    source = ml.lookup_dataset(source_dataset_rid).dataset_rid
    record = ml.dataset_version_record(source)
    members = ml.list_dataset_members(source, recurse=True)
    element_table = _pick_element_table(members, source, element_table)
    if row_per not in (None, element_table):
        raise DerivaMLNotImplemented(
            f"row_per={row_per!r} makes one row per {row_per} (deriva-ml's denormalization), "
            f"which derivaml does not have yet; the rows here are the {element_table} members.")
    rows = sorted(members[element_table], key=lambda r: r["RID"])
    rid_column = f"{element_table}.RID"
    if stratify_by_column or selection_fn:
        frame = _member_frame(ml, ml.find_table(element_table), rows, include_tables or [])
    else:
        frame = pd.DataFrame({rid_column: [r["RID"] for r in rows]})
    if stratify_by_column:
        require_column(frame, stratify_by_column)
        if stratify_missing == "drop":
            frame = frame[frame[stratify_by_column].notna()].reset_index(drop=True)
        selector = stratified_split(stratify_by_column, missing=stratify_missing)
        strategy = f"stratified by {stratify_by_column}"
    elif selection_fn is not None:
        selector, strategy = selection_fn, "custom selection function"
    else:
        selector, strategy = (random_split if shuffle else ordered_split), "random"
    sizes = sizes_of(len(frame))
    partitions = _partition_rids(frame[rid_column], selector(frame, sizes, seed), sizes,
                                 element_table)
    return Plan(source, record["Version"], element_table, partitions, strategy)


def _partition_rids(rids: pd.Series, chosen: dict[str, Any], sizes: dict[str, int],
                    element_table: str) -> dict[str, list[str]]:
    """The RIDs at the positions a selection function chose, checked to be disjoint."""
    missing = [name for name in sizes if name not in chosen]
    if missing:
        raise DerivaMLValidationError(
            f"The selection function returned no {', '.join(missing)} partition (it returned "
            f"{', '.join(chosen) or 'none'}).")
    partitions = {name: rids.iloc[list(chosen[name])].tolist() for name in sizes}
    seen: dict[str, str] = {}
    for name, members in partitions.items():
        for rid in members:
            if rid in seen:
                raise DerivaMLValidationError(
                    f"The selection put {element_table} {rid} in both {seen[rid]} and {name}; "
                    "partitions must not share elements.")
            seen[rid] = name
    return partitions
