"""``DerivaML`` methods about the connection itself: who is connected, snapshots, RIDs in bulk,
schema drift and pinning, and the provenance sentinels — deriva-ml's ``core.base`` and
``core.mixins`` methods of those names."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .catalog.connect import is_local
from .catalog.contract import Catalog, Table
from .core.definitions import ML_SCHEMA
from .core.errors import (
    DerivaMLException,
    DerivaMLNotFound,
    DerivaMLReadOnlyError,
    DerivaMLRidsNotFound,
    DerivaMLSchemaPinned,
    DerivaMLSchemaRefreshBlocked,
    DerivaMLTableTypeError,
    DerivaMLUnavailable,
)
from .core.rid import normalize_rid
from .path_builder import PathBuilder
from .schema.profile import SchemaProfile
from .schema_pin import PinStatus, SchemaDiff, SchemaPin

if TYPE_CHECKING:
    from .ml import DerivaML

log = logging.getLogger("derivaml")

#: RIDs per ``RID in (...)`` query: keeps a request URL on a DERIVA server short.
RIDS_PER_QUERY = 500

# deriva-ml's unknown-provenance sentinels (``deriva_ml.core.constants``).
SENTINEL_EXECUTION_DESCRIPTION = "deriva-ml unknown-provenance sentinel execution"
SENTINEL_FILE_URL = "tag:deriva-ml,unknown-provenance:file"
STRICT_PREALLOCATED_RID_TAG = "tag:isrd.isi.edu,2026:strict-preallocated-rid"


@dataclass(frozen=True)
class BatchRidResult:
    """Where one RID of ``resolve_rids`` lives."""

    rid: str
    table: Table = field(repr=False)
    table_name: str
    schema_name: str


@dataclass(frozen=True)
class MultirunStatusSummary:
    """How many executions of one workflow have each status (``Created`` for none)."""

    workflow_rid: str
    counts: dict[str, int]
    total: int


class CatalogAPI:
    """The connection's own methods, mixed into ``DerivaML``."""

    catalog: Catalog
    profile: SchemaProfile

    # -- identity ----------------------------------------------------------------------------
    def whoami(self) -> dict | None:
        """The client this connection acts as — ``id``, ``display_name``, ``full_name`` and
        ``email`` — or None when it is not logged in (a DERIVA server without a session).
        On a DERIVA server the names come from its ``ERMrest_Client`` table; on a local
        catalog the client is the operating-system user (``local:<user>``)."""
        try:
            client = self.catalog.whoami()
        except DerivaMLUnavailable:
            raise
        except DerivaMLException:
            return None
        name = client.split(":", 1)[-1]
        who = {"id": client, "display_name": name, "full_name": name, "email": None}
        if not is_local(self.catalog.hostname):
            for row in self.catalog.select("public", "ERMrest_Client", where={"ID": client}):
                who.update(display_name=row["Display_Name"] or client,
                           full_name=row["Full_Name"], email=row["Email"])
        return who

    def is_authenticated(self) -> bool:
        """Whether ``whoami()`` knows who this connection is."""
        return self.whoami() is not None

    def user_list(self) -> list[dict[str, str]]:
        """The catalog's users, each ``{"ID": ..., "Full_Name": ...}``: on a DERIVA server its
        ``public.ERMrest_Client`` table; on a local catalog its one user."""
        if is_local(self.catalog.hostname):
            client = self.catalog.whoami()
            return [{"ID": client, "Full_Name": client.split(":", 1)[-1]}]
        return [{"ID": u["ID"], "Full_Name": u["Full_Name"]} for u in self.catalog.select(
            "public", "ERMrest_Client", columns=["ID", "Full_Name"], sort=["ID"])]

    # -- snapshots ---------------------------------------------------------------------------
    def is_snapshot(self) -> bool:
        """Whether this connection reads a catalog snapshot (read-only)."""
        from .snapshot_catalog import SnapshotCatalog

        return isinstance(self.catalog, SnapshotCatalog)

    def catalog_snapshot(self, version_snapshot: str) -> DerivaML:
        """A read-only ``DerivaML`` (as in deriva-ml, not a subclass) on this catalog as of
        ``version_snapshot`` (e.g. a dataset version's ``snapshot``), with this one's
        settings; one per snapshot."""
        from .ml import DerivaML
        from .snapshot_catalog import SnapshotCatalog

        if version_snapshot not in self._snapshots:
            base = self.catalog.base if self.is_snapshot() else self.catalog
            logging_level, deriva_logging_level = self._logging_levels
            try:
                self._snapshots[version_snapshot] = DerivaML(
                    default_schema=self.domain_schema, project_name=self.project_name,
                    cache_dir=self.cache_dir, working_dir=self.working_dir,
                    logging_level=logging_level, deriva_logging_level=deriva_logging_level,
                    credential=self.credential, clean_execution_dir=self.clean_execution_dir,
                    catalog=SnapshotCatalog(base, version_snapshot))
            except DerivaMLReadOnlyError:  # opening it would have to set the catalog up
                raise DerivaMLNotFound(
                    f"Snapshot {version_snapshot} of catalog {base.catalog_id} is older than "
                    "its DerivaML schema and terms; use a later one (e.g. a dataset "
                    "version's snapshot).") from None
        return self._snapshots[version_snapshot]

    # -- RIDs ---------------------------------------------------------------------------------
    def resolve_rids(self, rids: set[str] | list[str],
                     candidate_tables: list[Table] | None = None) -> dict[str, BatchRidResult]:
        """Where each of ``rids`` lives, in a few queries: each of ``candidate_tables`` (tables
        or names) is searched in turn; without them, one RID is located in the catalog and
        the others are looked for in its table, until all are found. RIDs found nowhere raise
        ``DerivaMLRidsNotFound`` (``missing_rids``)."""
        remaining = {normalize_rid(r) for r in rids}
        found: dict[str, BatchRidResult] = {}

        def match(table: Table) -> None:
            ordered = sorted(remaining)
            for start in range(0, len(ordered), RIDS_PER_QUERY):
                chunk = ordered[start:start + RIDS_PER_QUERY]
                for row in self.catalog.select(table.schema, table.name,
                                               where={"RID": chunk}, columns=["RID"]):
                    found[row["RID"]] = BatchRidResult(row["RID"], table, table.name,
                                                       table.schema)
                    remaining.discard(row["RID"])

        if candidate_tables is not None:
            for table in candidate_tables:
                if remaining:
                    match(self.find_table(table))
            missing = set(remaining)
        else:
            missing = set()
            model = self.catalog.model()
            while remaining:
                probe = min(remaining)
                try:
                    where = self.catalog.resolve_rid(probe)
                except DerivaMLNotFound:
                    missing.add(probe)
                    remaining.discard(probe)
                    continue
                match(model.table(where.schema, where.table))
        if missing:
            raise DerivaMLRidsNotFound(missing)
        return found

    def pathBuilder(self) -> PathBuilder:  # noqa: N802 - deriva-ml's name
        """deriva-py's ``datapath`` builder as deriva-ml code uses it (``schemas[...]``,
        tables and columns as attributes, ``==`` filters, ``entities``, ``attributes``,
        ``fetch``, ``insert``, ``update``, ``delete``), over this catalog: see
        ``path_builder``. A snapshot's reads are as of it."""
        return PathBuilder(self.catalog)

    # -- schema drift and pinning --------------------------------------------------------------
    def _live_model(self) -> Any:
        return self.catalog.model(self.catalog.snapshot())

    def diff_schema(self) -> SchemaDiff:
        """How the catalog's model now differs from the one this connection read when it
        opened (or when the schema was pinned): tables, columns, types, foreign keys."""
        return SchemaDiff.between(SchemaPin(self.working_dir).model() or self._opened_model,
                                  self._live_model())

    def pin_schema(self, reason: str | None = None) -> SchemaDiff | None:
        """Pin the model this connection works with (kept in the working directory), so
        ``refresh_schema`` refuses until ``unpin_schema``. Returns how the live model
        differs from it when it does (logged as a warning), else None."""
        diff = SchemaDiff.between(self._opened_model, self._live_model())
        SchemaPin(self.working_dir).write(self.catalog.snapshot(), reason, self._opened_model)
        if diff.is_empty():
            return None
        log.warning(
            "pin_schema: the catalog's model changed since it was read:\n%s", diff.render())
        return diff

    def unpin_schema(self) -> None:
        """Remove the pin (no-op when there is none)."""
        SchemaPin(self.working_dir).remove()

    def pin_status(self) -> PinStatus:
        """Whether the schema is pinned, when, why and at which snapshot."""
        return SchemaPin(self.working_dir).status(self.catalog.snapshot())

    def refresh_schema(self, *, force: bool = False) -> None:
        """Read the catalog's model again (after another client changed it). Refused while
        pinned (``DerivaMLSchemaPinned``, even with ``force``) and while executions here have
        outputs waiting for upload (``DerivaMLSchemaRefreshBlocked``, unless ``force``)."""
        pin = SchemaPin(self.working_dir).status("")
        if pin.pinned:
            raise DerivaMLSchemaPinned(
                f"refresh_schema refused: the schema is pinned at snapshot "
                f"{pin.pinned_snapshot_id}" + (f" ({pin.pin_reason})" if pin.pin_reason else "")
                + ". Call ml.unpin_schema() first.")
        pending = self.pending_summary()
        if pending.has_pending and not force:
            raise DerivaMLSchemaRefreshBlocked(
                "refresh_schema refused: executions here have outputs waiting for upload:\n"
                f"{pending.render()}\nUpload them (ml.commit_pending_executions()) or pass "
                "force=True.")
        self._opened_model = self._live_model()
        self.profile = SchemaProfile.read(self.catalog, self._opened_model)
        self._terms.clear()

    # -- uploads -------------------------------------------------------------------------------
    def set_strict_preallocated_rid(self, table: str | Table, strict: bool = True) -> str:
        """Mark (``strict=False``: unmark) an asset table strict-preallocated-RID, deriva-ml's
        annotation telling its uploader never to give a file another row's RID. Staged like
        the other annotations: ``apply_annotations()`` writes it. This uploader never
        preallocates RIDs (an output gets its RID when recorded; a file already stored reuses
        its row), so the mark informs deriva-ml clients of the catalog. Returns the name."""
        t = self.find_table(table)
        if t.kind != "asset":
            raise DerivaMLTableTypeError("asset table", t.name)
        return self._stage(t, STRICT_PREALLOCATED_RID_TAG, {"strict": True} if strict else None)

    def is_strict_preallocated_rid(self, table: str | Table) -> bool:
        """Whether the table is marked strict-preallocated-RID (staged marks included)."""
        mark = self._annotated_table(table).annotations.get(STRICT_PREALLOCATED_RID_TAG)
        return isinstance(mark, dict) and bool(mark.get("strict"))

    # -- provenance ---------------------------------------------------------------------------
    def unknown_provenance_execution_rid(self) -> str:
        """The RID of deriva-ml's unknown-provenance Execution (what a file of unknown origin
        is attributed to), in catalogs deriva-ml 1.54 or later initialized."""
        return self._sentinel("Execution", {"Description": SENTINEL_EXECUTION_DESCRIPTION})

    def unknown_provenance_file_rid(self) -> str:
        """The RID of deriva-ml's unknown-provenance File (the input of a run that declared
        none), in catalogs deriva-ml 1.54 or later initialized."""
        return self._sentinel("File", {"URL": SENTINEL_FILE_URL})

    def _sentinel(self, table: str, where: dict[str, str]) -> str:
        rows = self.catalog.select(ML_SCHEMA, table, where=where, columns=["RID"], limit=1)
        if not rows:
            raise DerivaMLNotFound(
                f"This catalog has no unknown-provenance {table} sentinel: deriva-ml 1.54 "
                "seeds it when it initializes a catalog, and DerivaML here does not record "
                "provenance with sentinels (an execution's inputs are what it declared).")
        return rows[0]["RID"]

    def multirun_status_summary(self, workflow_rid: str) -> MultirunStatusSummary:
        """How many executions of the workflow ``workflow_rid`` have each status (is the
        sweep done?), read in one query of the Status column."""
        rid = self.lookup_workflow(workflow_rid).workflow_rid
        counts: dict[str, int] = {}
        for row in self.catalog.select(ML_SCHEMA, "Execution", where={"Workflow": rid},
                                       columns=["Status"]):
            status = self.profile.execution_view(row).get("Status") or "Created"
            counts[status] = counts.get(status, 0) + 1
        return MultirunStatusSummary(rid, counts, sum(counts.values()))
