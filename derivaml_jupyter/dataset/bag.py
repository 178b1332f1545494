"""Download a dataset version as a BDBag, cached under ``<cache_dir>/bags/<RID>_<version>/``.

The bag is the catalog as of the version's snapshot, restricted to the dataset: its rows and
those of every nested dataset, the rows linked to them through a ``Dataset`` column (versions,
types, nesting, members), every row those reference by foreign key (transitively), the feature
values of the rows reached (and what they reference), and the vocabularies in full. Asset
files are listed in ``fetch.txt`` with the catalog's MD5 and length (bdbag hashes only the
CSVs) and copied to ``data/asset/<RID>/<Table>/<Filename>`` unless ``materialize=False``.
The bag is built in a ``.partial-*`` folder (held by the download while it works, so
``derivaml gc`` can tell one a killed download left) and renamed into place.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..catalog.contract import Catalog, Table
from ..core.errors import DerivaMLException, DerivaMLValidationError
from ..core.partials import PREFIX, partial_dir, remove_if_abandoned
from ..feature.discovery import feature_target
from .bag_catalog import asset_relpath, write_model, write_table
from .dataset_bag import (
    BAG_INFO_CATALOG,
    BAG_INFO_RID,
    BAG_INFO_SNAPSHOT,
    BAG_INFO_VERSION,
    DatasetBag,
)
from .spec import DatasetSpec, DatasetVersion

if TYPE_CHECKING:
    from ..ml import DerivaML

CHUNK = 500  # RIDs per select
FETCH_THREADS = 8  # concurrent file copies (file system and network calls overlap well)
FETCH_BATCH = 32  # files per task


def _as_spec(spec: Any) -> DatasetSpec:
    from .dataset import Dataset

    if isinstance(spec, DatasetSpec):
        return spec
    if isinstance(spec, str):
        return DatasetSpec.from_shorthand(spec)
    if isinstance(spec, Mapping):
        return DatasetSpec.from_mapping(spec)
    if isinstance(spec, Dataset):
        return DatasetSpec(rid=spec.dataset_rid)
    if isinstance(spec, DatasetBag):
        return DatasetSpec(rid=spec.dataset_rid, version=spec.version, materialize=False)
    raise DerivaMLValidationError(
        f"Cannot download {spec!r}: pass a DatasetSpec(rid=..., version=...), a "
        "'RID@version' string, a Dataset or a DatasetBag (as execution.datasets holds).")


def download_dataset_bag(ml: DerivaML, spec: Any) -> DatasetBag:
    """The bag of ``spec``'s dataset version: from the cache, else built; its files fetched
    when ``spec.materialize``. ``spec`` may also be a ``Dataset`` (its current version) or a
    bag already downloaded, such as those in ``execution.datasets``, which comes back as it is."""
    if isinstance(spec, DatasetBag) and _cached(ml, spec.path, spec.snapshot):
        return DatasetBag(spec.path, ml.catalog, spec.dataset_rid)
    spec = _as_spec(spec)
    record = ml.dataset_version_record(spec.rid, spec.version)
    if not record.get("Snapshot"):
        raise DerivaMLValidationError(
            f"Version {record['Version']} of dataset {record['Dataset']} has no snapshot, so "
            "it cannot be downloaded; release it with ml.increment_dataset_version(...).")
    version = DatasetVersion.parse(record["Version"])
    excluded = _excluded_tables(ml, spec.exclude_tables)
    name = f"{record['Dataset']}_{version}"
    if excluded:  # a different bag: cache it under its own name
        name += "-without-" + "-".join(sorted(f"{s}.{t}" for s, t in excluded))
    dest = Path(ml.cache_dir) / "bags" / name
    bag = _cached(ml, dest, record["Snapshot"])
    if bag is None:
        built = _build(ml, record, dest, spec.materialize, excluded)
        bag = DatasetBag(dest, ml.catalog)
        if built:
            return bag
    return bag.materialize() if spec.materialize else bag


def _cached(ml: DerivaML, dest: Path, snapshot: str) -> DatasetBag | None:
    """The bag at ``dest`` if it is a complete bag of ``snapshot``."""
    try:
        bag = DatasetBag(dest, ml.catalog)
    except (DerivaMLException, OSError, ValueError, KeyError):
        return None
    return bag if bag.snapshot == snapshot else None


def _remove_abandoned_partials(dest: Path) -> None:
    """Delete half-built bags of ``dest`` that killed downloads left behind (a live download
    holds its own, see ``core.partials``)."""
    for partial in dest.parent.glob(f"{PREFIX}{dest.name}-*"):
        remove_if_abandoned(partial)


def _excluded_tables(ml: DerivaML, names: Iterable[str] | None) -> frozenset[tuple[str, str]]:
    """``(schema, table)`` of each table a spec's ``exclude_tables`` names (checked)."""
    excluded = set()
    for name in names or ():
        t = ml.find_table(name)
        if (t.schema, t.name) in ((ml.ml_schema, "Dataset"), (ml.ml_schema, "Dataset_Version")):
            raise DerivaMLValidationError(
                f"{t.name} cannot be excluded from a bag: it describes the dataset itself.")
        excluded.add((t.schema, t.name))
    return frozenset(excluded)


