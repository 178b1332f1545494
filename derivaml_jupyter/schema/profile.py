"""Schema profiles: what a catalog's ``deriva-ml`` schema holds, and how our names map onto it.

Catalogs made by released deriva-ml (1.17 to 1.24) differ from the schema we create: no
``Execution_Status`` table (``Execution.Status`` is free text with deriva-ml's words), one
``Duration`` column instead of start/stop times and phase durations, no ``Dataset_Version`` in
``Dataset_Execution``; 1.17 also has no ``Execution_Execution`` (nesting) and keeps a single
``Workflow.Workflow_Type`` column instead of ``Workflow_Workflow_Type``. A ``SchemaProfile`` is
read from a catalog's model, never from a version number, and domain code asks it which
words, columns and tables to use. It changes nothing: ``derivaml migrate`` does that.

Example::

    profile = SchemaProfile.read(catalog)
    catalog.update("deriva-ml", "Execution", [{"RID": rid, **profile.execution_values(
        Status=Status.stopped, Execution_Duration="0H 1min 2.00sec")}])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..catalog.contract import Catalog, Model
from ..core.definitions import ML_SCHEMA, SYSTEM_SCHEMAS, MLVocab, Status
from ..core.errors import DerivaMLNeedsMigration, DerivaMLValidationError

# Schemas that hold no project tables: DERIVA's own (deriva-ml's ``is_system_schema``) and
# ERMrest's.
NOT_DOMAIN_SCHEMAS = SYSTEM_SCHEMAS | {"_ermrest"}

# Our status -> the word deriva-ml 1.x writes for that state (REFERENCE §3.14). It has one word,
# Completed, for a finished run and a finished upload; Pending is its "ready" state, the
# closest to ours of waiting for the upload.
DERIVA_ML_WORDS = {
    Status.created: "Created", Status.running: "Running", Status.stopped: "Completed",
    Status.failed: "Failed", Status.pending_upload: "Pending", Status.uploaded: "Completed",
    Status.aborted: "Aborted",
}
# deriva-ml 1.x word -> our status. Initializing is what its runs show once started.
DERIVA_ML_STATUS = {
    "Initializing": Status.running, "Created": Status.created, "Pending": Status.pending_upload,
    "Running": Status.running, "Aborted": Status.aborted, "Completed": Status.uploaded,
    "Failed": Status.failed,
}

# Execution columns that record time; a catalog without one simply does not record it.
TIMING_COLUMNS = ("Start_Time", "Stop_Time", "Execution_Duration", "Download_Duration",
                  "Upload_Duration")
# Where the run time goes: ours, and deriva-ml's single column.
DURATION_COLUMNS = ("Execution_Duration", "Duration")

# Tables DerivaML cannot work without (every deriva-ml release has them).
REQUIRED_TABLES = ("Dataset", "Dataset_Version", "Dataset_Dataset", "Dataset_Dataset_Type",
                   "Dataset_Execution", "Dataset_Type", "Execution", "Workflow",
                   MLVocab.workflow_type, MLVocab.asset_type, MLVocab.asset_role,
                   "Execution_Metadata", "Execution_Metadata_Asset_Type",
                   "Execution_Metadata_Execution")


def domain_schemas(model: Model, ml_schema: str = ML_SCHEMA) -> tuple[str, ...]:
    """The schemas holding a project's own tables, sorted."""
    return tuple(sorted(s for s in model.schemas if s != ml_schema and s not in NOT_DOMAIN_SCHEMAS))


def migrate_hint(hostname: str, catalog_id: str) -> str:
    host = "" if hostname == "local" else f" --host {hostname}"
    return (f"run `derivaml migrate{host} --catalog {catalog_id}` to see what it would add, "
            "then the same with --yes to add it")


