"""Builders of Chaise annotations: plain data classes whose ``to_dict()`` is the annotation's
JSON, the same as deriva-ml's ``model.annotations`` builders produce.

Stage one on a table with ``ml.set_visible_columns("Subject", vc.to_dict())`` (or
``table.annotations[VisibleColumns.tag] = vc.to_dict()`` on a ``TableHandle``) and push with
``ml.apply_annotations()``. Unset (``None``) options are left out of the JSON; enum options
are written as their values.

Example::

    vc = VisibleColumns().compact(["RID", "Name", fk_constraint("domain", "Subject_Species_fkey")])
    td = TableDisplay().row_name("{{{Name}}}")
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar, Literal

from .tags import (
    CONTEXT_COMPACT,
    CONTEXT_DEFAULT,
    CONTEXT_DETAILED,
    CONTEXT_ENTRY,
    CONTEXT_ENTRY_CREATE,
    CONTEXT_ENTRY_EDIT,
    CONTEXT_ROW_NAME,
    TAG_COLUMN_DISPLAY,
    TAG_DISPLAY,
    TAG_TABLE_DISPLAY,
    TAG_VISIBLE_COLUMNS,
    TAG_VISIBLE_FOREIGN_KEYS,
    Aggregate,
    ArrayUxMode,
    FacetUxMode,
    TemplateEngine,
)


def _json(value: Any) -> Any:
    """``value`` as annotation JSON: builders by their ``to_dict()``, enums by their value,
    lists item by item; anything else (strings, numbers, plain dicts) as it is."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return [_json(item) for item in value]
    return value


class _Options:
    """A data class whose JSON is its fields that are set (not None), in field order."""

    def to_dict(self) -> dict[str, Any]:
        return {f.name: _json(value) for f in dataclasses.fields(self)
                if (value := getattr(self, f.name)) is not None}


class AnnotationBuilder:
    """A builder of the annotation under the tag ``tag``."""

    tag: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        """The annotation's JSON."""
        raise NotImplementedError(f"{type(self).__name__} does not define to_dict()")


@dataclass
class NameStyle(_Options):
    """How Chaise turns a table or column name into a display name."""

    underline_space: bool | None = None
    title_case: bool | None = None
    markdown: bool | None = None


@dataclass
class Display(_Options, AnnotationBuilder):
    """The display annotation of a table or column: its name (plain or markdown), name
    style, comment, and per-context null and foreign-key-link display."""

    tag: ClassVar[str] = TAG_DISPLAY

    name: str | None = None
    markdown_name: str | None = None
    name_style: NameStyle | None = None
    comment: str | None = None
    show_null: dict[str, bool | str] | None = None
    show_foreign_key_link: dict[str, bool] | None = None

    def __post_init__(self):
        if self.name and self.markdown_name:
            raise ValueError("name and markdown_name are mutually exclusive")

    def to_dict(self) -> dict[str, Any]:
        result = super().to_dict()
        if not result.get("name_style", True):  # an empty style is left out
            del result["name_style"]
        return result


@dataclass
class SortKey:
    """A sort column; ascending keys are written as the bare column name."""

    column: str
    descending: bool = False

    def to_dict(self) -> dict[str, Any] | str:
        return {"column": self.column, "descending": True} if self.descending else self.column


@dataclass
class InboundFK:
    """A source-path step along a foreign key pointing at the current table."""

    schema: str
    constraint: str

    def to_dict(self) -> dict[str, list[str]]:
        return {"inbound": [self.schema, self.constraint]}


@dataclass
class OutboundFK:
    """A source-path step along a foreign key of the current table."""

    schema: str
    constraint: str

    def to_dict(self) -> dict[str, list[str]]:
        return {"outbound": [self.schema, self.constraint]}


def fk_constraint(schema: str, constraint: str) -> list[str]:
    """A foreign key entry of visible-columns or visible-foreign-keys: ``[schema, name]``."""
    return [schema, constraint]