def _build(ml: DerivaML, record: dict, dest: Path, materialize: bool,
           excluded: frozenset[tuple[str, str]] = frozenset()) -> bool:
    """Make the bag at ``dest``; False if another process made it meanwhile."""
    from bdbag import bdbag_api

    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_partials(dest)
    with partial_dir(dest.parent, f"{PREFIX}{dest.name}-") as work:
        work = work.resolve()
        root = work / "bag"
        root.mkdir()
        model = ml.catalog.model(record["Snapshot"])
        tables = collect_rows(ml, record["Dataset"], record["Snapshot"], excluded)
        for t, rows in tables:
            write_table(root, t, rows)
        write_model(root, model, ml.ml_schema, ml.domain_schema)
        assets = [(t, row) for t, rows in tables if t.kind == "asset" for row in rows]
        manifest = None
        if assets:
            manifest = work / "remote-files.json"
            with open(manifest, "w", encoding="utf-8") as f:
                for t, row in assets:
                    f.write(json.dumps({"url": row["URL"], "length": row["Length"],
                                        "filename": asset_relpath(t, row),
                                        "md5": row["MD5"]}) + "\n")
        metadata = {
            BAG_INFO_RID: record["Dataset"], BAG_INFO_VERSION: record["Version"],
            BAG_INFO_SNAPSHOT: record["Snapshot"],
            BAG_INFO_CATALOG: f"{ml.catalog.hostname}/{ml.catalog.catalog_id}",
            "External-Description": f"Dataset {record['Dataset']} version {record['Version']}",
        }
        # bdbag writes the manifests while the files are fetched aside, then one rename moves
        # them in. (bdbag changes the working directory meanwhile: every path here is absolute.)
        with ThreadPoolExecutor(1) as side:
            bagging = side.submit(
                bdbag_api.make_bag, str(root), algs=["md5"], metadata=metadata,
                remote_file_manifest=str(manifest) if manifest else None,
                config_file=str(work / "bdbag.cfg"))
            if materialize and assets:
                fetch_assets(ml.catalog, work / "payload", assets, atomic=False)
        bagging.result()
        if materialize and assets:
            os.rename(work / "payload" / "asset", root / "data" / "asset")
        return _move_into_place(ml, root, dest, record["Snapshot"], work)


def _move_into_place(ml: DerivaML, root: Path, dest: Path, snapshot: str, work: Path) -> bool:
    """Rename the finished bag to ``dest``; a stale bag there (another catalog state) is
    replaced, a valid one (made meanwhile by another process) kept (returns False)."""
    if dest.exists():
        if _cached(ml, dest, snapshot) is not None:
            return False
        os.rename(dest, work / "stale")
    try:
        os.rename(root, dest)
    except OSError:
        if _cached(ml, dest, snapshot) is None:
            raise
        return False
    return True


def _select_in(catalog: Catalog, t: Table, column: str, values: Iterable[str],
               snapshot: str) -> list[dict]:
    values = list(values)
    rows = []
    for i in range(0, len(values), CHUNK):
        rows += catalog.select(t.schema, t.name, where={column: values[i:i + CHUNK]},
                               snapshot=snapshot)
    return rows


