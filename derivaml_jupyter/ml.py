"""``DerivaML``: the entry point — a catalog connection plus the ML data model on top of it.

Vocabulary and table management live here; the other methods come from mixins, e.g. datasets
from ``dataset.api.DatasetAPI``, executions from ``execution.api.ExecutionAPI``, asset records
from ``asset.api.AssetAPI``, the connection itself (identity, snapshots, RIDs, schema pinning)
from ``catalog_api.CatalogAPI``, executions' working directories from
``execution.dirs.ExecutionDirsAPI`` and config checks from
``config_validation.ConfigValidationAPI``.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .annotations.api import AnnotationAPI
from .annotations.tags import TAG_CHAISE_CONFIG
from .asset.api import AssetAPI
from .catalog.connect import connect_catalog, is_local
from .catalog.contract import Catalog, Column, ForeignKey, Table, check_name_length
from .catalog_api import CatalogAPI
from .config_validation import ConfigValidationAPI
from .core.connection_mode import ConnectionMode, as_schema_set, ignored_settings, warn_ignored
from .core.definitions import DRY_RUN_RID, ML_SCHEMA, MLVocab
from .core.errors import (
    DerivaMLConflict,
    DerivaMLException,
    DerivaMLInvalidTerm,
    DerivaMLNotFound,
    DerivaMLTableTypeError,
    DerivaMLValidationError,
)
from .core.listing import Listing
from .core.vocabulary_term import TERM_COLUMNS, VocabularyTerm, term_rows
from .core.vocabulary_term_handle import VocabularyTermHandle
from .dataset.api import DatasetAPI
from .dataset.cache_api import DatasetCacheAPI
from .execution.api import ExecutionAPI
from .execution.compare import CompareAPI
from .execution.dirs import ExecutionDirsAPI, default_working_dir
from .execution.lineage_api import LineageAPI
from .feature.api import FeatureAPI
from .schema.builders import association_table, link, vocabulary_table
from .schema.definitions import TableDefinition, as_column, as_foreign_key
from .schema.ml_schema import SEED_TERMS, asset_support_tables, open_ml_schema
from .schema.profile import SchemaProfile

if TYPE_CHECKING:
    import pandas as pd

    from .execution.configuration import AssetSpec, ExecutionConfiguration
    from .execution.execution import Execution
    from .execution.workflow import Workflow

log = logging.getLogger("derivaml")


class DerivaML(DatasetAPI, DatasetCacheAPI, ExecutionAPI, FeatureAPI, AssetAPI, CatalogAPI,
               ExecutionDirsAPI, AnnotationAPI, LineageAPI, ConfigValidationAPI, CompareAPI):
    """A connection to a DerivaML catalog, with deriva-ml's parameters in its order.

    ``DerivaML()`` opens the default embedded local catalog; ``DerivaML("local", "demo")`` a
    named local one; any other hostname a DERIVA server. A new catalog gets the ``deriva-ml``
    schema; a catalog made by a deriva-ml release is used as it is, through its
    ``profile`` (see ``schema.profile``). ``default_schema`` (also spelled ``domain_schema``,
    or a single ``domain_schemas`` name) is where new tables go (default: the catalog's only
    domain schema, else ``domain``); tables of every domain schema are found.
    ``working_dir`` defaults to ``$DERIVAML_HOME/work/<hostname>/<catalog_id>``, ``cache_dir``
    to its ``cache``. ``clean_execution_dir`` (default True, as in deriva-ml):
    ``upload_execution_outputs`` deletes an execution's uploaded files. ``catalog``: an open
    ``Catalog`` to use instead of connecting (its hostname and id are the connection's).

    deriva-ml settings that do not apply here warn once per process
    (``IgnoredConfigWarning``), saying why: ``s3_bucket``, ``use_minid=True``,
    ``mode="offline"``, another ``ml_schema``, several ``domain_schemas`` without a
    ``default_schema``, ``reuse_schema_json``.

    Example::

        ml = DerivaML()
        ml.add_term("Workflow_Type", "Data_Augmentation", description="Augments data")
    """

    def __init__(
        self,
        hostname: str = "local",
        catalog_id: str | int = "default",
        domain_schemas: str | set[str] | None = None,
        default_schema: str | None = None,
        project_name: str | None = None,
        cache_dir: str | Path | None = None,
        working_dir: str | Path | None = None,
        hydra_runtime_output_dir: str | Path | None = None,
        ml_schema: str = ML_SCHEMA,
        logging_level: str | int = logging.WARNING,
        deriva_logging_level: str | int = logging.WARNING,
        credential: dict | None = None,
        s3_bucket: str | None = None,
        use_minid: bool | None = None,
        clean_execution_dir: bool = True,
        mode: ConnectionMode | str = ConnectionMode.online,
        reuse_schema_json: dict | None = None,
        *,
        domain_schema: str | None = None,
        catalog: Catalog | None = None,
    ):
        named = {s for s in (domain_schema, default_schema) if s}
        if len(named) > 1:
            raise DerivaMLValidationError(
                f"domain_schema {domain_schema!r} and default_schema {default_schema!r} "
                "disagree; pass only one of them.")
        schemas = as_schema_set(domain_schemas)
        chosen = next(iter(named), None) or (next(iter(schemas)) if len(schemas) == 1 else None)
        warn_ignored("DerivaML", ignored_settings(
            domain_schemas=None if chosen else domain_schemas, ml_schema=ml_schema,
            s3_bucket=s3_bucket, use_minid=use_minid, mode=mode,
            reuse_schema_json=reuse_schema_json), stacklevel=3)
        if catalog is not None:  # its host and id, whatever hostname and catalog_id say
            hostname, catalog_id = catalog.hostname, catalog.catalog_id
        self.hostname = "local" if is_local(hostname) else hostname
        self.catalog_id = str(catalog_id)
        self.credential = credential
        self.catalog: Catalog = catalog or connect_catalog(self.hostname, self.catalog_id,
                                                           credential=credential)
        self.ml_schema = ML_SCHEMA
        self.profile: SchemaProfile
        self.profile, self.domain_schema = open_ml_schema(self.catalog, chosen)
        self.project_name = project_name or self.domain_schema
        self.working_dir = (Path(working_dir).expanduser().resolve() if working_dir else
                            default_working_dir(self.hostname, self.catalog_id))
        self.cache_dir = Path(cache_dir).expanduser().resolve() if cache_dir else \
            self.working_dir / "cache"
        self.hydra_runtime_output_dir = Path(hydra_runtime_output_dir) \
            if hydra_runtime_output_dir else None
        self.clean_execution_dir = clean_execution_dir
        self.s3_bucket, self.use_minid = s3_bucket, False
        self._logging_levels = (logging_level, deriva_logging_level)
        log.setLevel(logging_level)
        logging.getLogger("deriva").setLevel(deriva_logging_level)
        self._terms: dict[tuple[str, str], dict[str, dict]] = {}
        self._snapshots: dict[str, DerivaML] = {}
        self._opened_model = self.catalog.model()

    @property
    def host_name(self) -> str:
        """deriva-ml's name for ``hostname``."""
        return self.hostname

    @property
    def mode(self) -> ConnectionMode:
        """Always ``ConnectionMode.online``: writes reach the catalog as they happen."""
        return ConnectionMode.online

    @property
    def domain_schemas(self) -> tuple[str, ...]:
        """The catalog's domain schemas (every schema but ``deriva-ml`` and the system ones)."""
        return self.profile.domain_schemas

    @property
    def default_schema(self) -> str:
        """deriva-ml's name for ``domain_schema``: where new tables go."""
        return self.domain_schema

    @classmethod
    def instantiate(cls, config: Any) -> DerivaML:
        """Build from a ``DerivaMLConfig`` (or any object/mapping with the same fields)."""
        fields = dict(config) if isinstance(config, Mapping) else dict(vars(config))
        params = inspect.signature(cls.__init__).parameters
        if any(p.kind is p.VAR_KEYWORD for p in params.values()):  # a subclass's **kwargs
            return cls(**fields)
        return cls(**{k: v for k, v in fields.items() if k in params and k != "self"})

    @classmethod
    def from_context(cls, path: Path | str | None = None) -> DerivaML:
        """Connect as the nearest ``.deriva-context.json`` says (``hostname``,
        ``catalog_id``, optional ``default_schema`` and ``working_dir``), looked for in
        ``path`` (default: the current directory) and then its parents, as deriva-ml's MCP
        server writes it."""
        start = Path(path or Path.cwd()).resolve()
        for folder in (start, *start.parents):
            found = folder / ".deriva-context.json"
            if found.is_file():
                context = json.loads(found.read_text())
                return cls(context["hostname"], context["catalog_id"],
                           default_schema=context.get("default_schema"),
                           working_dir=context.get("working_dir"))
        raise FileNotFoundError(f"No .deriva-context.json in {start} or any parent directory.")

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
            raise DerivaMLTableTypeError("vocabulary", t.name, message=(
                f"{t.name} is not a vocabulary table. Vocabularies here: "
                f"{', '.join(v.name for v in self.list_vocabularies())}."))
        return t

    def list_vocabularies(self) -> list[Table]:
        return [t for t in self.catalog.model().tables()
                if t.kind == "vocabulary" and t.schema in self.search_schemas]

    # -- vocabularies ------------------------------------------------------------------------
    def create_vocabulary(self, vocab_name: str, comment: str = "",
                          schema: str | None = None, update_navbar: bool = True) -> Table:
        """Create a controlled vocabulary table in the domain schema (or ``schema``).
        ``update_navbar`` (as in deriva-ml): list it in Chaise's navigation bar
        (``apply_catalog_annotations``); pass False when creating several, then call that once."""
        schema = schema or self.domain_schema
        if self.catalog.model().has_table(schema, vocab_name):
            raise DerivaMLConflict(f"Table {schema}.{vocab_name} already exists.")
        created = self.catalog.create_table(
            vocabulary_table(schema, vocab_name, self.project_name, comment))
        return self._listed_in_navbar(created, update_navbar)

    def _listed_in_navbar(self, table: Table, update_navbar: bool) -> Table:
        """``table``, after rewriting the navigation bar if ``update_navbar``: the catalog's
        brand text and title stay as they are."""
        if update_navbar:
            config = self.catalog.annotations().get(TAG_CHAISE_CONFIG) or {}
            self.apply_catalog_annotations(**{
                arg: config[key] for arg, key in (("navbar_brand_text", "navbarBrandText"),
                                                  ("head_title", "headTitle")) if key in config})
        return table

    def _term_index(self, t: Table, refresh: bool = False) -> dict[str, dict]:
        key = (t.schema, t.name)
        if refresh or key not in self._terms:
            index: dict[str, dict] = {}
            for row in self.catalog.iter_rows(t.schema, t.name):
                for name in [row["Name"], *(row.get("Synonyms") or [])]:
                    index.setdefault(name.casefold(), row)
            self._terms[key] = index
        return self._terms[key]

    def lookup_term(self, table: str | Table, term_name: str) -> VocabularyTermHandle:
        """The term whose Name or a synonym is ``term_name`` (case-insensitive), as a
        ``VocabularyTermHandle`` (``term.name``; its row's columns as items, ``term["RID"]``)."""
        t = self._vocabulary(table)
        key = str(term_name).casefold()
        row = self._term_index(t).get(key) or self._term_index(t, refresh=True).get(key)
        if row is None:
            raise DerivaMLInvalidTerm(t.name, term_name, known=[
                r["Name"] for r in self._term_index(t).values()])
        return VocabularyTermHandle(self, t.name, **row)

    def add_term(self, table: str | Table, term_name: str, description: str,
                 synonyms: Iterable[str] | None = None, exists_ok: bool = True
                 ) -> VocabularyTermHandle:
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
        return VocabularyTermHandle(self, t.name, **row[0]) if row else self.lookup_term(
            t, term_name)

    def delete_term(self, table: str | Table, term_name: str) -> None:
        """Delete a term (by name or synonym) that no row uses; a term in use raises
        ``DerivaMLConflict`` naming the table that uses it."""
        t = self._vocabulary(table)
        term = self.lookup_term(t, term_name)
        model = self.catalog.model()
        for user in model.tables():
            for fk in user.references(t.schema, t.name):
                used = self.catalog.count(user.schema, user.name,
                                          where={fk.columns[0]: term[fk.pk_columns[0]]})
                if used:
                    raise DerivaMLConflict(
                        f"Cannot delete term {term['Name']!r} of {t.name}: {used} row(s) of "
                        f"{user.name} use it.")
        self.catalog.delete(t.schema, t.name, {"RID": term["RID"]})
        self.clear_vocabulary_cache(t)

    def clear_vocabulary_cache(self, table: str | Table | None = None) -> None:
        """Forget the cached terms of ``table`` (None: of every vocabulary), so the next
        lookup reads them from the catalog (after another client changed them)."""
        if table is None:
            self._terms.clear()
        else:
            t = self._vocabulary(table)
            self._terms.pop((t.schema, t.name), None)

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
    def create_table(self, table: str | Table | TableDefinition, schema: str | None = None,
                     update_navbar: bool = True,
                     columns: Iterable[Column | tuple] | Mapping = (),
                     *, foreign_keys: Iterable[ForeignKey] = (), keys: Iterable[tuple] = (),
                     comment: str = "") -> Table:
        """Create a table in ``schema`` (default the domain schema): deriva-ml's
        ``TableDefinition`` (or ``define_association``'s), a ``Table``, or a name with
        ``columns`` — ``Column``s, ``ColumnDefinition``s, ``(name, type)`` pairs or a
        ``{name: type}`` mapping, which may also come second (``create_table("Subject",
        {"Name": "text"})``). ``update_navbar`` (as in deriva-ml): list it in Chaise's
        navigation bar (``apply_catalog_annotations``); pass False when creating several, then
        call that once."""
        if schema is not None and not isinstance(schema, str):  # create_table(name, columns)
            schema, columns = None, schema
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
        return self._listed_in_navbar(self.catalog.create_table(definition), update_navbar)

    def define_association(self, associates: list, metadata: list | None = None,
                           table_name: str | None = None, comment: str | None = None,
                           **kwargs: Any) -> Table:
        """The definition (not yet created: pass it to ``create_table``) of an association
        table linking ``associates`` — tables or table names, ``(column, table)`` pairs to
        name the column — by ``Name`` for vocabularies, else by ``RID``. ``metadata`` adds
        columns (``Column``s, ``ColumnDefinition``s, ``(name, type)`` pairs) or, for a table,
        a nullable reference to it. ``table_name`` defaults to the associated names joined by
        ``_``; the table goes to the schema of the first associate that is not in
        ``deriva-ml`` (else the domain schema). ``kwargs`` are deriva-py's options for
        ``Table.define_association``, which do not apply here."""
        if kwargs:
            raise DerivaMLValidationError(
                f"define_association: {', '.join(sorted(kwargs))} are deriva-py options of "
                "Table.define_association that do not apply here; pass associates, metadata, "
                "table_name and comment only.")
        links = []
        for item in associates:
            column, target = item if isinstance(item, tuple) else (None, item)
            target = self.find_table(target)
            links.append(link(column or target.name, target))
        if len(links) < 2:
            raise DerivaMLValidationError("define_association needs at least two associates.")
        extra, extra_fkeys = [], []
        for item in metadata or ():
            if isinstance(item, str | Table) and not isinstance(item, tuple):
                try:
                    target = self.find_table(item)
                except DerivaMLNotFound:
                    target = None
                if target is not None:
                    extra.append(Column(target.name))
                    extra_fkeys.append(ForeignKey((target.name,), target.schema, target.name,
                                                  ("Name" if target.kind == "vocabulary"
                                                   else "RID",)))
                    continue
            extra.append(as_column(item))
        schema = next((t.schema for _, t, _ in links if t.schema != ML_SCHEMA),
                      self.domain_schema)
        definition = association_table(
            schema, table_name or "_".join(t.name for _, t, _ in links), links, extra,
            extra_fkeys)
        definition.comment = comment or ""
        return definition

    def create_asset(self, asset_name: str,
                     column_defs: Iterable[Column | tuple] | Mapping | None = None,
                     fkey_defs: Iterable[ForeignKey] | None = None,
                     referenced_tables: Iterable[str | Table] | None = None, comment: str = "",
                     schema: str | None = None, update_navbar: bool = True) -> Table:
        """Create an asset table (files with URL, Filename, Length, MD5) with its asset-type
        and execution associations, and an ``Asset_Type`` term named after it. Each of
        ``referenced_tables`` gets a column named after it referencing its ``RID``.
        ``update_navbar`` (as in deriva-ml): list it in Chaise's navigation bar
        (``apply_catalog_annotations``); pass False when creating several, then call that once."""
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
        return self._listed_in_navbar(self.find_table(asset_name), update_navbar)

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

    def get_table_as_dict(self, table: str | Table) -> Iterator[dict[str, Any]]:
        """Every row of a table, as a dict, read page by page."""
        t = self.find_table(table)
        yield from self.catalog.iter_rows(t.schema, t.name)

    def resolve_rid(self, rid: str):
        """Where a RID lives: ``(schema, table, row)``."""
        return self.catalog.resolve_rid(rid)

    def cite(self, entity: Mapping[str, Any] | str, current: bool = False) -> str:
        """A URL for a row — its RID, a row with a ``RID``, or a citation URL of this catalog
        (returned as it is) — pinned to the current snapshot unless ``current``. The dry-run
        RID gives ``"dry-run (rid=0000)"``, not a link."""
        if isinstance(entity, Mapping):
            if "RID" not in entity:
                raise DerivaMLException(f"Cannot cite {dict(entity)!r}: it has no RID.")
            entity = entity["RID"]
        if entity == DRY_RUN_RID:
            return f"dry-run (rid={DRY_RUN_RID})"
        if "/" in entity:  # a citation URL of this catalog
            rid, _, snapshot = entity.rsplit("/", 1)[-1].partition("@")
            if entity == self.catalog.url_for(rid, snapshot or None):
                return entity
            raise DerivaMLValidationError(f"{entity!r} is not a RID nor a URL of this catalog.")
        self.catalog.resolve_rid(entity)
        return self.catalog.url_for(entity, None if current else self.catalog.snapshot())

    # -- executions: deriva-ml's spellings ---------------------------------------------------
    def lookup_workflow(self, rid: str) -> Workflow:
        """The recorded workflow with this RID."""
        return super().lookup_workflow(rid)

    def create_execution(self, configuration: ExecutionConfiguration | None = None, *,
                         datasets: list | None = None, assets: list[AssetSpec | str] | None = None,
                         workflow: Workflow | str | None = None, description: str | None = None,
                         dry_run: bool = False) -> Execution:
        """Record a new execution, from an ``ExecutionConfiguration`` or from ``datasets``
        (``DatasetSpec``s or ``"RID@version"``), ``assets`` (``AssetSpec``s or RIDs) and
        ``description`` (not both). ``workflow`` (a ``Workflow``, a workflow RID or its code's
        URL) is the configuration's or replaces it. See ``ExecutionAPI.create_execution``."""
        from .execution.configuration import ExecutionConfiguration

        loose = {k: v for k, v in (("datasets", datasets), ("assets", assets),
                                   ("description", description)) if v is not None}
        if configuration is not None and loose:
            raise TypeError(f"create_execution: pass a configuration or {', '.join(loose)}, "
                            "not both.")
        if isinstance(workflow, str):
            workflow = (self.lookup_workflow_by_url(workflow) if "/" in workflow
                        else self.lookup_workflow(workflow))
        if configuration is None and (loose or workflow is not None):
            configuration = ExecutionConfiguration(workflow=workflow, **loose)
        return super().create_execution(configuration, workflow=workflow, dry_run=dry_run)


def _columns(columns: Iterable[Column | tuple] | Mapping) -> list[Column]:
    if isinstance(columns, Mapping):
        columns = list(columns.items())
    return [as_column(c) for c in columns]

