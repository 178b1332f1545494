"""``DerivaML``: the entry point — a catalog connection plus the ML data model on top of it.

Vocabulary and table management live here; dataset methods come from
``dataset.api.DatasetAPI``, execution methods from ``execution.api.ExecutionAPI`` and asset
records from ``asset.api.AssetAPI``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .asset.api import AssetAPI
from .catalog.connect import connect_catalog, derivaml_home, is_local
from .catalog.contract import Catalog, Column, ForeignKey, Table, check_name_length
from .core.definitions import ML_SCHEMA, MLVocab
from .core.errors import DerivaMLConflict, DerivaMLInvalidTerm, DerivaMLValidationError
from .core.listing import Listing
from .core.vocabulary_term import TERM_COLUMNS, VocabularyTerm, term_rows
from .dataset.api import DatasetAPI
from .execution.api import ExecutionAPI
from .feature.api import FeatureAPI
from .schema.builders import association_table, link, vocabulary_table
from .schema.definitions import TableDefinition, as_column, as_foreign_key
from .schema.ml_schema import SEED_TERMS, asset_support_tables, open_ml_schema
from .schema.profile import SchemaProfile

if TYPE_CHECKING:
    import pandas as pd

log = logging.getLogger("derivaml")


class DerivaML(DatasetAPI, ExecutionAPI, FeatureAPI, AssetAPI):
    """A connection to a DerivaML catalog.

    ``DerivaML()`` opens the default embedded local catalog; ``DerivaML("local", "demo")`` a
    named local one; any other hostname a DERIVA server. A new catalog gets the ``deriva-ml``
    schema; a catalog made by a deriva-ml release is used as it is, through its
    ``profile`` (see ``schema.profile``). ``domain_schema`` is where new tables go (default:
    the catalog's only domain schema, else ``domain``). ``clean_execution_dir`` (default True,
    as in deriva-ml): ``upload_execution_outputs`` deletes an execution's uploaded files.

    Example::

        ml = DerivaML()
        ml.add_term("Workflow_Type", "Data_Augmentation", description="Augments data")
    """

    def __init__(
        self,
        hostname: str = "local",
        catalog_id: str | int = "default",
        domain_schema: str | None = None,
        project_name: str | None = None,
        working_dir: str | Path | None = None,
        cache_dir: str | Path | None = None,
        hydra_runtime_output_dir: str | Path | None = None,
        logging_level: str | int = "WARNING",
        credential: dict | None = None,
        clean_execution_dir: bool = True,
        catalog: Catalog | None = None,
    ):
        self.hostname = "local" if is_local(hostname) else hostname
        self.catalog_id = str(catalog_id)
        self.catalog: Catalog = catalog or connect_catalog(self.hostname, self.catalog_id,
                                                           credential=credential)
        self.ml_schema = ML_SCHEMA
        self.profile: SchemaProfile
        self.profile, self.domain_schema = open_ml_schema(self.catalog, domain_schema)
        self.project_name = project_name or self.domain_schema
        self.working_dir = (Path(working_dir).expanduser().resolve() if working_dir else
                            derivaml_home() / "work" / self.hostname / self.catalog_id)
        self.cache_dir = Path(cache_dir).expanduser().resolve() if cache_dir else \
            self.working_dir / "cache"
        self.hydra_runtime_output_dir = Path(hydra_runtime_output_dir) \
            if hydra_runtime_output_dir else None
        self.clean_execution_dir = clean_execution_dir
        log.setLevel(logging_level)
        self._terms: dict[tuple[str, str], dict[str, dict]] = {}

    @classmethod
    def instantiate(cls, config: Any) -> DerivaML:
        """Build from a ``DerivaMLConfig`` (or any object/mapping with the same fields)."""
        fields = dict(config) if isinstance(config, Mapping) else dict(vars(config))
        known = cls.__init__.__code__.co_varnames[1:cls.__init__.__code__.co_argcount]
        return cls(**{k: v for k, v in fields.items() if k in known})

    def __repr__(self) -> str:
        return f"DerivaML({self.hostname!r}, {self.catalog_id!r})"

    # -- model -------------------------------------------------------------------------------
    @property
    def search_schemas(self) -> tuple[str, ...]:
        """Where tables are looked up by name: the default domain schema, the catalog's
        other domain schemas, then ``deriva-ml``."""
        others = [s for s in self.profile.domain_schemas if s != self.domain_schema]
        return (self.domain_schema, *others, self.ml_schema)

    def find_table(self, name: str | Table) -> Table:
        """A table of a domain or the ``deriva-ml`` schema by name (``Image``,
        ``domain.Image``)."""
        if isinstance(name, Table):
            return name
        return self.catalog.model().find_table(name, self.search_schemas)

    def is_vocabulary(self, table: str | Table) -> bool:
        return self.find_table(table).kind == "vocabulary"

    def is_asset(self, table: str | Table) -> bool:
        return self.find_table(table).kind == "asset"

    def _vocabulary(self, table: str | Table) -> Table:
        t = self.find_table(table)
        if t.kind != "vocabulary":
            raise DerivaMLValidationError(
                f"{t.name} is not a vocabulary table. Vocabularies here: "
                f"{', '.join(v.name for v in self.list_vocabularies())}."
            )
        return t

    def list_vocabularies(self) -> list[Table]:
        return [t for t in self.catalog.model().tables()
                if t.kind == "vocabulary" and t.schema in self.search_schemas]

    # -- vocabularies ------------------------------------------------------------------------
    def create_vocabulary(self, vocab_name: str, comment: str = "",
                          schema: str | None = None) -> Table:
        """Create a controlled vocabulary table in the domain schema (or ``schema``)."""
        schema = schema or self.domain_schema
        if self.catalog.model().has_table(schema, vocab_name):
            raise DerivaMLConflict(f"Table {schema}.{vocab_name} already exists.")
        return self.catalog.create_table(
            vocabulary_table(schema, vocab_name, self.project_name, comment))

    def _term_index(self, t: Table, refresh: bool = False) -> dict[str, dict]:
        key = (t.schema, t.name)
        if refresh or key not in self._terms:
            index: dict[str, dict] = {}
            for row in self.catalog.iter_rows(t.schema, t.name):
                for name in [row["Name"], *(row.get("Synonyms") or [])]:
                    index.setdefault(name.casefold(), row)
            self._terms[key] = index
        return self._terms[key]

    def lookup_term(self, table: str | Table, term_name: str) -> dict:
        """The term row whose Name or a synonym is ``term_name`` (case-insensitive)."""
        t = self._vocabulary(table)
        key = str(term_name).casefold()
        row = self._term_index(t).get(key) or self._term_index(t, refresh=True).get(key)
        if row is None:
            raise DerivaMLInvalidTerm(t.name, term_name, known=[
                r["Name"] for r in self._term_index(t).values()])
        return row

    def add_term(self, table: str | Table, term_name: str, description: str,
                 synonyms: Iterable[str] | None = None, exists_ok: bool = True) -> dict:
        """Add a term to a vocabulary; return the existing term if ``exists_ok``."""
        t = self._vocabulary(table)
        if not isinstance(term_name, str) or not term_name.strip():
            raise DerivaMLValidationError(
                f"A term of {t.name} needs a name: got {term_name!r}; give a non-empty string "
                "such as 'Training'.")
        try:
            existing = self.lookup_term(t, term_name)
        except DerivaMLInvalidTerm:
            existing = None
        if existing is not None:
            if exists_ok:
                return existing
            raise DerivaMLConflict(f"Term {term_name!r} already exists in {t.name}.")
        if not description:
            raise DerivaMLValidationError(f"Term {term_name!r} needs a description.")
        row = self.catalog.insert(t.schema, t.name, [{
            "Name": term_name, "Description": description,
            "Synonyms": list(synonyms) if synonyms else None,
        }], on_conflict_skip=True)
        self._terms.pop((t.schema, t.name), None)
        return row[0] if row else self.lookup_term(t, term_name)

    def list_vocabulary_terms(self, table: str | Table) -> Listing[VocabularyTerm]:
        """The terms of a vocabulary, by name: ``VocabularyTerm`` objects (``name``,
        ``description``, ``synonyms``, ``id``, ``uri``, ``rid``), shown as a table."""
        t = self._vocabulary(table)
        return Listing((VocabularyTerm(**row) for row in
                        self.catalog.select(t.schema, t.name, sort=["Name"])),
                       term_rows, TERM_COLUMNS)

    def _check_terms(self, table: str, terms: Iterable[str]) -> list[str]:
        """Canonical names of ``terms`` (synonyms resolved); unknown ones raise. A term
        DerivaML seeds (e.g. the workflow type ``Analysis Notebook``) that the catalog lacks is
        added first: a catalog made by a deriva-ml release need not have it."""
        terms = list(terms)
        try:
            return [self.lookup_term(table, term)["Name"] for term in terms]
        except DerivaMLInvalidTerm as unknown:
            if str(unknown.term).casefold() not in {
                    name.casefold() for name, _ in SEED_TERMS.get(table, [])}:
                raise
        self._ensure_seed_terms(table)
        return [self.lookup_term(table, term)["Name"] for term in terms]

    def _ensure_seed_terms(self, *vocabularies: MLVocab) -> None:
        """Add the terms DerivaML itself uses that a vocabulary lacks (catalogs made by
        deriva-ml releases miss some, e.g. ``Deriva_Config`` in 1.17)."""
        for vocabulary in vocabularies:
            index = self._term_index(self._vocabulary(vocabulary))
            missing = [{"Name": n, "Description": d} for n, d in SEED_TERMS[vocabulary]
                       if n.casefold() not in index]
            if missing:
                self.catalog.insert(ML_SCHEMA, vocabulary, missing, on_conflict_skip=True)
                self._terms.pop((ML_SCHEMA, str(vocabulary)), None)

    # -- domain tables -----------------------------------------------------------------------
    def create_table(self, table: str | Table | TableDefinition,
                     columns: Iterable[Column | tuple] | Mapping = (),
                     *, foreign_keys: Iterable[ForeignKey] = (), keys: Iterable[tuple] = (),
                     comment: str = "", schema: str | None = None) -> Table:
        """Create a domain table. ``columns`` are ``Column``s, ``ColumnDefinition``s,
        ``(name, type)`` pairs or a ``{name: type}`` mapping; a ``Table`` or deriva-ml's
        ``TableDefinition`` (in ``schema``, default the domain schema) is also accepted."""
        if isinstance(table, TableDefinition):
            definition = table.to_table(schema or self.domain_schema)
        elif isinstance(table, Table):
            definition = table
        else:
            definition = Table(schema or self.domain_schema, table, _columns(columns),
                               list(keys), list(foreign_keys), "table", comment)
        if self.catalog.model().has_table(definition.schema, definition.name):
            raise DerivaMLConflict(
                f"Table {definition.schema}.{definition.name} already exists; use it or pick "
                "another name.")
        return self.catalog.create_table(definition)

    def create_asset(self, asset_name: str,
                     column_defs: Iterable[Column | tuple] | Mapping | None = None,
                     fkey_defs: Iterable[ForeignKey] | None = None,
                     referenced_tables: Iterable[str | Table] | None = None, comment: str = "",
                     schema: str | None = None, update_navbar: bool = True) -> Table:
        """Create an asset table (files with URL, Filename, Length, MD5) with its asset-type
        and execution associations, and an ``Asset_Type`` term named after it. Each of
        ``referenced_tables`` gets a column named after it referencing its ``RID``.
        ``update_navbar`` is deriva-ml's (Chaise's navigation bar); it has no effect here."""
        from .schema.builders import asset_table

        schema = schema or self.domain_schema
        if self.catalog.model().has_table(schema, asset_name):
            raise DerivaMLConflict(f"Table {schema}.{asset_name} already exists.")
        references = [self.find_table(t) for t in referenced_tables or ()]
        columns = _columns(column_defs or ()) + [Column(t.name) for t in references]
        fkeys = [as_foreign_key(fk, schema) for fk in fkey_defs or ()] + [
            ForeignKey((t.name,), t.schema, t.name) for t in references]
        model = self.catalog.model()
        tables = asset_support_tables(
            asset_table(schema, asset_name, columns, fkeys, comment),
            model.table(ML_SCHEMA, MLVocab.asset_type), model.table(ML_SCHEMA, MLVocab.asset_role),
            model.table(ML_SCHEMA, "Execution"))
        for t in tables:  # all names checked first: a DERIVA server cannot undo a creation
            check_name_length(t.name, "table")
        with self.catalog.transaction():
            for t in tables:
                self.catalog.create_table(t)
            self.add_term(MLVocab.asset_type, asset_name, description=f"A {asset_name} asset.")
        return self.find_table(asset_name)

    def add_dataset_element_type(self, element: str | Table) -> Table:
        """Allow rows of ``element`` to be dataset members (creates ``Dataset_<element>``)."""
        t = self.find_table(element)
        if t.kind in ("vocabulary", "association"):
            raise DerivaMLValidationError(
                f"{t.name} is a {t.kind} table and cannot hold dataset members.")
        model = self.catalog.model()
        name = f"Dataset_{t.name}"
        schema = t.schema
        if model.has_table(schema, name):
            return model.table(schema, name)
        return self.catalog.create_table(association_table(
            schema, name, [link("Dataset", model.table(ML_SCHEMA, "Dataset")), link(t.name, t)]))

    # -- rows --------------------------------------------------------------------------------
    def insert_rows(self, table: str | Table, rows: Iterable[Mapping[str, Any]]) -> list[dict]:
        """Insert rows into a domain table; return them with their RIDs."""
        t = self.find_table(table)
        return self.catalog.insert(t.schema, t.name, rows)

    def get_table_as_dataframe(self, table: str | Table) -> pd.DataFrame:
        import pandas as pd

        t = self.find_table(table)
        return pd.DataFrame(list(self.catalog.iter_rows(t.schema, t.name)),
                            columns=t.column_names)

    def resolve_rid(self, rid: str):
        """Where a RID lives: ``(schema, table, row)``."""
        return self.catalog.resolve_rid(rid)

    def cite(self, rid: str, current: bool = False) -> str:
        """A URL for a RID; pinned to the current snapshot unless ``current``."""
        self.catalog.resolve_rid(rid)
        return self.catalog.url_for(rid, None if current else self.catalog.snapshot())


def _columns(columns: Iterable[Column | tuple] | Mapping) -> list[Column]:
    if isinstance(columns, Mapping):
        columns = list(columns.items())
    return [as_column(c) for c in columns]