def collect_rows(ml: DerivaML, dataset_rid: str, snapshot: str,
                 excluded: frozenset[tuple[str, str]] = frozenset()
                 ) -> list[tuple[Table, list[dict]]]:
    """The rows of the bag of ``dataset_rid`` as of ``snapshot``, by table; the walk does
    not enter ``excluded`` tables."""
    catalog = ml.catalog
    model = catalog.model(snapshot)  # tables added since are not there
    dataset = model.table(ml.ml_schema, "Dataset")
    nesting = model.table(ml.ml_schema, "Dataset_Dataset")
    anchors = {dataset_rid: None}  # the dataset and its descendants, in order
    frontier = [dataset_rid]
    while frontier:
        links = _select_in(catalog, nesting, "Dataset", frontier, snapshot)
        frontier = list(dict.fromkeys(r["Nested_Dataset"] for r in links
                                      if r["Nested_Dataset"] not in anchors))
        anchors.update(dict.fromkeys(frontier))

    tables: dict[tuple[str, str], dict[str, dict]] = {}

    def add(t: Table, rows: list[dict]) -> list[dict]:
        if (t.schema, t.name) in excluded:
            return []
        known = tables.setdefault((t.schema, t.name), {})
        new = [r for r in rows if r["RID"] not in known]
        known.update((r["RID"], r) for r in new)
        return new

    pending = [(dataset, add(dataset, _select_in(catalog, dataset, "RID", anchors, snapshot)))]
    for t in model.tables():
        for fk in t.references(ml.ml_schema, "Dataset"):
            if fk.columns == ("Dataset",):
                pending.append((t, add(t, _select_in(catalog, t, "Dataset", anchors, snapshot))))
    features = [(t, fk) for t in model.tables() if (fk := feature_target(t)) is not None]
    while pending:
        while pending:  # follow foreign keys outward from every new row
            t, rows = pending.pop()
            for fk in t.foreign_keys:
                target = model.table(fk.pk_schema, fk.pk_table)
                if (target.kind == "vocabulary" or len(fk.columns) != 1
                        or (target.schema, target.name) in excluded):
                    continue
                known = tables.get((target.schema, target.name), {})
                values = {r[fk.columns[0]] for r in rows} - {None}
                if fk.pk_columns == ("RID",):
                    values -= known.keys()
                if values:
                    found = _select_in(catalog, target, fk.pk_columns[0], values, snapshot)
                    pending.append((target, add(target, found)))
        for t, fk in features:  # the feature values of the rows reached, and what they reach
            targets = tables.get((fk.pk_schema, fk.pk_table), {})
            if targets:
                new = add(t, _select_in(catalog, t, fk.columns[0], targets, snapshot))
                if new:
                    pending.append((t, new))
    for t in model.tables():
        if t.kind == "vocabulary":
            add(t, list(catalog.iter_rows(t.schema, t.name, snapshot=snapshot)))
    return [(model.table(*key), list(rows.values())) for key, rows in tables.items() if rows]


def fetch_assets(catalog: Catalog, data_dir: Path, assets: list[tuple[Table, dict]],
                 *, atomic: bool) -> None:
    """Copy the files of ``assets`` from the catalog into ``data_dir/asset/...`` on a few
    threads, checking each against the MD5 and length the catalog recorded. ``atomic`` fetches
    each file into a ``.partial-*`` folder beside it first (for bags already in place)."""
    from tqdm.auto import tqdm

    def fetch_batch(batch: list[tuple[Table, dict]]) -> int:
        return sum(_fetch_one(catalog, data_dir, t, row, atomic=atomic) for t, row in batch)

    total = sum(int(row["Length"] or 0) for _, row in assets)
    batches = [assets[i:i + FETCH_BATCH] for i in range(0, len(assets), FETCH_BATCH)]
    pool = ThreadPoolExecutor(FETCH_THREADS)
    try:
        with tqdm(total=total, unit="B", unit_scale=True, desc="Fetching asset files") as bar:
            for length in pool.map(fetch_batch, batches):
                bar.update(length)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _fetch_one(catalog: Catalog, data_dir: Path, t: Table, row: dict, *, atomic: bool) -> int:
    dest = data_dir / asset_relpath(t, row)
    if not atomic:
        return _fetch_checked(catalog, t, row, dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with partial_dir(dest.parent) as work:  # held while fetched: `derivaml gc` skips it
        target = work / dest.name
        length = _fetch_checked(catalog, t, row, target)
        os.replace(target, dest)
    return length


def _fetch_checked(catalog: Catalog, t: Table, row: dict, dest: Path) -> int:
    """Copy the object of asset row ``row`` to ``dest``, checked against its MD5 and length."""
    info = catalog.get_object(row["URL"], dest)
    if info.length != row["Length"] or info.md5 != row["MD5"]:
        raise DerivaMLValidationError(
            f"The object {row['URL']} of {t.name} {row['RID']} has MD5 {info.md5} and "
            f"{info.length} bytes, but the catalog recorded {row['MD5']} and "
            f"{row['Length']}. Re-upload the file.")
    return info.length
