"""Download a dataset version as a BDBag, cached under ``<cache_dir>/bags/<RID>_<version>/``.

The bag is the catalog as of the version's snapshot, restricted to the dataset: its rows and
those of every nested dataset, the rows linked to them through a ``Dataset`` column (versions,
types, nesting, members), every row those reference by foreign key (transitively), the feature
values of the rows reached (and what they reference), and the vocabularies in full. Asset
files are listed in ``fetch.txt`` and the manifest with the catalog's MD5 and length (see
``bagit_files``) and copied to ``data/asset/<RID>/<Table>/<Filename>`` unless
``materialize=False``, in the background while the tables and BagIt files are written
(``asset_fetch``).
The bag is built in a ``.partial-*`` folder (held by the download while it works, so
``derivaml gc`` can tell one a killed download left) and renamed into place.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..catalog.contract import Catalog, Table
from ..core.errors import DerivaMLException, DerivaMLValidationError
from ..core.partials import PREFIX, partial_dir, remove_if_abandoned
from ..feature.discovery import feature_target
from .asset_fetch import fetching
from .bag_catalog import asset_relpath, write_model, write_table
from .bagit_files import PayloadFile, write_bag_files
from .cache import warn_once
from .dataset_bag import (
    BAG_INFO_CATALOG,
    BAG_INFO_RID,
    BAG_INFO_SNAPSHOT,
    BAG_INFO_VERSION,
    DatasetBag,
)
from .release import is_dev
from .spec import DatasetSpec, DatasetVersion

if TYPE_CHECKING:
    from ..ml import DerivaML

CHUNK = 500  # RIDs per select


def as_spec(spec: Any) -> DatasetSpec:
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
    bag already downloaded, such as those in ``execution.datasets``, which comes back as it is.
    A dev version (see ``Dataset.mark_dev``) is the dataset as it is now."""
    if isinstance(spec, DatasetBag) and _cached(ml, spec.path, spec.snapshot):
        return DatasetBag(spec.path, spec.dataset_rid, source_catalog=ml.catalog)
    spec = as_spec(spec)
    record = pinned_record(ml, spec)
    dest = bag_path(ml, record, excluded_tables(ml, spec.exclude_tables))
    bag = _cached(ml, dest, record["Snapshot"])
    if bag is None:
        catalog = with_timeout(ml.catalog, spec.timeout)
        built = _build(ml, record, dest, spec, catalog)
        bag = DatasetBag(dest, source_catalog=ml.catalog)
        if built:
            return bag
    return bag.materialize(fetch_concurrency=spec.fetch_concurrency) if spec.materialize \
        else bag


def pinned_record(ml: DerivaML, spec: DatasetSpec) -> dict:
    """The ``Dataset_Version`` row of ``spec``, its ``Snapshot`` the catalog's current one
    for a dev version (which is read live)."""
    record = ml.dataset_version_record(spec.rid, spec.version)
    if not record.get("Snapshot") and is_dev(record):
        record = {**record, "Snapshot": ml.catalog.snapshot()}
    if not record.get("Snapshot"):
        raise DerivaMLValidationError(
            f"Version {record['Version']} of dataset {record['Dataset']} has no snapshot, so "
            "it cannot be downloaded; release it with ml.increment_dataset_version(...).")
    return record


def bag_path(ml: DerivaML, record: dict, excluded: frozenset[tuple[str, str]]) -> Path:
    """Where the bag of a version row lives in the cache: ``bags/<RID>_<version>``, with
    ``-without-<schema.table>...`` when tables are excluded (a different bag)."""
    name = f"{record['Dataset']}_{DatasetVersion.parse(record['Version'])}"
    if excluded:
        name += "-without-" + "-".join(sorted(f"{s}.{t}" for s, t in excluded))
    return Path(ml.cache_dir) / "bags" / name


def with_timeout(catalog: Catalog, timeout: tuple[int, int] | None) -> Catalog:
    """``catalog``, its requests bounded by ``timeout`` (connect, read seconds) when given:
    a second connection to the same DERIVA catalog. The embedded catalog makes no network
    requests, so there it warns once and is returned as it is."""
    if timeout is None:
        return catalog
    from ..catalog.deriva.catalog import DerivaCatalog

    if isinstance(catalog, DerivaCatalog):
        return DerivaCatalog(catalog.hostname, catalog.catalog_id, catalog._credential,
                             scheme=catalog._scheme, timeout=timeout)
    warn_once("timeout", "DatasetSpec.timeout bounds requests to a DERIVA server; the "
              "embedded catalog makes none, so it has no effect here.")
    return catalog


def _cached(ml: DerivaML, dest: Path, snapshot: str) -> DatasetBag | None:
    """The bag at ``dest`` if it is a complete bag of ``snapshot``."""
    try:
        bag = DatasetBag(dest, source_catalog=ml.catalog)
    except (DerivaMLException, OSError, ValueError, KeyError):
        return None
    return bag if bag.snapshot == snapshot else None


def _remove_abandoned_partials(dest: Path) -> None:
    """Delete half-built bags of ``dest`` that killed downloads left behind (a live download
    holds its own, see ``core.partials``)."""
    for partial in dest.parent.glob(f"{PREFIX}{dest.name}-*"):
        remove_if_abandoned(partial)


def excluded_tables(ml: DerivaML, names: Iterable[str] | None) -> frozenset[tuple[str, str]]:
    """``(schema, table)`` of each table a spec's ``exclude_tables`` names (checked)."""
    excluded = set()
    for name in names or ():
        t = ml.find_table(name)
        if (t.schema, t.name) in ((ml.ml_schema, "Dataset"), (ml.ml_schema, "Dataset_Version")):
            raise DerivaMLValidationError(
                f"{t.name} cannot be excluded from a bag: it describes the dataset itself.")
        excluded.add((t.schema, t.name))
    return frozenset(excluded)