@dataclass(frozen=True)
class SchemaProfile:
    """What one catalog's ``deriva-ml`` schema holds (see the module docstring)."""

    hostname: str
    catalog_id: str
    ml_schema: str
    tables: frozenset[str]  # tables of the ML schema
    execution_columns: frozenset[str]
    workflow_columns: frozenset[str]
    dataset_execution_columns: frozenset[str]
    domain_schemas: tuple[str, ...]
    complete: bool  # every table and column DerivaML creates is there

    @classmethod
    def read(cls, catalog: Catalog, model: Model | None = None,
             ml_schema: str = ML_SCHEMA) -> SchemaProfile:
        """The profile of ``catalog`` (of ``model``, e.g. as of a snapshot, when given)."""
        from .ml_schema import ml_tables

        model = model or catalog.model()
        tables = model.schemas.get(ml_schema, {})

        def columns(name: str) -> frozenset[str]:
            return frozenset(tables[name].column_names) if name in tables else frozenset()

        complete = all(t.name in tables and set(t.column_names) <= columns(t.name)
                       for t in ml_tables())
        return cls(catalog.hostname, catalog.catalog_id, ml_schema, frozenset(tables),
                   columns("Execution"), columns("Workflow"), columns("Dataset_Execution"),
                   domain_schemas(model, ml_schema), complete)

    @property
    def name(self) -> str:
        """``derivaml`` for our schema, ``deriva-ml`` for a catalog a deriva-ml release made."""
        return "derivaml" if self.complete else "deriva-ml"

    # -- what is there -------------------------------------------------------------------
    def has_table(self, name: str) -> bool:
        return name in self.tables

    def require(self, table: str, action: str) -> None:
        """Raise ``DerivaMLNeedsMigration`` unless the ML schema has ``table``."""
        if not self.has_table(table):
            raise DerivaMLNeedsMigration(
                f"Catalog {self.catalog_id} on {self.hostname} has no table "
                f"{self.ml_schema}.{table} (it was made by a deriva-ml release without it), so "
                f"DerivaML cannot {action}. To add it, "
                f"{migrate_hint(self.hostname, self.catalog_id)}.")

    def check_required(self) -> None:
        """Raise ``DerivaMLNeedsMigration`` naming the first table DerivaML cannot do
        without, if one is missing."""
        for table in REQUIRED_TABLES:
            self.require(table, "use it")

    # -- statuses ------------------------------------------------------------------------
    @property
    def status_terms(self) -> bool:
        """True when ``Execution.Status`` takes our ``Execution_Status`` terms; else it holds
        deriva-ml 1.x's words."""
        return self.has_table(MLVocab.execution_status)

    def status_word(self, status: Status | str) -> str:
        """What this catalog stores for ``status``."""
        status = self.parse_status(status)
        return status.value if self.status_terms else DERIVA_ML_WORDS[status]

    def status_of(self, word: str | None) -> Status | None:
        """Our status for a stored word, or None for a word we do not know."""
        if word is None:
            return None
        if not self.status_terms and word in DERIVA_ML_STATUS:
            return DERIVA_ML_STATUS[word]
        try:
            return Status(word)
        except ValueError:
            return None

    def parse_status(self, text: Status | str) -> Status:
        """A status given as ours, by value or name in any case (so deriva-ml's words
        Completed, Pending and Initializing are understood too)."""
        if isinstance(text, Status):
            return text
        for name, status in Status.__members__.items():
            if str(text).lower() in (name.lower(), status.value.lower()):
                return status
        raise DerivaMLValidationError(
            f"{text!r} is not an execution status; use one of "
            f"{', '.join(dict.fromkeys(s.value for s in Status))}.")

    def status_words(self, status: Status | str) -> list[str]:
        """The stored words to look for when filtering by ``status``: a word this catalog
        stores, given as it is, stands for itself; otherwise every word that reads back as
        that status, or that we write for it."""
        if not self.status_terms and str(status).title() in DERIVA_ML_STATUS \
                and not isinstance(status, Status):
            return [str(status).title()]
        status = self.parse_status(status)
        if self.status_terms:
            return [status.value]
        return list(dict.fromkeys([DERIVA_ML_WORDS[status], *(
            w for w, s in DERIVA_ML_STATUS.items() if s is status)]))

    # -- execution rows ------------------------------------------------------------------
    def execution_values(self, **values: Any) -> dict[str, Any]:
        """``values`` (our column names; ``Status`` a status) as this catalog's columns:
        the status as its word, the run time in every duration column it has, and timing
        columns it lacks left out."""
        result: dict[str, Any] = {}
        for name, value in values.items():
            if name == "Status" and value is not None:
                result[name] = self.status_word(value)
            elif name == "Execution_Duration":
                result.update((c, value) for c in DURATION_COLUMNS if c in self.execution_columns)
            elif name not in TIMING_COLUMNS or name in self.execution_columns:
                result[name] = value
        return result

    def execution_view(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """An ``Execution`` row with our column names: every timing column (None when the
        catalog does not record it), ``Execution_Duration`` from deriva-ml's ``Duration``, and
        ``Status`` our status value (the stored word when we do not know it)."""
        view = {**row, **{c: row.get(c) for c in TIMING_COLUMNS}}
        view["Execution_Duration"] = row.get("Execution_Duration") or row.get("Duration")
        status = self.status_of(row.get("Status"))
        view["Status"] = status.value if status else row.get("Status")
        return view

    # -- links ---------------------------------------------------------------------------
    def dataset_execution_row(self, dataset: str, execution: str,
                              version_rid: str | None) -> dict[str, Any]:
        """A ``Dataset_Execution`` row; the version only where the table records it."""
        row = {"Dataset": dataset, "Execution": execution}
        if "Dataset_Version" in self.dataset_execution_columns:
            row["Dataset_Version"] = version_rid
        return row

    # -- workflow types ------------------------------------------------------------------
    @property
    def workflow_type_column(self) -> bool:
        """True when ``Workflow`` has deriva-ml 1.17's single ``Workflow_Type`` column (kept,
        and still written, after a migration adds ``Workflow_Workflow_Type``)."""
        return "Workflow_Type" in self.workflow_columns

    def workflow_types(self, catalog: Catalog, workflows: Iterable[Mapping[str, Any]]
                       ) -> dict[str, list[str]]:
        """Workflow RID -> its ``Workflow_Type`` terms, sorted (from the column and the
        association, whichever the catalog has)."""
        workflows = list(workflows)
        types: dict[str, set[str]] = {w["RID"]: set() for w in workflows}
        for w in workflows:
            if w.get("Workflow_Type"):
                types[w["RID"]].add(w["Workflow_Type"])
        if self.has_table("Workflow_Workflow_Type") and types:
            for r in catalog.select(self.ml_schema, "Workflow_Workflow_Type",
                                    where={"Workflow": list(types)}):
                types[r["Workflow"]].add(r["Workflow_Type"])
        return {rid: sorted(t) for rid, t in types.items()}

    def workflow_values(self, types: list[str]) -> dict[str, Any]:
        """Extra ``Workflow`` columns recording ``types``: the first in 1.17's column."""
        if not self.workflow_type_column:
            return {}
        if len(types) > 1 and not self.has_table("Workflow_Workflow_Type"):
            raise DerivaMLNeedsMigration(
                f"Catalog {self.catalog_id} on {self.hostname} stores one type per workflow "
                f"(deriva-ml 1.17's Workflow.Workflow_Type), so a workflow of types "
                f"{', '.join(types)} cannot be recorded: give one type, or, to allow several, "
                f"{migrate_hint(self.hostname, self.catalog_id)}.")
        return {"Workflow_Type": types[0] if types else None}

    def workflow_type_links(self, workflow_rid: str, types: list[str]) -> list[dict[str, str]]:
        """``Workflow_Workflow_Type`` rows recording ``types`` (none without that table)."""
        if not self.has_table("Workflow_Workflow_Type"):
            return []
        return [{"Workflow": workflow_rid, "Workflow_Type": t} for t in dict.fromkeys(types)]
