"""``AnnotationAPI``: DerivaML's methods for the Chaise annotations of tables and columns
(deriva-ml's ``AnnotationMixin``), on any catalog backend.

As in deriva-ml, ``set_*``, ``add_*``, ``remove_*`` and ``reorder_*`` stage changes in memory;
``apply_annotations()`` writes them to the catalog, and ``get_*`` see staged changes.
``apply_catalog_annotations()`` writes the catalog's navigation bar at once.

Example::

    ml.set_display_annotation("Subject", {"name": "Research Subjects"})
    ml.add_visible_column("Subject", "compact", "Age")
    ml.apply_annotations()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..catalog.connect import is_local
from ..catalog.contract import Table
from ..core.errors import DerivaMLException, DerivaMLNotFound, DerivaMLValidationError
from .handles import TableHandle
from .model import DerivaModel
from .navbar import catalog_annotations, navbar_menu
from .tags import (
    CONTEXTS,
    TAG_COLUMN_DISPLAY,
    TAG_DISPLAY,
    TAG_TABLE_DISPLAY,
    TAG_VISIBLE_COLUMNS,
    TAG_VISIBLE_FOREIGN_KEYS,
)

if TYPE_CHECKING:
    from ..ml import DerivaML

# The annotations keyed by display context, and the method setting each whole.
_CONTEXT_TAGS = {TAG_VISIBLE_COLUMNS: "set_visible_columns",
                 TAG_VISIBLE_FOREIGN_KEYS: "set_visible_foreign_keys",
                 TAG_TABLE_DISPLAY: "set_table_display", TAG_COLUMN_DISPLAY: "set_column_display"}

SPECIAL_TEMPLATE_VARIABLES = {
    "_value": {"description": "Current column value (in column_display)",
               "template": "{{{_value}}}"},
    "_row": {"description": "Object with all row columns", "template": "{{{_row.column_name}}}"},
    "$catalog.id": {"description": "Catalog ID", "template": "{{{$catalog.id}}}"},
    "$catalog.snapshot": {"description": "Current snapshot ID",
                          "template": "{{{$catalog.snapshot}}}"},
}
HELPER_EXAMPLES = {
    "conditional": "{{#if column}}...{{else}}...{{/if}}",
    "iteration": "{{#each array}}{{{this}}}{{/each}}",
    "comparison": "{{#ifCond val1 '==' val2}}...{{/ifCond}}",
    "date_format": "{{formatDate RCT 'YYYY-MM-DD'}}",
    "json_output": "{{toJSON object}}",
}


def check_context(context: str) -> str:
    """``context`` if Chaise knows it, else a ``DerivaMLValidationError`` listing those it does."""
    if context not in CONTEXTS:
        raise DerivaMLValidationError(
            f"{context!r} is not a Chaise display context; use one of "
            f"{', '.join(sorted(CONTEXTS))}.")
    return context


def _annotation_value(annotation: Any, tag: str) -> Any:
    """A set_* method's ``annotation`` as JSON: a dict (a builder is turned into its dict) or
    None; the contexts of a context-keyed annotation are checked."""
    if hasattr(annotation, "to_dict"):
        annotation = annotation.to_dict()
    if annotation is not None and not isinstance(annotation, dict):
        raise DerivaMLValidationError(
            f"An annotation is a dict (or None to remove it), not {type(annotation).__name__}: "
            f"got {annotation!r}.")
    if tag in _CONTEXT_TAGS and annotation:
        for context in annotation:
            check_context(context)
    return annotation


def constraint_name(table: Table, columns: tuple[str, ...]) -> str:
    """The name ERMrest (and DerivaML) give a foreign key of ``table`` on ``columns``."""
    return f"{table.name}_{'_'.join(columns)}_fkey"


class AnnotationAPI:
    """Chaise annotations of tables and columns: read, staged edits, apply."""

    # -- staging -------------------------------------------------------------------------
    @property
    def model(self: DerivaML) -> DerivaModel:
        """The catalog's model with deriva-ml's helpers (``name_to_table``, ``is_asset``,
        ``find_features``, ...). Annotation edits on its tables, and those of the ``set_*``
        methods, are staged in it until ``apply_annotations()``."""
        model = self.__dict__.get("_deriva_model")
        if model is None or model.catalog is not self.catalog:
            model = self.__dict__["_deriva_model"] = DerivaModel(
                self, self.ml_schema, {*self.profile.domain_schemas, self.domain_schema},
                self.domain_schema)
        return model

    def _annotated_table(self: DerivaML, table: str | Table | TableHandle) -> TableHandle:
        """The staging handle of ``table`` (one per table, kept by ``model``)."""
        if isinstance(table, TableHandle):
            return table
        return self.model.name_to_table(self.find_table(table))

    def _annotated(self: DerivaML, table: str | Table | TableHandle,
                   column_name: str | None = None):
        """The staged annotations of a table, or of its column ``column_name``."""
        handle = self._annotated_table(table)
        return handle.column(column_name) if column_name is not None else handle

    def _stage(self: DerivaML, table, tag: str, annotation: Any,
               column_name: str | None = None) -> str:
        """Stage ``annotation`` (None: removal) under ``tag``; the target's name."""
        value = _annotation_value(annotation, tag)
        target = self._annotated(table, column_name)
        if value is None:
            target.annotations.pop(tag, None)
        else:
            target.annotations[tag] = value
        name = self._annotated_table(table).name
        return f"{name}.{column_name}" if column_name is not None else name

    def apply_annotations(self: DerivaML) -> None:
        """Write every staged annotation change to the catalog."""
        self.model.apply()

    # -- reading -------------------------------------------------------------------------
    def get_table_annotations(self: DerivaML, table: str | Table) -> dict[str, Any]:
        """The display, visible-columns, visible-foreign-keys and table-display annotations of
        ``table`` (None where unset), with its ``table`` and ``schema`` names."""
        handle = self._annotated_table(table)
        annotations = handle.annotations
        return {"table": handle.name, "schema": handle.schema_name,
                "display": annotations.get(TAG_DISPLAY),
                "visible_columns": annotations.get(TAG_VISIBLE_COLUMNS),
                "visible_foreign_keys": annotations.get(TAG_VISIBLE_FOREIGN_KEYS),
                "table_display": annotations.get(TAG_TABLE_DISPLAY)}

    def get_column_annotations(self: DerivaML, table: str | Table,
                               column_name: str) -> dict[str, Any]:
        """The display and column-display annotations of a column (None where unset)."""
        column = self._annotated(table, column_name)
        return {"table": column.table.name, "column": column.name,
                "display": column.annotations.get(TAG_DISPLAY),
                "column_display": column.annotations.get(TAG_COLUMN_DISPLAY)}

    # -- whole annotations ---------------------------------------------------------------
    def set_display_annotation(self: DerivaML, table: str | Table,
                               annotation: dict[str, Any] | None,
                               column_name: str | None = None) -> str:
        """Stage the display annotation (``{"name": ...}``) of ``table`` or of its column
        ``column_name``; None removes it. Returns ``Table`` or ``Table.column``."""
        return self._stage(table, TAG_DISPLAY, annotation, column_name)

    def set_visible_columns(self: DerivaML, table: str | Table,
                            annotation: dict[str, Any] | None) -> str:
        """Stage the visible-columns annotation (context -> columns) of ``table``."""
        return self._stage(table, TAG_VISIBLE_COLUMNS, annotation)

    def set_visible_foreign_keys(self: DerivaML, table: str | Table,
                                 annotation: dict[str, Any] | None) -> str:
        """Stage the visible-foreign-keys annotation (context -> foreign keys) of ``table``."""
        return self._stage(table, TAG_VISIBLE_FOREIGN_KEYS, annotation)

    def set_table_display(self: DerivaML, table: str | Table,
                          annotation: dict[str, Any] | None) -> str:
        """Stage the table-display annotation (row names, order, page size) of ``table``."""
        return self._stage(table, TAG_TABLE_DISPLAY, annotation)

    def set_column_display(self: DerivaML, table: str | Table, column_name: str,
                           annotation: dict[str, Any] | None) -> str:
        """Stage the column-display annotation (context -> formatting) of a column."""
        return self._stage(table, TAG_COLUMN_DISPLAY, annotation, column_name)

    # -- one entry of a context's list ---------------------------------------------------
    def _context_list(self: DerivaML, table, tag: str, context: str,
                      create: bool = False) -> tuple[dict, list]:
        """The staged annotation ``tag`` of ``table`` and a copy of its list for ``context``
        (created empty with ``create``, else it must exist)."""
        check_context(context)
        handle = self._annotated_table(table)
        what = tag.rsplit(":", 1)[-1]
        annotation = handle.annotations.get(tag) or {}
        if not annotation and not create:
            raise DerivaMLNotFound(f"Table '{handle.name}' has no {what} annotation.")
        entries = annotation.get(context, [] if create else None)
        if entries is None:
            raise DerivaMLNotFound(f"Context '{context}' not found in {what} annotation.")
        if isinstance(entries, str):
            raise DerivaMLException(
                f"Context '{context}' references another context '{entries}'. "
                f"Set it explicitly first with {_CONTEXT_TAGS[tag]}().")
        return annotation, list(entries)

    def _store_list(self: DerivaML, table, tag: str, context: str, annotation: dict,
                    entries: list) -> list:
        self._annotated_table(table).annotations[tag] = {**annotation, context: entries}
        return entries

    def _add_entry(self: DerivaML, table, tag: str, context: str, entry: Any,
                   position: int | None) -> list:
        annotation, entries = self._context_list(table, tag, context, create=True)
        entries.insert(len(entries) if position is None else position, entry)
        return self._store_list(table, tag, context, annotation, entries)

    def _remove_entry(self: DerivaML, table, tag: str, context: str, entry: Any,
                      matches: Callable[[Any], bool]) -> list:
        annotation, entries = self._context_list(table, tag, context)
        if isinstance(entry, int) and not isinstance(entry, bool):
            if not 0 <= entry < len(entries):
                raise DerivaMLValidationError(
                    f"Index {entry} out of range (list has {len(entries)} items).")
            del entries[entry]
        else:
            found = next((i for i, item in enumerate(entries) if matches(item)), None)
            if found is None:
                kind = "Column" if tag == TAG_VISIBLE_COLUMNS else "Foreign key"
                raise DerivaMLNotFound(f"{kind} {entry!r} not found in context '{context}'.")
            del entries[found]
        return self._store_list(table, tag, context, annotation, entries)

    def _reorder(self: DerivaML, table, tag: str, context: str, new_order: list) -> list:
        annotation, entries = self._context_list(table, tag, context)
        if new_order and all(isinstance(i, int) and not isinstance(i, bool) for i in new_order):
            if sorted(new_order) != list(range(len(entries))):
                raise DerivaMLValidationError(
                    f"The new order {new_order} must list each of the {len(entries)} current "
                    f"positions 0..{len(entries) - 1} exactly once.")
            entries = [entries[i] for i in new_order]
        else:
            entries = list(new_order)
        return self._store_list(table, tag, context, annotation, entries)

    def add_visible_column(self: DerivaML, table: str | Table, context: str,
                           column: str | list[str] | dict[str, Any],
                           position: int | None = None) -> list[Any]:
        """Insert ``column`` (a name, ``[schema, fkey]`` or a pseudo-column dict) into the
        visible columns of ``context`` at ``position`` (default: last); returns the list."""
        return self._add_entry(table, TAG_VISIBLE_COLUMNS, context, column, position)

    def remove_visible_column(self: DerivaML, table: str | Table, context: str,
                              column: str | list[str] | int) -> list[Any]:
        """Remove a visible column of ``context``: by value (a name also matches a
        pseudo-column with that ``source``) or by index; returns the list."""
        def matches(item: Any) -> bool:
            return item == column or (isinstance(item, dict) and isinstance(column, str)
                                      and item.get("source") == column)

        return self._remove_entry(table, TAG_VISIBLE_COLUMNS, context, column, matches)

    def reorder_visible_columns(self: DerivaML, table: str | Table, context: str,
                                new_order: list[int] | list[str | list[str] | dict[str, Any]]
                                ) -> list[Any]:
        """Reorder the visible columns of ``context``: by current positions (``[2, 0, 1]``)
        or as the given list of entries; returns the new list."""
        return self._reorder(table, TAG_VISIBLE_COLUMNS, context, new_order)

    def add_visible_foreign_key(self: DerivaML, table: str | Table, context: str,
                                foreign_key: list[str] | dict[str, Any],
                                position: int | None = None) -> list[Any]:
        """Insert ``foreign_key`` (``[schema, constraint]`` or a pseudo-column dict) into the
        visible foreign keys of ``context`` at ``position`` (default: last)."""
        return self._add_entry(table, TAG_VISIBLE_FOREIGN_KEYS, context, foreign_key, position)

    def remove_visible_foreign_key(self: DerivaML, table: str | Table, context: str,
                                   foreign_key: list[str] | int) -> list[Any]:
        """Remove a visible foreign key of ``context``, by value or by index."""
        return self._remove_entry(table, TAG_VISIBLE_FOREIGN_KEYS, context, foreign_key,
                                  lambda item: item == foreign_key)

    def reorder_visible_foreign_keys(self: DerivaML, table: str | Table, context: str,
                                     new_order: list[int] | list[list[str] | dict[str, Any]]
                                     ) -> list[Any]:
        """Reorder the visible foreign keys of ``context`` (positions or entries)."""
        return self._reorder(table, TAG_VISIBLE_FOREIGN_KEYS, context, new_order)

    # -- templates, catalog, URLs --------------------------------------------------------
    def get_handlebars_template_variables(self: DerivaML, table: str | Table) -> dict[str, Any]:
        """What a Handlebars pattern of ``table`` can use: its columns, its outbound foreign
        keys (``$fkeys.<schema>.<constraint>``), special variables and helper examples."""
        t = self._annotated_table(table).table
        model = self.catalog.model()
        columns = [{"name": c.name, "type": c.type, "template": "{{{" + c.name + "}}}",
                    "row_template": "{{{_row." + c.name + "}}}"} for c in t.columns]
        foreign_keys = []
        for fk in t.foreign_keys:
            path = f"$fkeys.{t.schema}.{constraint_name(t, fk.columns)}"
            to_columns = model.table(fk.pk_schema, fk.pk_table).column_names
            foreign_keys.append({
                "constraint": [t.schema, constraint_name(t, fk.columns)],
                "from_columns": list(fk.columns), "to_table": fk.pk_table,
                "to_columns": to_columns,
                "values_template": "{{{" + path + ".values.COLUMN}}}",
                "row_name_template": "{{{" + path + ".rowName}}}",
                "example_column_templates": ["{{{" + path + ".values." + c + "}}}"
                                             for c in to_columns[:3]],
            })
        return {"table": t.name, "columns": columns, "foreign_keys": foreign_keys,
                "special_variables": SPECIAL_TEMPLATE_VARIABLES,
                "helper_examples": HELPER_EXAMPLES}

    def apply_catalog_annotations(self: DerivaML, navbar_brand_text: str = "ML Data Browser",
                                  head_title: str = "Catalog ML") -> None:
        """Write the catalog's Chaise configuration now: title, brand text and a navigation
        bar listing its tables by role. (deriva-ml's bulk-upload spec describes its own
        upload directory layout, which this package does not use, so it is not written.)"""
        features = [(f.feature_table.schema, f.feature_table.name,
                     f"{f.target_table.name}:{f.feature_name}") for f in self.find_features()]
        navbar = navbar_menu(self.catalog_id, self.catalog.model(), self.ml_schema,
                             self.profile.domain_schemas, features)
        self.model.annotations.update(
            catalog_annotations(navbar, navbar_brand_text, head_title, self.ml_schema))
        self.model.apply()

    def chaise_url(self: DerivaML, table: str | Table) -> str:
        """The Chaise page listing ``table`` (``https://<host>/chaise/recordset/#<catalog>/
        <schema>:<table>``); given a RID, the row's page. A local catalog has no web pages:
        there it is the ``local://<catalog>/...`` citation."""
        try:
            t, rid = self.find_table(table), None
        except DerivaMLNotFound:
            if not isinstance(table, str):
                raise
            try:
                resolved = self.catalog.resolve_rid(table)
            except DerivaMLNotFound:
                raise DerivaMLNotFound(
                    f"{table!r} is neither a table of this catalog nor a RID of one of its "
                    "rows.") from None
            t, rid = self.find_table(f"{resolved.schema}:{resolved.table}"), resolved.row["RID"]
        if is_local(self.hostname):
            return self.catalog.url_for(rid) if rid else \
                f"local://{self.catalog_id}/{t.schema}:{t.name}"
        path = f"{quote(t.schema, safe='')}:{quote(t.name, safe='')}"
        if rid:
            return f"https://{self.hostname}/chaise/record/#{self.catalog_id}/{path}/RID={rid}"
        return f"https://{self.hostname}/chaise/recordset/#{self.catalog_id}/{path}"