def _build(ml: DerivaML, record: dict, dest: Path, spec: DatasetSpec, catalog: Catalog) -> bool:
    """Make the bag at ``dest``, reading ``catalog``; False if another process made it
    meanwhile."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    _remove_abandoned_partials(dest)
    with partial_dir(dest.parent, f"{PREFIX}{dest.name}-") as work:
        root = work / "bag"
        data = root / "data"
        data.mkdir(parents=True)
        model = catalog.model(record["Snapshot"])
        tables = collect_rows(ml, record["Dataset"], record["Snapshot"],
                              excluded_tables(ml, spec.exclude_tables), catalog=catalog,
                              concurrency=spec.reachability_concurrency)
        assets = [(t, row, asset_relpath(t, row))
                  for t, rows in tables if t.kind == "asset" for row in rows]
        with fetching(catalog, data, assets if spec.materialize else [], atomic=False,
                      threads=spec.fetch_concurrency):
            payload = [write_table(data, t, rows) for t, rows in tables]
            payload.append(write_model(data, model, ml.ml_schema, ml.domain_schema))
            payload += [PayloadFile(relpath, row["MD5"], row["Length"], row["URL"])
                        for _, row, relpath in assets]
            write_bag_files(root, payload, {
                BAG_INFO_RID: record["Dataset"], BAG_INFO_VERSION: record["Version"],
                BAG_INFO_SNAPSHOT: record["Snapshot"],
                BAG_INFO_CATALOG: f"{ml.catalog.hostname}/{ml.catalog.catalog_id}",
                "External-Description":
                    f"Dataset {record['Dataset']} version {record['Version']}",
            })
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


class _Reader:
    """Selects rows of a catalog as of a snapshot, ``concurrency`` queries at a time."""

    def __init__(self, catalog: Catalog, snapshot: str | None, pool: ThreadPoolExecutor):
        self.catalog, self.snapshot, self.pool = catalog, snapshot, pool

    def select_in(self, requests: list[tuple[Table, str, Iterable[Any]]]) -> list[list[dict]]:
        """For each ``(table, column, values)``, the rows whose ``column`` is one of
        ``values`` (long lists in chunks, all chunks of all requests read concurrently)."""
        chunks = [(i, t, column, values[j:j + CHUNK])
                  for i, (t, column, values) in enumerate((t, c, list(v)) for t, c, v in requests)
                  for j in range(0, len(values), CHUNK)]
        results: list[list[dict]] = [[] for _ in requests]
        for i, rows in self.pool.map(self._chunk, chunks):
            results[i] += rows
        return results

    def _chunk(self, chunk: tuple[int, Table, str, list[Any]]) -> tuple[int, list[dict]]:
        i, t, column, values = chunk
        return i, self.catalog.select(t.schema, t.name, where={column: values},
                                      snapshot=self.snapshot)


def collect_rows(ml: DerivaML, dataset_rid: str, snapshot: str | None,
                 excluded: frozenset[tuple[str, str]] = frozenset(), *,
                 catalog: Catalog | None = None, concurrency: int = 1
                 ) -> list[tuple[Table, list[dict]]]:
    """The rows of the bag of ``dataset_rid`` as of ``snapshot`` (None: now), by table, read
    from ``catalog`` (default ``ml.catalog``) with up to ``concurrency`` queries at once; the
    walk does not enter ``excluded`` tables."""
    catalog = catalog or ml.catalog
    with ThreadPoolExecutor(concurrency) as pool:
        return _walk(ml, dataset_rid, _Reader(catalog, snapshot, pool), excluded)


def _walk(ml: DerivaML, dataset_rid: str, reader: _Reader,
          excluded: frozenset[tuple[str, str]]) -> list[tuple[Table, list[dict]]]:
    catalog, snapshot = reader.catalog, reader.snapshot
    model = catalog.model(snapshot)  # tables added since are not there
    dataset = model.table(ml.ml_schema, "Dataset")
    nesting = model.table(ml.ml_schema, "Dataset_Dataset")
    anchors = {dataset_rid: None}  # the dataset and its descendants, in order
    frontier = [dataset_rid]
    while frontier:
        [links] = reader.select_in([(nesting, "Dataset", frontier)])
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

    linked = [(dataset, "RID")] + [
        (t, "Dataset") for t in model.tables()
        for fk in t.references(ml.ml_schema, "Dataset") if fk.columns == ("Dataset",)]
    found = reader.select_in([(t, column, anchors) for t, column in linked])
    pending = [(t, add(t, rows)) for (t, _), rows in zip(linked, found)]
    features = [(t, fk) for t in model.tables() if (fk := feature_target(t)) is not None]
    while pending:
        while pending:  # follow foreign keys outward from every new row
            t, rows = pending.pop()
            requests = []
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
                    requests.append((target, fk.pk_columns[0], values))
            for (target, _, _), rows in zip(requests, reader.select_in(requests)):
                pending.append((target, add(target, rows)))
        # the feature values of the rows reached, and what they reach
        requests = [(t, fk.columns[0], targets) for t, fk in features
                    if (targets := tables.get((fk.pk_schema, fk.pk_table), {}))]
        for (t, _, _), rows in zip(requests, reader.select_in(requests)):
            if new := add(t, rows):
                pending.append((t, new))
    for t in model.tables():
        if t.kind == "vocabulary":
            add(t, list(catalog.iter_rows(t.schema, t.name, snapshot=snapshot)))
    return [(model.table(*key), list(rows.values())) for key, rows in tables.items() if rows]