@dataclass
class PseudoColumnDisplay(_Options):
    """Display options of a pseudo-column."""

    markdown_pattern: str | None = None
    template_engine: TemplateEngine | None = None
    show_foreign_key_link: bool | None = None
    array_ux_mode: ArrayUxMode | None = None
    column_order: list[SortKey] | Literal[False] | None = None
    wait_for: list[str] | None = None


@dataclass
class PseudoColumn(_Options):
    """A computed column: a column, a path of foreign keys ending in a column (optionally
    aggregated), or a named source (``sourcekey``)."""

    source: str | list[str | InboundFK | OutboundFK] | None = None
    sourcekey: str | None = None
    markdown_name: str | None = None
    comment: str | Literal[False] | None = None
    entity: bool | None = None
    aggregate: Aggregate | None = None
    self_link: bool | None = None
    display: PseudoColumnDisplay | None = None
    array_options: dict[str, Any] | None = None

    def __post_init__(self):
        if self.source is not None and self.sourcekey is not None:
            raise ValueError("source and sourcekey are mutually exclusive")


@dataclass
class _ContextBuilder(AnnotationBuilder):
    """An annotation keyed by display context; a context's value may also name another
    context (a string) to reuse its setting. Subclasses restate ``set_context`` to keep
    deriva-ml's parameter name for the value (``columns``, ``foreign_keys``, ``options``)."""

    _contexts: dict[str, Any] = field(default_factory=dict)

    def set_context(self, context: str, value: Any):
        """Set ``context``'s value; returns the builder, for chaining."""
        self._contexts[context] = value
        return self

    def to_dict(self) -> dict[str, Any]:
        return {context: _json(value) for context, value in self._contexts.items()}


@dataclass
class VisibleColumns(_ContextBuilder):
    """Which columns Chaise shows, in which order, per context: column names,
    ``fk_constraint(...)`` entries and ``PseudoColumn``s (a ``FacetList`` for ``filter``)."""

    tag: ClassVar[str] = TAG_VISIBLE_COLUMNS

    def set_context(self, context: str, columns: list | str) -> VisibleColumns:
        return super().set_context(context, columns)

    def compact(self, columns: list) -> VisibleColumns:
        """Columns of the list (recordset) view."""
        return self.set_context(CONTEXT_COMPACT, columns)

    def detailed(self, columns: list) -> VisibleColumns:
        return self.set_context(CONTEXT_DETAILED, columns)

    def entry(self, columns: list) -> VisibleColumns:
        """Columns of the create and edit forms."""
        return self.set_context(CONTEXT_ENTRY, columns)

    def entry_create(self, columns: list) -> VisibleColumns:
        """Columns of the create form."""
        return self.set_context(CONTEXT_ENTRY_CREATE, columns)

    def entry_edit(self, columns: list) -> VisibleColumns:
        """Columns of the edit form."""
        return self.set_context(CONTEXT_ENTRY_EDIT, columns)

    def default(self, columns: list) -> VisibleColumns:
        return self.set_context(CONTEXT_DEFAULT, columns)


@dataclass
class VisibleForeignKeys(_ContextBuilder):
    """Which related tables (inbound foreign keys) the record page shows, in which order."""

    tag: ClassVar[str] = TAG_VISIBLE_FOREIGN_KEYS

    def set_context(self, context: str, foreign_keys: list | str) -> VisibleForeignKeys:
        return super().set_context(context, foreign_keys)

    def detailed(self, foreign_keys: list) -> VisibleForeignKeys:
        return self.set_context(CONTEXT_DETAILED, foreign_keys)

    def default(self, foreign_keys: list) -> VisibleForeignKeys:
        return self.set_context(CONTEXT_DEFAULT, foreign_keys)


