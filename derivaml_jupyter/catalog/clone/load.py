"""Load a dataset bag into a catalog: its tables, rows (RIDs kept), asset files and dataset
versions, ready to be read and extended there.

Rows keep their RIDs and system columns, so a RID seen in the source names the same row in
the copy, and loading the same bag again adds nothing. Tables come first, in foreign-key
order; a key that closes a cycle is filled in once its target rows are there. The dataset
versions the bag holds (each dataset's newest one as of the bag's snapshot) are pinned to
the destination's snapshot holding the loaded rows; earlier versions, whose rows the bag does
not hold, are left out. Rows the destination holds already are kept as they are, so a
destination holds one version of each dataset: a bag of another version is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ...core.errors import DerivaMLConflict, DerivaMLException, DerivaMLValidationError
from ..contract import COLUMN_TYPES, Catalog, Column, ForeignKey, Model, Table
from .options import AssetMode, CloneOptions, OrphanStrategy

Rows = dict[tuple[str, str], list[dict]]
_NEAREST_TYPES = {"timestamp": "timestamptz", "serial2": "int2", "serial4": "int4",
                  "serial8": "int8", "numeric": "float8", "json": "jsonb"}


@dataclass
class TableStats:
    """What loading did to one table."""

    rows_inserted: int = 0
    rows_skipped_existing: int = 0
    rows_skipped_orphan: int = 0
    rows_nullified_orphan: int = 0


@dataclass
class LoadReport:
    """What loading a bag did, by ``schema.table``; ``snapshot`` is the destination's
    snapshot holding the loaded rows, ``files_stored`` the asset files put in its store."""

    table_stats: dict[str, TableStats] = field(default_factory=dict)
    files_stored: int = 0
    snapshot: str = ""
    dataset_versions: dict[str, str] = field(default_factory=dict)

    @property
    def total_rows_inserted(self) -> int:
        return sum(s.rows_inserted for s in self.table_stats.values())

    def stats(self, t: Table) -> TableStats:
        return self.table_stats.setdefault(f"{t.schema}.{t.name}", TableStats())


def load_bag(dest: Catalog, bag_path: Path, options: CloneOptions,
             report: LoadReport | None = None) -> LoadReport:
    """Copy the dataset bag at ``bag_path`` into ``dest`` as ``options`` say; the counts go
    to ``report`` (a new one by default), which is returned."""
    from ...dataset.bag_catalog import BagCatalog
    from ...dataset.dataset_bag import BAG_INFO_SNAPSHOT, read_bag_info

    source = BagCatalog(bag_path, read_bag_info(bag_path)[BAG_INFO_SNAPSHOT])
    model = source.model()
    rows: Rows = {(t.schema, t.name): source.select(t.schema, t.name)
                  for t in model.tables() if source.has_rows_file(t)
                  and f"{t.schema}.{t.name}" not in options.exclude_tables
                  and t.schema not in options.exclude_tables}
    report = report or LoadReport()
    kept_versions = _keep_current_versions(model, rows, source.ml_schema)
    _check_versions(dest, source.ml_schema, kept_versions)
    _create_tables(dest, model)
    _resolve_orphans(dest, model, rows, options.orphan_strategy, report)
    report.files_stored += _store_files(dest, source.data_dir, model, rows, options.asset_mode)
    with dest.transaction():
        for t, deferred in load_order(model, rows):
            _insert(dest, t, rows[(t.schema, t.name)], deferred, report)
    report.snapshot = dest.snapshot()
    report.dataset_versions |= _pin_versions(dest, source.ml_schema, kept_versions,
                                           report.snapshot)
    return report


def _create_tables(dest: Catalog, model: Model) -> None:
    """Create the schemas and tables of ``model`` that ``dest`` lacks, a column of a type
    every backend does not know (ERMrest's ``timestamp``, ``serial4``...) with the nearest
    one that is (values are kept as they are). A foreign key closing a cycle, or into its own
    table, is left out there (the loader fills such columns in last)."""
    have = dest.model()
    missing = [(t.schema, t.name) for t in model.tables() if not have.has_table(t.schema, t.name)]
    dest.create_model({s: "" for s in model.schemas if s not in have.schemas},
                      [_creatable(t, deferred) for t, deferred in load_order(model, missing)])


def _creatable(t: Table, deferred: set[str]) -> Table:
    def known(c: Column) -> Column:
        if c.type in COLUMN_TYPES:
            return c
        return replace(c, type=_NEAREST_TYPES.get(c.type, "text"))

    return replace(t, columns=[known(c) for c in t.columns], foreign_keys=[
        fk for fk in t.foreign_keys if not (_single(fk) and fk.columns[0] in deferred)])


def _keep_current_versions(model: Model, rows: Rows, ml_schema: str) -> list[dict]:
    """Keep each dataset's newest version in the bag (its version as of the bag's snapshot)
    and point the dataset at it; drop the earlier ones (the bag does not hold their state),
    and clear the references to them (which execution used which version). Return the
    versions kept."""
    from ...dataset.spec import DatasetVersion

    newest: dict[str, dict] = {}
    for r in rows.get((ml_schema, "Dataset_Version"), []):
        known = newest.get(r["Dataset"])
        if known is None or DatasetVersion.parse(r["Version"]) > \
                DatasetVersion.parse(known["Version"]):
            newest[r["Dataset"]] = r
    kept = {r["RID"] for r in newest.values()}
    rows[(ml_schema, "Dataset_Version")] = list(newest.values())
    for dataset in rows.get((ml_schema, "Dataset"), []):
        if dataset["RID"] in newest:
            dataset["Version"] = newest[dataset["RID"]]["RID"]
    for (schema, table), table_rows in rows.items():
        for fk in model.table(schema, table).references(ml_schema, "Dataset_Version"):
            if _single(fk) and model.table(schema, table).column(fk.columns[0]).nullok:
                for r in table_rows:
                    if r[fk.columns[0]] not in kept:
                        r[fk.columns[0]] = None
    return list(newest.values())


def _check_versions(dest: Catalog, ml_schema: str, versions: list[dict]) -> None:
    """Refuse a bag holding another version of a dataset ``dest`` holds: the rows the two
    versions share would keep the state of the one loaded first."""
    if not versions or not dest.model().has_table(ml_schema, "Dataset_Version"):
        return
    here = dest.select(ml_schema, "Dataset_Version",
                       where={"Dataset": [r["Dataset"] for r in versions]},
                       columns=["RID", "Dataset", "Version"])
    loading = {r["RID"] for r in versions}
    other = [r for r in here if r["RID"] not in loading]
    if other:
        r = other[0]
        wanted = next(v["Version"] for v in versions if v["Dataset"] == r["Dataset"])
        raise DerivaMLConflict(
            f"Catalog {dest.catalog_id} holds version {r['Version']} of dataset {r['Dataset']}, "
            f"not the version {wanted} being loaded; one local catalog holds one version of a "
            "dataset. Load it into another local catalog (pull --catalog NAME).")


def _store_files(dest: Catalog, data_dir: Path, model: Model, rows: Rows,
                 mode: AssetMode) -> int:
    """Put the bag's asset files in ``dest``'s object store and point their rows at them
    (unless ``mode`` keeps the source URLs); return how many files were stored."""
    from ...dataset.bag_catalog import asset_relpath

    if mode == AssetMode.ROWS_ONLY:
        return 0
    stored = 0
    for (schema, table), table_rows in rows.items():
        t = model.table(schema, table)
        if t.kind != "asset":
            continue
        for row in table_rows:
            if not row.get("URL"):
                continue
            file = data_dir / asset_relpath(t, row)
            if not file.is_file():
                raise DerivaMLValidationError(
                    f"The bag lacks the file of {table} {row['RID']} ({row['Filename']}): "
                    "download it with materialize=True, or clone with "
                    "asset_mode=AssetMode.ROWS_ONLY and copy the files later with "
                    "localize_assets.")
            info = dest.put_object(f"{schema}/{table}", file.name, file, md5=row.get("MD5"))
            row["URL"] = info.url
            stored += 1
    return stored


def _single(fk: ForeignKey) -> bool:
    return len(fk.columns) == 1


def _resolve_orphans(dest: Catalog, model: Model, rows: Rows, strategy: OrphanStrategy,
                     report: LoadReport) -> None:
    """Apply ``strategy`` to rows whose foreign key points at a row neither the bag nor
    ``dest`` holds, until none is left (a deleted row can orphan others)."""
    found_in_dest: dict[tuple[str, str, str], set] = {}
    changed = True
    while changed:
        changed = False
        for (schema, table), table_rows in rows.items():
            t = model.table(schema, table)
            for fk in filter(_single, t.foreign_keys):
                column, target = fk.columns[0], (fk.pk_schema, fk.pk_table)
                present = {r[fk.pk_columns[0]] for r in rows.get(target, [])}
                missing = {r[column] for r in table_rows} - present - {None}
                if not missing:
                    continue
                known = found_in_dest.setdefault((*target, fk.pk_columns[0]), set())
                if missing - known:
                    known |= _present(dest, fk, missing - known)
                if not (missing := missing - known):
                    continue
                kept = _apply(strategy, t, column, table_rows, missing, report)
                changed |= len(kept) != len(table_rows)
                rows[(schema, table)] = table_rows = kept


def _present(dest: Catalog, fk: ForeignKey, values: set) -> set:
    column = fk.pk_columns[0]
    if not dest.model().has_table(fk.pk_schema, fk.pk_table):
        return set()
    return {r[column] for r in dest.select(fk.pk_schema, fk.pk_table,
                                           where={column: sorted(values)}, columns=[column])}


def _apply(strategy: OrphanStrategy, t: Table, column: str, rows: list[dict], missing: set,
           report: LoadReport) -> list[dict]:
    """``rows`` after ``strategy`` dealt with those whose ``column`` is in ``missing``."""
    orphans = [r for r in rows if r[column] in missing]
    if strategy == OrphanStrategy.FAIL:
        raise DerivaMLValidationError(
            f"{len(orphans)} row(s) of {t.schema}.{t.name} (e.g. {orphans[0]['RID']}) refer "
            f"through {column} to rows the clone does not hold ({', '.join(sorted(missing)[:5])}"
            "). Clone with orphan_strategy=OrphanStrategy.DELETE or NULLIFY to drop or clear "
            "those references.")
    stats = report.stats(t)
    if strategy == OrphanStrategy.NULLIFY and t.column(column).nullok:
        for r in orphans:
            r[column] = None
        stats.rows_nullified_orphan += len(orphans)
        return rows
    stats.rows_skipped_orphan += len(orphans)
    return [r for r in rows if r[column] not in missing]


def load_order(model: Model, keys: Iterable[tuple[str, str]]
                ) -> list[tuple[Table, set[str]]]:
    """The tables ``keys`` names, referenced ones first, each with the columns to fill in
    after every insert (keys that close a cycle or point into their own table)."""
    pending = {key: model.table(*key) for key in keys}
    order = []
    while pending:
        def later(t: Table) -> set[str]:
            return {fk.columns[0] for fk in filter(_single, t.foreign_keys)
                    if (fk.pk_schema, fk.pk_table) in pending}

        ready = [t for t in pending.values() if not later(t) - _self_references(t)]
        if not ready:  # a cycle: break it at a table whose keys into it may be null
            ready = [next((t for t in pending.values()
                           if all(t.column(c).nullok for c in later(t))),
                          next(iter(pending.values())))]
        for t in ready:
            order.append((t, later(t)))
            del pending[(t.schema, t.name)]
    return order


def _self_references(t: Table) -> set[str]:
    return {fk.columns[0] for fk in t.references(t.schema, t.name) if _single(fk)}


def _insert(dest: Catalog, t: Table, rows: list[dict], deferred: set[str],
            report: LoadReport) -> None:
    """Insert the rows ``dest`` lacks (``deferred`` columns filled in afterwards)."""
    stats = report.stats(t)
    existing = {r["RID"]: r["RCT"] for r in _chunked_select(dest, t, [r["RID"] for r in rows])}
    _check_same_rows(t, rows, existing)
    new = [r for r in rows if r["RID"] not in existing]
    stats.rows_skipped_existing += len(rows) - len(new)
    here = dest.model().table(t.schema, t.name)
    # A bag writes an empty text and a null alike: an empty cell of a required text is "".
    empty = {c.name: "" for c in here.columns if not c.nullok and c.type in ("text", "markdown")}
    writable = [{k: empty.get(k) if v is None else v for k, v in r.items()
                 if k in here.column_names} for r in new]
    added = dest.import_rows(t.schema, t.name, [
        {**r, **dict.fromkeys(deferred & r.keys())} for r in writable])
    stats.rows_inserted += added
    stats.rows_skipped_existing += len(new) - added
    fill = [{"RID": r["RID"], **{c: r[c] for c in deferred if c in r}} for r in writable
            if any(r.get(c) is not None for c in deferred)]
    if fill and added < len(writable):  # some collided with a row of another RID
        loaded = {r["RID"] for r in _chunked_select(dest, t, [r["RID"] for r in fill])}
        fill = [r for r in fill if r["RID"] in loaded]
    if fill:
        dest.update(t.schema, t.name, fill)


def _check_same_rows(t: Table, rows: list[dict], existing: dict[str, str]) -> None:
    """Refuse to take a row of ``dest`` for the source's row of the same RID when it was
    made at another time: it is another row (minted here after an earlier clone)."""
    clashes = [r["RID"] for r in rows if r["RID"] in existing and r["RCT"] != existing[r["RID"]]]
    if clashes:
        raise DerivaMLConflict(
            f"{t.schema}.{t.name} here already has other rows with the RIDs of source rows "
            f"({', '.join(clashes[:5])}): rows made here after an earlier clone. Clone into a "
            "new local catalog (pull --catalog NAME).")


def _chunked_select(dest: Catalog, t: Table, rids: list[str], chunk: int = 500) -> Iterable[dict]:
    for i in range(0, len(rids), chunk):
        yield from dest.select(t.schema, t.name, where={"RID": rids[i:i + chunk]},
                               columns=["RID", "RCT"])


def _pin_versions(dest: Catalog, ml_schema: str, versions: list[dict], snapshot: str
                  ) -> dict[str, str]:
    """Point the loaded dataset versions still carrying the source's snapshot at
    ``snapshot``; return the version of each dataset loaded, by dataset RID."""
    if not versions:
        return {}
    source = {r["RID"]: r["Snapshot"] for r in versions}
    here = dest.select(ml_schema, "Dataset_Version", where={"RID": list(source)},
                       columns=["RID", "Snapshot"])
    stale = [{"RID": r["RID"], "Snapshot": snapshot} for r in here
             if r["Snapshot"] == source[r["RID"]]]
    if len(here) != len(source):
        raise DerivaMLException(
            f"Dataset versions {sorted(set(source) - {r['RID'] for r in here})} were not "
            "loaded; load the bag again.")
    if stale:
        dest.update(ml_schema, "Dataset_Version", stale)
    return {r["Dataset"]: r["Version"] for r in versions}
