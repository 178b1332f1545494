"""Chaise annotation builders and the catalog model's handles, as ``deriva_ml.model`` offers
them."""

from .._lazy import lazy_exports

__all__ = [
    "DerivaModel", "DatabaseModel", "DerivaMLBagView", "TableHandle", "ColumnHandle",
    "Display", "VisibleColumns", "VisibleForeignKeys", "TableDisplay", "TableDisplayOptions",
    "ColumnDisplay", "ColumnDisplayOptions", "PreFormat", "PseudoColumn", "PseudoColumnDisplay",
    "Facet", "FacetList", "FacetRange", "SortKey", "NameStyle", "InboundFK", "OutboundFK",
    "fk_constraint", "TemplateEngine", "Aggregate", "ArrayUxMode", "FacetUxMode",
    "CONTEXT_DEFAULT", "CONTEXT_COMPACT", "CONTEXT_DETAILED", "CONTEXT_ENTRY", "CONTEXT_FILTER",
]
__getattr__, __dir__ = lazy_exports(__all__)
