"""``DerivaCatalog``: the catalog contract on a DERIVA server, ERMrest + Hatrac via deriva-py.

Reads as of a snapshot go to the catalog ``<id>@<snaptime>``. Long value lists in filters are
split over several requests so URLs stay short (``urls.MAX_PATH_BYTES``), and their results
merged in ERMrest's order. Inserts and updates are sent in batches; ERMrest applies each request
atomically but has no transaction spanning requests (see ``transaction``). Requests that fail
transiently are sent again as ``retry`` allows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Any

from ...core.errors import (
    DerivaMLConflict,
    DerivaMLException,
    DerivaMLNotFound,
    DerivaMLRidsNotFound,
    DerivaMLValidationError,
)
from ...core.rid import decode, normalize_rid
from ..contract import (
    SYSTEM_COLUMNS,
    Catalog,
    Column,
    ForeignKey,
    Model,
    ObjectInfo,
    Progress,
    ResolvedRID,
    Table,
    check_annotation_target,
)
from ..contract import Where as WhereType
from . import urls
from .errors import login_hint, translated
from .model import column_def, foreign_key_def, model_from_doc, table_def
from .objects import HatracObjects
from .retry import call, session_config, without_retries
from .urls import after_suffix, filter_paths, merge, order_of, q, sort_suffix, table_path

BATCH_ROWS = 1000
PAGE_ROWS = 10_000  # rows a joined read asks for at a time
PAGING_BYTES = 64  # room kept in a path for "@sort(RID)@after(<RID>)?limit=<PAGE_ROWS>"
KEPT_SNAPSHOT_BINDINGS = 8


def stored_credential(host: str) -> dict | None:
    """The credential saved by ``deriva-globus-auth-utils login`` / ``deriva-auth`` for
    ``host``, or None (without creating credential files when there are none)."""
    from deriva.core import get_credential
    from deriva.core.utils.core_utils import (
        DEFAULT_CREDENTIAL_FILE,
        DEFAULT_GLOBUS_CREDENTIAL_FILE,
    )

    if not any(os.path.isfile(f) for f in (DEFAULT_CREDENTIAL_FILE,
                                           DEFAULT_GLOBUS_CREDENTIAL_FILE)):
        return None
    return get_credential(host)


def _json_value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{value!r} ({type(value).__name__}) cannot be stored in a catalog column")


def _first_of_each_key(t: Table, rows: Iterable[Mapping[str, Any]]) -> list[Mapping]:
    """``rows`` without those repeating an earlier row's unique key: skipped as conflicts, as
    ERMrest refuses a request whose rows share a key even with ``onconflict=skip``."""
    seen: set[tuple] = set()
    kept = []
    for row in rows:
        keys = {(k, tuple(row.get(c) for c in k)) for k in t.keys if all(c in row for c in k)}
        if not keys & seen:
            kept.append(row)
        seen |= keys
    return kept


class DerivaCatalog(Catalog):
    """The catalog ``catalog_id`` (``"1"``, or ``"1@<snaptime>"`` read-only) on ``hostname``.

    ``credential`` defaults to the one saved for the host by a DERIVA login; without one the
    connection is anonymous. Connecting checks that the server answers and the catalog exists.
    ``timeout`` bounds each request: (connect, read) seconds (deriva-py's defaults otherwise).
    """

    def __init__(self, hostname: str, catalog_id: str | int = "1",
                 credential: dict | None = None, *, scheme: str = "https",
                 timeout: tuple[float, float] | None = None):
        from deriva.core import DerivaServer, HatracStore

        self.hostname = hostname
        self.catalog_id = str(catalog_id)
        self._scheme = scheme
        self._credential = credential if credential is not None else stored_credential(hostname)
        self._session_config = session_config(timeout)
        server = DerivaServer(scheme, hostname, self._credential, caching=False,
                              session_config=self._session_config)
        with self._errors(f"connect to catalog {self.catalog_id}"):
            self._ermrest = without_retries(server.connect_ermrest(self.catalog_id))
        self._base_id = str(self._ermrest.catalog_id)
        self.objects = HatracObjects(without_retries(HatracStore(
            scheme, hostname, self._credential, session_config=self._session_config)))
        self._snapshot_bindings: dict[str, Any] = {}
        self._snapshot_models: dict[str, Model] = {}
        self._model: Model | None = None
        self._user: str | None = None
        root = self._get("/", f"connect to catalog {self.catalog_id}")
        self._latest = decode(root["snaptime"])

    def __repr__(self) -> str:
        return f"DerivaCatalog({self.hostname!r}, {self.catalog_id!r})"

    # -- requests --------------------------------------------------------------------------
    def _errors(self, action: str) -> AbstractContextManager[None]:
        return translated(self.hostname, action, authenticated=bool(self._credential))

    def _reader(self, snapshot: str | None) -> Any:
        """The binding reading the current catalog, or the catalog as of ``snapshot``."""
        if snapshot is None:
            return self._ermrest
        snap = decode(snapshot)
        if snap > self._latest and snap > decode(self.snapshot()):
            raise DerivaMLNotFound(
                f"Snapshot {snapshot} is not a snapshot of catalog {self._base_id} on "
                f"{self.hostname}: it is later than its latest change. Use a snapshot "
                "recorded by this catalog.")
        binding = self._snapshot_bindings.get(snapshot)
        if binding is None:
            from deriva.core import ErmrestSnapshot

            if len(self._snapshot_bindings) >= KEPT_SNAPSHOT_BINDINGS:
                self._snapshot_bindings.pop(next(iter(self._snapshot_bindings)))
            binding = without_retries(ErmrestSnapshot(
                self._scheme, self.hostname, self._base_id, snapshot, self._credential,
                caching=False, session_config=self._session_config))
            self._snapshot_bindings[snapshot] = binding
        return binding

    def _get(self, path: str, action: str, snapshot: str | None = None) -> Any:
        binding = self._reader(snapshot)
        with self._errors(action):
            return call(lambda: binding.get(path), action, self.hostname,
                        idempotent=True).json()

    def _send(self, method: str, path: str, action: str, body: Any = None,
              *, idempotent: bool) -> Any:
        """``method`` (post, put, delete) ``path`` with a JSON ``body``; ``idempotent`` when
        sending it twice has the effect of sending it once (see ``retry``)."""
        try:
            data = json.dumps(body, default=_json_value)  # a None body is JSON null
        except TypeError as e:
            raise DerivaMLValidationError(f"Cannot {action}: {e}.") from None
        headers = {"Content-Type": "application/json"}

        def send() -> Any:
            if method == "delete":
                return self._ermrest.delete(path)
            return getattr(self._ermrest, method)(path, data=data, headers=headers)

        with self._errors(action):
            return call(send, action, self.hostname, idempotent=idempotent)

    def _room(self, snapshot: str | None, *parts: str) -> int:
        """Bytes left for filters in a request path made of ``parts``."""
        base = f"/ermrest/catalog/{q(self._base_id)}" + (f"@{snapshot}" if snapshot else "")
        return urls.MAX_PATH_BYTES - len(base) - sum(map(len, parts))

    # -- model -----------------------------------------------------------------------------
    def model(self, snapshot: str | None = None) -> Model:
        if snapshot is not None:  # a snapshot's model never changes: keep a few
            if snapshot not in self._snapshot_models:
                if len(self._snapshot_models) >= KEPT_SNAPSHOT_BINDINGS:
                    self._snapshot_models.pop(next(iter(self._snapshot_models)))
                self._snapshot_models[snapshot] = model_from_doc(self._get(
                    "/schema", f"read the catalog model as of snapshot {snapshot}", snapshot))
            return self._snapshot_models[snapshot]
        if self._model is None:
            self._model = model_from_doc(self._get("/schema", "read the catalog model"))
        return self._model

    def _table(self, schema: str, table: str) -> Table:
        if not self.model().has_table(schema, table):
            self._model = None  # someone else may have created it
        return self.model().table(schema, table)

    def create_schema(self, name: str, comment: str = "") -> None:
        from deriva.core.ermrest_model import Schema

        self._create("/schema", f"create schema {name}", [Schema.define(name, comment or None)],
                     lambda model: name in model.schemas)

    def create_table(self, table: Table) -> Table:
        self._model = None
        existing = self.model().check_new_table(table)
        if existing:
            return existing
        self._create(f"/schema/{q(table.schema)}/table",
                     f"create table {table.schema}.{table.name}", table_def(table),
                     lambda model: model.has_table(table.schema, table.name))
        return self._table(table.schema, table.name)

    def add_column(self, schema: str, table: str, column: Column,
                   foreign_key: ForeignKey | None = None) -> Table:
        t = self._table(schema, table)
        path = f"/schema/{q(schema)}/table/{q(table)}"
        column = replace(column, nullok=True)
        self._create(f"{path}/column", f"add column {column.name} to {schema}.{table}",
                     column_def(t, column),
                     lambda m: column.name in m.table(schema, table).column_names)
        if foreign_key is not None:
            self._create(f"{path}/foreignkey", f"add a foreign key on {schema}.{table}."
                         f"{column.name}", foreign_key_def(foreign_key),
                         lambda m: foreign_key in m.table(schema, table).foreign_keys)
        return self._table(schema, table)

    # -- annotations: ERMrest's /annotation resources ---------------------------------------
    def _annotation_path(self, schema: str | None, table: str | None,
                         column: str | None) -> tuple[str, str]:
        """The annotation collection of the catalog, a table or a column, and its name."""
        if not check_annotation_target(schema, table, column):
            return "/annotation", f"catalog {self._base_id}"
        t = self._table(schema, table)
        path = f"/schema/{q(schema)}/table/{q(table)}"
        if column is None:
            return f"{path}/annotation", f"table {schema}.{table}"
        t.column(column)
        return f"{path}/column/{q(column)}/annotation", f"column {schema}.{table}.{column}"

    def annotations(self, schema: str | None = None, table: str | None = None,
                    column: str | None = None) -> dict[str, Any]:
        path, what = self._annotation_path(schema, table, column)
        return self._get(path, f"read the annotations of {what}")

    def update_annotations(self, changes: Mapping[str, Any], removed: Iterable[str] = (),
                           schema: str | None = None, table: str | None = None,
                           column: str | None = None) -> None:
        path, what = self._annotation_path(schema, table, column)
        for tag, value in changes.items():
            self._send("put", f"{path}/{q(tag)}", f"set the annotation {tag} of {what}", value,
                       idempotent=True)
        present = self._get(path, f"read the annotations of {what}") if removed else {}
        for tag in (t for t in removed if t in present):
            self._send("delete", f"{path}/{q(tag)}", f"delete the annotation {tag} of {what}",
                       idempotent=True)

    def create_model(self, schemas: Mapping[str, str], tables: Iterable[Table]) -> None:
        """One atomic ERMrest request creates every missing schema and table."""
        from deriva.core.ermrest_model import Schema

        self._model = None
        model = self.model()
        tables = [t for t in tables if not model.has_table(t.schema, t.name)]
        body = ([Schema.define(n, c or None) for n, c in schemas.items()
                 if n not in model.schemas]
                + [{**table_def(t), "schema_name": t.schema} for t in tables])
        if body:
            self._create("/schema", f"create {len(tables)} table(s) in {', '.join(schemas)}",
                         body, lambda m: all(n in m.schemas for n in schemas)
                         and all(m.has_table(t.schema, t.name) for t in tables))

    def _create(self, path: str, action: str, body: Any, done: Callable[[Model], bool]) -> None:
        """Post model ``body`` to ``path``; a conflict is success when another client made
        what ``done`` checks for meanwhile (parallel jobs opening one new catalog)."""
        self._model = None
        if done(self.model()):
            return
        try:
            self._send("post", path, action, body, idempotent=False)
        except DerivaMLConflict:
            self._model = None
            if not done(self.model()):
                raise
        self._model = None

    # -- rows ------------------------------------------------------------------------------
    def insert(self, schema: str, table: str, rows: Iterable[Mapping[str, Any]],
               *, on_conflict_skip: bool = False) -> list[dict]:
        t = self._table(schema, table)
        rows = _first_of_each_key(t, rows) if on_conflict_skip else list(rows)
        names = t.written_columns(rows)
        defaults = list(SYSTEM_COLUMNS) + [c.name for c in t.columns if c.default is not None
                                           and c.name not in names + list(SYSTEM_COLUMNS)]
        path = (f"/entity/{table_path(schema, table)}?defaults={','.join(map(q, defaults))}"
                + ("&onconflict=skip" if on_conflict_skip else ""))
        inserted: list[dict] = []
        for start in range(0, len(rows), BATCH_ROWS):
            body = [{n: row.get(n) for n in names} for row in rows[start:start + BATCH_ROWS]]
            inserted += self._send("post", path, f"insert into {schema}.{table}", body,
                                   idempotent=on_conflict_skip).json()
        return inserted

    def update(self, schema: str, table: str, rows: Iterable[Mapping[str, Any]]) -> int:
        """One PUT per set of columns; several rows are checked first (ERMrest updates the
        rows it finds and skips the others), one row by what the PUT answers."""
        t = self._table(schema, table)
        rows = [{**row, "RID": normalize_rid(row["RID"])} if "RID" in row else row
                for row in rows]
        if any("RID" not in row for row in rows):
            raise DerivaMLValidationError(f"Rows to update in {t.name} need their RID.")
        t.written_columns(rows, update=True)
        rids = {row["RID"] for row in rows}
        by_columns: dict[tuple[str, ...], list[Mapping]] = {}
        for row in rows:
            by_columns.setdefault(tuple(k for k in row if k != "RID"), []).append(row)
        if len(rids) > 1 or () in by_columns:
            self._check_rids(schema, table, rids)
        for names, group in by_columns.items():
            if not names:
                continue
            path = (f"/attributegroup/{table_path(schema, table)}/RID;"
                    + ",".join(map(q, names)))
            for start in range(0, len(group), BATCH_ROWS):
                changed = self._send("put", path, f"update {schema}.{table}",
                                     group[start:start + BATCH_ROWS], idempotent=True).json()
                if len(rids) == 1 and not changed:
                    self._check_rids(schema, table, rids)
        return len(rids)

    def _check_rids(self, schema: str, table: str, rids: set[str]) -> None:
        found = {r["RID"] for r in self.select(schema, table, where={"RID": list(rids)},
                                               columns=["RID"])}
        if missing := sorted(rids - found):
            raise DerivaMLNotFound(
                f"Cannot update {schema}.{table}: no rows with RID {', '.join(missing)}.")

    def _where(self, t: Table, where: WhereType | None) -> dict[str, Any]:
        """``where`` with its columns checked and RIDs in canonical form."""
        checked = {}
        for name, value in (where or {}).items():
            t.column(name)
            if name == "RID" and value is not None:
                value = ([normalize_rid(v) for v in value]
                         if isinstance(value, (list, tuple, set, frozenset))
                         else normalize_rid(value))
            checked[name] = value
        return checked

    def delete(self, schema: str, table: str, where: WhereType) -> int:
        t = self._table(schema, table)
        if not where:
            raise DerivaMLValidationError(
                f"Refusing to delete every row of {t.name}: give a filter.")
        deleted = 0
        tp = table_path(schema, table)
        for filters in filter_paths(self._where(t, where),
                                    self._room(None, f"/aggregate/{tp}/n:=cnt(*)")):
            n = self._get(f"/aggregate/{tp}{filters}/n:=cnt(*)", f"count rows of {schema}.{table}")
            if n[0]["n"]:
                self._send("delete", f"/entity/{tp}{filters}", f"delete from {schema}.{table}",
                           idempotent=True)
                deleted += n[0]["n"]
        return deleted

    def select(self, schema: str, table: str, *, where: WhereType | None = None,
               columns: Iterable[str] | None = None, sort: Iterable[str] | None = None,
               limit: int | None = None, after: Mapping[str, Any] | None = None,
               snapshot: str | None = None) -> list[dict]:
        t = self._table(schema, table)
        names = list(columns or [])
        order = order_of(sort)
        for name in names + [n for n, _ in order]:
            t.column(name)
        projected = list(dict.fromkeys(names + [n for n, _ in order]))
        api, projection = ("attribute", "/" + ",".join(map(q, projected))) if names \
            else ("entity", "")
        head = f"/{api}/{table_path(schema, table)}"
        tail = (sort_suffix(order) + after_suffix(order, after)
                + (f"?limit={int(limit)}" if limit is not None else ""))
        filters = filter_paths(self._where(t, where),
                               self._room(snapshot, head, projection, tail))
        if limit == 0 or not filters:
            return []
        pages = [self._get(f"{head}{f}{projection}{tail}", f"read {schema}.{table}", snapshot)
                 for f in filters]
        rows = merge(pages, order, limit)
        if names and projected != names:
            rows = [{n: row[n] for n in names} for row in rows]
        return rows

    def select_linked(self, schema: str, table: str, *, via: tuple[str, str, str],
                      where: WhereType, snapshot: str | None = None) -> list[dict]:
        """One ERMrest path joining the link table to ``table`` (instead of its RID list),
        paged by RID; a path per chunk of ``where`` values too long for one path."""
        link_schema, link_table, column = via
        link, t = self._table(link_schema, link_table), self._table(schema, table)
        link.column(column)
        head = f"/entity/{table_path(link_schema, link_table)}"
        join = f"/({q(column)})=({table_path(t.schema, t.name)}:RID)"
        order = order_of(["RID"])
        rows: dict[str, dict] = {}
        for f in filter_paths(self._where(link, where),
                              self._room(snapshot, head, join, "x" * PAGING_BYTES)):
            after = None
            while True:
                tail = sort_suffix(order) + after_suffix(order, after) + f"?limit={PAGE_ROWS}"
                page = self._get(f"{head}{f}{join}{tail}", f"read {schema}.{table}", snapshot)
                rows.update((row["RID"], row) for row in page)
                if len(page) < PAGE_ROWS:
                    break
                after = page[-1]
        return [rows[rid] for rid in sorted(rows)]

    def count(self, schema: str, table: str, *, where: WhereType | None = None,
              snapshot: str | None = None) -> int:
        t = self._table(schema, table)
        head, tail = f"/aggregate/{table_path(schema, table)}", "/n:=cnt(*)"
        return sum(
            self._get(f"{head}{f}{tail}", f"count rows of {schema}.{table}", snapshot)[0]["n"]
            for f in filter_paths(self._where(t, where), self._room(snapshot, head, tail)))

    def resolve_rid(self, rid: str, snapshot: str | None = None) -> ResolvedRID:
        rid = normalize_rid(rid)
        if "@" in rid:
            rid, snapshot = rid.split("@", 1)
        missing = DerivaMLRidsNotFound([rid], message=(
            f"RID {rid} does not exist in catalog {self._base_id} on {self.hostname}"
            + (f" as of snapshot {snapshot}" if snapshot else "")
            + ". Check the RID (find_datasets() / find_executions() list valid ones)."))
        try:
            found = self._get(f"/entity_rid/{q(rid)}", f"resolve RID {rid}", snapshot)
        except DerivaMLNotFound:
            raise missing from None
        rows = self.select(found["schema_name"], found["table_name"], where={"RID": rid},
                           snapshot=snapshot)
        if not rows:  # resolvable but deleted
            raise missing
        return ResolvedRID(found["schema_name"], found["table_name"], rows[0])

    # -- snapshots and transactions --------------------------------------------------------
    def snapshot(self) -> str:
        snaptime = self._get("/", f"read catalog {self.catalog_id}")["snaptime"]
        self._latest = max(self._latest, decode(snaptime))
        return snaptime

    def transaction(self) -> AbstractContextManager[None]:
        """A no-op context kept for the contract's sake: ERMrest commits each request on its
        own and has no transaction spanning requests, so writes inside the block that
        succeeded stay written when a later one fails. Each single insert/update/delete
        request is atomic, so keep related rows in one call where it matters."""
        return nullcontext()

    # -- objects ---------------------------------------------------------------------------
    def put_object(self, namespace: str, filename: str, source: Path, *, md5: str | None = None,
                   progress: Progress | None = None) -> ObjectInfo:
        with self._errors(f"store {filename} in /hatrac/{namespace}"):
            return self.objects.put(namespace, filename, Path(source), md5, progress)

    def object_info(self, url: str) -> ObjectInfo | None:
        with self._errors(f"look up {url}"):
            return self.objects.info(url)

    def get_object(self, url: str, dest: Path, *, progress: Progress | None = None) -> ObjectInfo:
        with self._errors(f"download {url}"):
            return self.objects.get(url, Path(dest), progress)

    # -- identity --------------------------------------------------------------------------
    def whoami(self) -> str:
        if self._user is None:
            try:
                with self._errors("read the login session"):
                    session = call(self._ermrest.get_authn_session, "read the login session",
                                   self.hostname, idempotent=True).json()
            except DerivaMLNotFound:  # /authn/session answers 404 to anonymous clients
                raise DerivaMLException(
                    f"Not authenticated to {self.hostname}: {login_hint(self.hostname)}."
                ) from None
            self._user = session["client"]["id"]
        return self._user

    def url_for(self, rid: str, snapshot: str | None = None) -> str:
        rid = normalize_rid(rid)
        return (f"{self._scheme}://{self.hostname}/id/{self._base_id}/{rid}"
                + (f"@{snapshot}" if snapshot else ""))
