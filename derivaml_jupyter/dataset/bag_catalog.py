"""The table files of a dataset bag, and a read-only catalog over them.

A bag holds ``data/schema.json`` (the catalog model) and one ``data/<schema>/<Table>.csv`` per
table it reached. Cells are text: empty means null, booleans are ``true``/``false``, arrays and
JSON values are JSON; the column types in ``schema.json`` decode them. ``BagCatalog``
implements the read half of the catalog contract over these files, so the dataset read API
runs unchanged on a bag.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

from ..catalog.contract import (
    Catalog,
    Column,
    ForeignKey,
    Model,
    ObjectInfo,
    ResolvedRID,
    Table,
    Where,
)
from ..core.errors import (
    DerivaMLNotFound,
    DerivaMLNotImplemented,
    DerivaMLReadOnly,
    DerivaMLRidsNotFound,
)
from .bagit_files import PayloadFile, write_payload

SCHEMA_FILE = "schema.json"
ASSET_DIR = "asset"
_INTS = {"int2", "int4", "int8"}
_FLOATS = {"float4", "float8"}
_JSON = {"jsonb", "text[]"}


def encode_cell(value: Any) -> str:
    """The CSV text of one value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def decode_cell(column_type: str, text: str) -> Any:
    """The value of one CSV cell of a column of ``column_type``."""
    if text == "":
        return None
    if column_type in _INTS:
        return int(text)
    if column_type in _FLOATS:
        return float(text)
    if column_type == "boolean":
        return text.lower() in ("true", "t", "1")
    if column_type in _JSON:
        return json.loads(text)
    return text


def table_relpath(t: Table) -> str:
    """Where the rows of ``t`` are, relative to ``data/``."""
    return f"{t.schema}/{t.name}.csv"


def table_file(data_dir: Path, t: Table) -> Path:
    return data_dir / table_relpath(t)


def write_table(data_dir: Path, t: Table, rows: Iterable[Mapping[str, Any]]) -> PayloadFile:
    """Write ``rows`` of ``t`` as ``<data_dir>/<schema>/<Table>.csv``."""
    return write_payload(data_dir, table_relpath(t), _csv_text(t, rows).encode("utf-8"))