@dataclass
class TableDisplayOptions(_Options):
    """Table-display options of one context: row order, page size, markdown patterns."""

    row_order: list[SortKey] | None = None
    page_size: int | None = None
    row_markdown_pattern: str | None = None
    page_markdown_pattern: str | None = None
    separator_markdown: str | None = None
    prefix_markdown: str | None = None
    suffix_markdown: str | None = None
    template_engine: TemplateEngine | None = None
    collapse_toc_panel: bool | None = None
    hide_column_headers: bool | None = None


@dataclass
class TableDisplay(_ContextBuilder):
    """The table-display annotation: row names, ordering and paging per context."""

    tag: ClassVar[str] = TAG_TABLE_DISPLAY

    def set_context(self, context: str, options: TableDisplayOptions | str | None
                    ) -> TableDisplay:
        return super().set_context(context, options)

    def row_name(self, row_markdown_pattern: str,
                 template_engine: TemplateEngine | None = None) -> TableDisplay:
        """How a row is named (in links, pickers and titles)."""
        return self.set_context(CONTEXT_ROW_NAME, TableDisplayOptions(
            row_markdown_pattern=row_markdown_pattern, template_engine=template_engine))

    def compact(self, options: TableDisplayOptions) -> TableDisplay:
        return self.set_context(CONTEXT_COMPACT, options)

    def detailed(self, options: TableDisplayOptions) -> TableDisplay:
        return self.set_context(CONTEXT_DETAILED, options)

    def default(self, options: TableDisplayOptions) -> TableDisplay:
        return self.set_context(CONTEXT_DEFAULT, options)


@dataclass
class PreFormat(_Options):
    """How a value is formatted before display: printf format, boolean words."""

    format: str | None = None
    bool_true_value: str | None = None
    bool_false_value: str | None = None


@dataclass
class ColumnDisplayOptions(_Options):
    """Column-display options of one context."""

    pre_format: PreFormat | None = None
    markdown_pattern: str | None = None
    template_engine: TemplateEngine | None = None
    column_order: list[SortKey] | Literal[False] | None = None


@dataclass
class ColumnDisplay(_ContextBuilder):
    """The column-display annotation: how a column's values are rendered per context."""

    tag: ClassVar[str] = TAG_COLUMN_DISPLAY

    def set_context(self, context: str, options: ColumnDisplayOptions | str) -> ColumnDisplay:
        return super().set_context(context, options)

    def default(self, options: ColumnDisplayOptions) -> ColumnDisplay:
        return self.set_context(CONTEXT_DEFAULT, options)

    def compact(self, options: ColumnDisplayOptions) -> ColumnDisplay:
        return self.set_context(CONTEXT_COMPACT, options)

    def detailed(self, options: ColumnDisplayOptions) -> ColumnDisplay:
        return self.set_context(CONTEXT_DETAILED, options)


@dataclass
class FacetRange(_Options):
    """A preset range of a range facet."""

    min: float | None = None
    max: float | None = None
    min_exclusive: bool | None = None
    max_exclusive: bool | None = None


@dataclass
class Facet(_Options):
    """One facet of the search panel (an entry of visible-columns' ``filter``)."""

    source: str | list[str | InboundFK | OutboundFK] | None = None
    sourcekey: str | None = None
    markdown_name: str | None = None
    comment: str | None = None
    entity: bool | None = None
    open: bool | None = None
    ux_mode: FacetUxMode | None = None
    bar_plot: bool | None = None
    choices: list[Any] | None = None
    ranges: list[FacetRange] | None = None
    not_null: bool | None = None
    hide_null_choice: bool | None = None
    hide_not_null_choice: bool | None = None
    n_bins: int | None = None


@dataclass
class FacetList:
    """The facets of the search panel: ``{"and": [...]}``."""

    facets: list[Facet] = field(default_factory=list)

    def add(self, facet: Facet) -> FacetList:
        """Append a facet; returns the list, for chaining."""
        self.facets.append(facet)
        return self

    def to_dict(self) -> dict[str, list[dict]]:
        return {"and": [f.to_dict() for f in self.facets]}
