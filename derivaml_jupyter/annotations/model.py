"""``DerivaModel``: a catalog's model with deriva-ml's helpers (``ml.model``).

Tables come back as ``TableHandle``s, one per table for the model's life, so annotation edits
made on them (``table.annotations[tag] = ...``) or through DerivaML's ``set_*`` methods are
staged here until ``apply()`` (``ml.apply_annotations()``) writes them.

Example::

    subject = ml.model.name_to_table("Subject")
    ml.model.is_vocabulary("Species"), ml.model.find_features(subject)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..catalog.contract import SYSTEM_COLUMNS, Catalog, Model, Table
from ..core.definitions import ML_SCHEMA, SYSTEM_SCHEMAS, DerivaAssetColumns
from ..core.errors import (
    AmbiguousAssociationException,
    DerivaMLException,
    DerivaMLFeatureNotFound,
    DerivaMLReadOnlyError,
    DerivaMLTableNotFound,
    DerivaMLTableTypeError,
    NoAssociationException,
)
from .handles import CatalogHandle, ColumnHandle, TableHandle
from .tags import TAG_CHAISE_CONFIG

if TYPE_CHECKING:
    from ..feature.record import Feature
    from ..ml import DerivaML

# ``*_Execution`` tables that are not asset-execution associations.
NOT_ASSET_EXECUTION = ("Dataset_Execution", "Execution_Execution")
VOCABULARY_COLUMNS = ("Name", "ID", "URI", "Description", "Synonyms")


class SchemaHandle:
    """A schema of the model: its ``name`` and its ``tables`` (name -> ``TableHandle``)."""

    def __init__(self, model: DerivaModel, name: str):
        self._model = model
        self.name = name

    @property
    def tables(self) -> dict[str, TableHandle]:
        return {name: self._model._handle(t)
                for name, t in self._model.model.schemas.get(self.name, {}).items()}

    def __repr__(self) -> str:
        return f"SchemaHandle({self.name!r})"


class DerivaModel:
    """The model of ``model`` — a catalog (``ml.catalog``), a ``DerivaML``, or a plain
    ``Model`` (read-only: no annotations) — with ``ml_schema``, its ``domain_schemas``
    (default: every schema but the ML and system ones) and ``default_schema`` (default: the
    only domain schema)."""

    def __init__(self, model: Catalog | DerivaML | Model, ml_schema: str = ML_SCHEMA,
                 domain_schemas: str | Iterable[str] | None = None,
                 default_schema: str | None = None):
        self._ml = model if isinstance(getattr(model, "catalog", None), Catalog) else None
        self.catalog: Catalog | None = self._ml.catalog if self._ml else \
            model if isinstance(model, Catalog) else None
        self._fixed: Model | None = model if isinstance(model, Model) else None
        if self.catalog is None and self._fixed is None:
            raise DerivaMLException(
                f"A DerivaModel is made from a catalog, a DerivaML or a Model, not {model!r}.")
        self.hostname = getattr(self.catalog, "hostname", "localhost")
        self.ml_schema = ml_schema
        if isinstance(domain_schemas, str):
            domain_schemas = {domain_schemas}
        self.domain_schemas = frozenset(
            domain_schemas if domain_schemas is not None else
            (s for s in self.model.schemas if s != ml_schema and s not in SYSTEM_SCHEMAS))
        if default_schema is not None and default_schema not in self.domain_schemas:
            raise DerivaMLException(
                f"default_schema '{default_schema}' is not in domain_schemas: "
                f"{sorted(self.domain_schemas)}")
        self.default_schema = default_schema or (
            next(iter(self.domain_schemas)) if len(self.domain_schemas) == 1 else None)
        self._handles: dict[tuple[str, str], TableHandle] = {}
        self._catalog_handle = CatalogHandle(self.catalog) if self.catalog else None

    @classmethod
    def from_cached(cls, schema_dict: dict, *, catalog: Catalog | DerivaML | None,
                    ml_schema: str = ML_SCHEMA, domain_schemas: str | set[str] | None = None,
                    default_schema: str | None = None) -> DerivaModel:
        """The model of an ERMrest ``/schema`` document read earlier, for ``catalog``
        (annotations and ``refresh_model`` go to the catalog; None: read-only)."""
        from ..catalog.deriva.model import model_from_doc

        fixed = model_from_doc(schema_dict)
        derived = cls(catalog if catalog is not None else fixed, ml_schema, domain_schemas,
                      default_schema)
        derived._fixed = fixed
        return derived

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.catalog or 'read-only'!r})"

    # -- the model and its annotations -----------------------------------------------------
    @property
    def model(self) -> Model:
        """The catalog's tables (our ``Model``): as read when cached, else current."""
        return self._fixed if self._fixed is not None else self.catalog.model()

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name in ("model", "catalog"):
            raise AttributeError(name)
        return getattr(self.model, name)

    @property
    def schemas(self) -> dict[str, SchemaHandle]:
        return {name: SchemaHandle(self, name) for name in self.model.schemas}

    @property
    def annotations(self) -> dict[str, Any]:
        """The catalog's annotations, with staged edits."""
        return self._writable()._catalog_handle.annotations

    @property
    def chaise_config(self) -> dict[str, Any] | None:
        return self.annotations.get(TAG_CHAISE_CONFIG)

    def _writable(self) -> DerivaModel:
        if self.catalog is None:
            raise DerivaMLReadOnlyError(
                "This DerivaModel was made from a Model alone; make it from the catalog "
                "(DerivaModel(ml.catalog)) to read or change annotations.")
        return self

    def _handle(self, table: Table) -> TableHandle:
        key = (table.schema, table.name)
        handle = self._handles.get(key)
        if handle is None:
            handle = self._handles[key] = TableHandle(table, self.catalog)
        elif handle.table is not table:  # the model was read again
            handle.redefine(table)
        return handle

    def apply(self) -> None:
        """Write every staged annotation edit (the catalog's, its tables' and columns')."""
        self._writable()._catalog_handle.apply()
        for handle in self._handles.values():
            handle.apply()

    def refresh_model(self) -> None:
        """Read the model again: cached documents and unapplied edits are dropped."""
        self._fixed = None if self.catalog is not None else self._fixed
        self._handles.clear()
        if self._catalog_handle:
            self._catalog_handle.discard()

    # -- tables ------------------------------------------------------------------------------
    def name_to_table(self, table: str | Table | TableHandle) -> TableHandle:
        """The table named ``table``, searched in the domain schemas (sorted), the ML schema
        and ``WWW``; ``DerivaMLTableNotFound`` if none has it."""
        if isinstance(table, TableHandle):
            return table
        if isinstance(table, Table):
            return self._handle(table)
        model = self.model
        for schema in [*sorted(self.domain_schemas), self.ml_schema, "WWW"]:
            if model.has_table(schema, table):
                return self._handle(model.table(schema, table))
        raise DerivaMLTableNotFound(str(table), msg="Table doesn't exist in any searchable schema")

    def _searched(self) -> list[Table]:
        """Tables of the domain schemas (sorted) and the ML schema."""
        model = self.model
        return [t for s in [*sorted(self.domain_schemas), self.ml_schema]
                for t in model.schemas.get(s, {}).values()]

    def is_system_schema(self, schema_name: str) -> bool:
        return schema_name == self.ml_schema or schema_name in SYSTEM_SCHEMAS

    def is_domain_schema(self, schema_name: str) -> bool:
        return schema_name in self.domain_schemas

    def is_vocabulary(self, table: str | Table | TableHandle) -> bool:
        return self.name_to_table(table).kind == "vocabulary"

    def is_asset(self, table: str | Table | TableHandle) -> bool:
        return self.name_to_table(table).kind == "asset"

    def is_association(self, table: str | Table | TableHandle, unqualified: bool = True,
                       pure: bool = True, min_arity: int = 2, max_arity: int = 2) -> bool | int:
        """The number of tables ``table`` associates (its outbound foreign keys) when it is
        an association of ``min_arity``..``max_arity`` (None: any) tables, else False;
        ``pure``: with no columns besides those keys and the system columns.
        (``unqualified`` is deriva-py's and changes nothing here.)"""
        t = self.name_to_table(table).table
        arity = len(t.foreign_keys)
        if arity < min_arity or (max_arity is not None and arity > max_arity):
            return False
        linked = {c for fk in t.foreign_keys for c in fk.columns}
        if pure and any(c not in linked and c not in SYSTEM_COLUMNS for c in t.column_names):
            return False
        return arity

    def find_association(self, table1: str | Table | TableHandle,
                         table2: str | Table | TableHandle) -> tuple[TableHandle, str, str]:
        """The association of ``table1`` and ``table2`` and its columns referencing each:
        ``(association, column1, column2)``."""
        one, two = self.name_to_table(table1), self.name_to_table(table2)
        found = []
        for t in self.model.tables():
            if len(t.foreign_keys) != 2:
                continue
            for mine, other in (t.foreign_keys, t.foreign_keys[::-1]):
                if ((mine.pk_schema, mine.pk_table) == (one.schema, one.name)
                        and (other.pk_schema, other.pk_table) == (two.schema, two.name)):
                    found.append((self._handle(t), mine.columns[0], other.columns[0]))
                    break
        if not found:
            raise NoAssociationException(one.name, two.name)
        if len(found) > 1:
            raise AmbiguousAssociationException(one.name, two.name, len(found))
        return found[0]

    def find_assets(self) -> list[TableHandle]:
        return [self._handle(t) for t in self.model.tables() if t.kind == "asset"]

    def find_vocabularies(self) -> list[TableHandle]:
        return [self._handle(t) for t in self._searched() if t.kind == "vocabulary"]

    def find_asset_execution_tables(self) -> list[tuple[str, str]]:
        """``(schema, table)`` of the asset-execution associations (``<Asset>_Execution``)."""
        return [(t.schema, t.name) for t in self._searched()
                if t.name.endswith("_Execution") and t.name not in NOT_ASSET_EXECUTION]

    def vocab_columns(self, table: str | Table | TableHandle) -> dict[str, str]:
        """Canonical vocabulary column name (``Name``, ``ID``, ...) -> the table's own."""
        names = {c.upper(): c for c in self.name_to_table(table).column_names}
        return {canonical: names[canonical.upper()] for canonical in VOCABULARY_COLUMNS}

    def asset_metadata(self, table: str | Table | TableHandle) -> set[str]:
        """The columns of an asset table besides the standard asset and system ones."""
        return {c.name for c in self.asset_metadata_columns(table)}

    def asset_metadata_columns(self, table: str | Table | TableHandle) -> list[ColumnHandle]:
        """Those columns' handles, by name."""
        t = self.name_to_table(table)
        if t.kind != "asset":
            raise DerivaMLTableTypeError("asset table", t.name)
        return sorted((c for c in t.columns if c.name not in DerivaAssetColumns),
                      key=lambda c: c.name)

    def asset_metadata_sorted(self, table: str | Table | TableHandle) -> list[str]:
        return sorted(self.asset_metadata(table))

    def create_table(self, table_def: Any, schema: str | None = None) -> TableHandle:
        """Create a table from a ``TableDefinition`` (or our ``Table``) in ``schema`` (default:
        the default schema)."""
        schema = schema or self.default_schema
        if schema is None:
            raise DerivaMLException(
                f"No default_schema set. With domain schemas {sorted(self.domain_schemas)}, "
                "pass schema=... .")
        table = table_def.to_table(schema) if hasattr(table_def, "to_table") else table_def
        return self._handle(self._writable().catalog.create_table(table))

    # -- datasets and features ---------------------------------------------------------------
    def is_dataset_rid(self, rid: str, deleted: bool = False) -> bool:
        """Whether ``rid`` is a dataset's (a deleted one only with ``deleted``); a RID not in
        the catalog raises."""
        resolved = self._writable().catalog.resolve_rid(rid)
        if (resolved.schema, resolved.table) != (self.ml_schema, "Dataset"):
            return False
        return deleted or not resolved.row.get("Deleted")

    def list_dataset_element_types(self) -> list[TableHandle]:
        """The tables whose rows can be dataset members (a domain table or ``Dataset``)."""
        found = []
        for t in self._searched():
            targets = [(fk.pk_schema, fk.pk_table) for fk in t.foreign_keys]
            if t.kind != "association" or len(targets) != 2 \
                    or (self.ml_schema, "Dataset") not in targets:
                continue
            schema, name = targets[1] if targets[0] == (self.ml_schema, "Dataset") else targets[0]
            if schema in self.domain_schemas or (schema, name) == (self.ml_schema, "Dataset"):
                found.append(self._handle(self.model.table(schema, name)))
        return found

    def find_features(self, table: str | Table | TableHandle | None = None) -> list[Feature]:
        """The features of ``table``, or of every table."""
        from ..feature.discovery import find_features

        target = self.name_to_table(table).table if table is not None else None
        return find_features(self._writable().catalog,
                             [*self.domain_schemas, self.ml_schema], self._ml, target)

    def lookup_feature(self, table: str | Table | TableHandle, feature_name: str) -> Feature:
        t = self.name_to_table(table)
        for feature in self.find_features(t):
            if feature.feature_name == feature_name:
                return feature
        raise DerivaMLFeatureNotFound(t.name, feature_name)

    # -- description -------------------------------------------------------------------------
    def get_schema_description(self, include_system_columns: bool = False) -> dict[str, Any]:
        """The domain and ML schemas as JSON: tables with their kind, columns, foreign keys
        and (for domain tables) features."""
        features: dict[tuple[str, str], list[dict]] = {}
        for f in self.find_features() if self.catalog is not None else []:
            features.setdefault((f.target_table.schema, f.target_table.name), []).append(
                {"name": f.feature_name, "feature_table": f.feature_table.name})
        schemas: dict[str, Any] = {}
        for schema in [*self.domain_schemas, self.ml_schema]:
            if schema not in self.model.schemas:
                continue
            tables = {}
            for t in self.model.schemas[schema].values():
                info = {
                    "comment": t.comment, "is_vocabulary": t.kind == "vocabulary",
                    "is_asset": t.kind == "asset", "is_association": bool(self.is_association(t)),
                    "columns": [{"name": c.name, "type": c.type, "nullok": c.nullok,
                                 "comment": c.comment} for c in t.columns
                                if include_system_columns or c.name not in SYSTEM_COLUMNS],
                    "foreign_keys": [{"columns": list(fk.columns),
                                      "referenced_table": f"{fk.pk_schema}.{fk.pk_table}",
                                      "referenced_columns": list(fk.pk_columns)}
                                     for fk in t.foreign_keys]}
                if self.is_domain_schema(schema) and (t.schema, t.name) in features:
                    info["features"] = features[(t.schema, t.name)]
                tables[t.name] = info
            schemas[schema] = {"tables": tables}
        return {"domain_schemas": sorted(self.domain_schemas),
                "default_schema": self.default_schema, "ml_schema": self.ml_schema,
                "schemas": schemas}