def csv_bytes(t: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """The size of the CSV file ``write_table`` writes for ``rows``."""
    return len(_csv_text(t, rows).encode("utf-8"))


def _csv_text(t: Table, rows: Iterable[Mapping[str, Any]]) -> str:
    names = t.column_names
    # csv writes None, text and numbers as encode_cell does: only booleans and JSON differ
    encoded = [i for i, c in enumerate(t.columns) if c.type == "boolean" or c.type in _JSON]

    def cells(row: Mapping[str, Any]) -> list[Any]:
        values = [row.get(n) for n in names]
        for i in encoded:
            values[i] = encode_cell(values[i])
        return values

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(names)
    writer.writerows(map(cells, rows))
    return buffer.getvalue()


def write_model(data_dir: Path, model: Model, ml_schema: str, domain_schema: str
                ) -> PayloadFile:
    """Write ``schema.json``: the schema roles and every table definition."""
    return write_payload(data_dir, SCHEMA_FILE, json.dumps({
        "ml_schema": ml_schema, "domain_schema": domain_schema,
        "tables": [t.to_dict() for t in model.tables()],
    }, indent=1).encode("utf-8"))


def asset_relpath(t: Table, row: Mapping[str, Any]) -> str:
    """Where the file of asset row ``row`` lives, relative to ``data/``:
    ``asset/<RID>/<Table>/<Filename>``."""
    name = row.get("Filename") or ""
    if "/" in name or name in (".", ".."):  # a plain name (the usual) needs no parsing
        name = PurePosixPath(name).name
    if name in ("", ".", ".."):
        name = PurePosixPath(row["URL"]).name.split(".", 1)[-1] or row["RID"]
    return f"{ASSET_DIR}/{row['RID']}/{t.name}/{name}"


class BagCatalog(Catalog):
    """The tables of the bag at ``path`` as a read-only catalog pinned to the bag's snapshot.

    Tables are read on first use. Writes raise ``DerivaMLReadOnly``."""

    def __init__(self, path: Path, snapshot: str, hostname: str = "bag", catalog_id: str = ""):
        self.path = Path(path)
        self.data_dir = self.path / "data"
        self.hostname = hostname
        self.catalog_id = catalog_id or self.path.name
        self._snapshot = snapshot
        spec = json.loads((self.data_dir / SCHEMA_FILE).read_text(encoding="utf-8"))
        self.ml_schema: str = spec["ml_schema"]
        self.domain_schema: str = spec["domain_schema"]
        self._model = Model()
        for d in spec["tables"]:
            t = Table.from_dict(d)
            self._model.schemas.setdefault(t.schema, {})[t.name] = t
        self._rows: dict[tuple[str, str], list[dict]] = {}

    def has_rows_file(self, t: Table) -> bool:
        return table_file(self.data_dir, t).is_file()

    def _table_rows(self, schema: str, table: str) -> list[dict]:
        key = (schema, table)
        if key not in self._rows:
            t = self._model.table(schema, table)
            path = table_file(self.data_dir, t)
            rows: list[dict] = []
            if path.is_file():
                types = {c.name: c.type for c in t.columns}
                with open(path, newline="", encoding="utf-8") as f:
                    rows = [{name: decode_cell(types.get(name, "text"), text)
                             for name, text in row.items()}
                            for row in csv.DictReader(f)]
            self._rows[key] = rows
        return self._rows[key]

    # -- model -------------------------------------------------------------------------------
    def model(self, snapshot: str | None = None) -> Model:
        return self._model

    def create_schema(self, name: str, comment: str = "") -> None:
        raise self._read_only()

    def create_table(self, table: Table) -> Table:
        raise self._read_only()

    def add_column(self, schema: str, table: str, column: Column,
                   foreign_key: ForeignKey | None = None) -> Table:
        raise self._read_only()

    # -- rows --------------------------------------------------------------------------------
    def insert(self, schema: str, table: str, rows: Iterable[Mapping[str, Any]],
               *, on_conflict_skip: bool = False) -> list[dict]:
        raise self._read_only()

    def update(self, schema: str, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        raise self._read_only()

    def delete(self, schema: str, table: str, where: Where) -> int:
        raise self._read_only()

    def _matching(self, schema: str, table: str, where: Where | None,
                  snapshot: str | None) -> Iterator[dict]:
        if snapshot is not None and snapshot != self._snapshot:
            raise DerivaMLNotFound(
                f"This bag holds the catalog as of snapshot {self._snapshot} only, not "
                f"{snapshot}. Download the bag of the dataset version you want to read.")
        t = self._model.table(schema, table)
        tests = []
        for name, value in (where or {}).items():
            t.column(name)
            if isinstance(value, (list, tuple, set, frozenset)):
                tests.append((name, True, set(value)))
            else:
                tests.append((name, False, value))
        for row in self._table_rows(schema, table):
            if all((row[n] in v) if many else (row[n] == v) for n, many, v in tests):
                yield row

    def select(self, schema: str, table: str, *, where: Where | None = None,
               columns: Iterable[str] | None = None, sort: Iterable[str] | None = None,
               limit: int | None = None, after: Mapping[str, Any] | None = None,
               snapshot: str | None = None) -> list[dict]:
        t = self._model.table(schema, table)
        names = list(columns) if columns else t.column_names
        rows = sorted(self._matching(schema, table, where, snapshot), key=lambda r: r["RID"])
        for key in reversed([s for s in (sort or []) if s.lstrip("-") != "RID"]):
            name = key.lstrip("-")
            t.column(name)
            rows.sort(key=lambda r: (r[name] is None, r[name]), reverse=key.startswith("-"))
        if after is not None:
            rids = [r["RID"] for r in rows]
            rows = rows[rids.index(after["RID"]) + 1:] if after["RID"] in rids else []
        if limit is not None:
            rows = rows[:limit]
        return [{n: row[n] for n in names} for row in rows]

    def count(self, schema: str, table: str, *, where: Where | None = None,
              snapshot: str | None = None) -> int:
        return sum(1 for _ in self._matching(schema, table, where, snapshot))

    def resolve_rid(self, rid: str, snapshot: str | None = None) -> ResolvedRID:
        for t in self._model.tables():
            rows = self.select(t.schema, t.name, where={"RID": rid}, snapshot=snapshot)
            if rows:
                return ResolvedRID(t.schema, t.name, rows[0])
        raise DerivaMLRidsNotFound([rid], message=f"RID {rid} is not in the bag {self.path}.")

    # -- snapshots, objects, identity --------------------------------------------------------
    def snapshot(self) -> str:
        return self._snapshot

    def transaction(self):
        raise self._read_only()

    def put_object(self, namespace: str, filename: str, source: Path, *, md5: str | None = None,
                   progress=None) -> ObjectInfo:
        raise self._read_only()

    def object_info(self, url: str) -> ObjectInfo | None:
        raise self._no_objects()

    def get_object(self, url: str, dest: Path, *, progress=None) -> ObjectInfo:
        raise self._no_objects()

    def whoami(self) -> str:
        return "bag"

    def url_for(self, rid: str, snapshot: str | None = None) -> str:
        return f"{self.path.as_uri()}#{rid}"

    def _read_only(self) -> DerivaMLReadOnly:
        return DerivaMLReadOnly(
            f"The bag {self.path} is a read-only copy of a dataset version; make changes in "
            "the catalog (ml.add_dataset_members, ...) and download a new version.")

    def _no_objects(self) -> DerivaMLNotImplemented:
        return DerivaMLNotImplemented(
            "A bag has no object store: its asset files are under data/asset/; "
            "DatasetBag.materialize() fetches missing ones from the catalog.")
