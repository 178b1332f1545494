"""Chaise annotation tags, display contexts and the enumerated values the builders use
(deriva-ml's ``model.annotations`` constants and enums)."""

from __future__ import annotations

from enum import StrEnum

TAG_DISPLAY = "tag:misd.isi.edu,2015:display"
TAG_VISIBLE_COLUMNS = "tag:isrd.isi.edu,2016:visible-columns"
TAG_VISIBLE_FOREIGN_KEYS = "tag:isrd.isi.edu,2016:visible-foreign-keys"
TAG_TABLE_DISPLAY = "tag:isrd.isi.edu,2016:table-display"
TAG_COLUMN_DISPLAY = "tag:isrd.isi.edu,2016:column-display"
TAG_SOURCE_DEFINITIONS = "tag:isrd.isi.edu,2019:source-definitions"
TAG_CHAISE_CONFIG = "tag:isrd.isi.edu,2019:chaise-config"
TAG_BULK_UPLOAD = "tag:isrd.isi.edu,2017:bulk-upload"

CONTEXT_DEFAULT = "*"
CONTEXT_COMPACT = "compact"
CONTEXT_COMPACT_BRIEF = "compact/brief"
CONTEXT_COMPACT_BRIEF_INLINE = "compact/brief/inline"
CONTEXT_COMPACT_SELECT = "compact/select"
CONTEXT_DETAILED = "detailed"
CONTEXT_ENTRY = "entry"
CONTEXT_ENTRY_CREATE = "entry/create"
CONTEXT_ENTRY_EDIT = "entry/edit"
CONTEXT_EXPORT = "export"
CONTEXT_FILTER = "filter"
CONTEXT_ROW_NAME = "row_name"

# Every context Chaise reads: ERMrestJS's list, plus the row-name sub-contexts of table-display.
CONTEXTS = frozenset({
    CONTEXT_DEFAULT, CONTEXT_COMPACT, CONTEXT_COMPACT_BRIEF, CONTEXT_COMPACT_BRIEF_INLINE,
    "compact/entry", CONTEXT_COMPACT_SELECT, "compact/select/association",
    "compact/select/association/link", "compact/select/association/unlink",
    "compact/select/foreign_key", "compact/select/foreign_key/bulk",
    "compact/select/saved_queries", "compact/select/show_more", CONTEXT_DETAILED, CONTEXT_ENTRY,
    CONTEXT_ENTRY_CREATE, CONTEXT_ENTRY_EDIT, CONTEXT_EXPORT, "export/compact",
    "export/detailed", CONTEXT_FILTER, CONTEXT_ROW_NAME, "row_name/compact", "row_name/detailed",
    "row_name/title",
})


class TemplateEngine(StrEnum):
    """Template language of a markdown pattern."""

    HANDLEBARS = "handlebars"
    MUSTACHE = "mustache"


class Aggregate(StrEnum):
    """Aggregate of a pseudo-column whose path yields several values."""

    MIN = "min"
    MAX = "max"
    CNT = "cnt"
    CNT_D = "cnt_d"
    ARRAY = "array"
    ARRAY_D = "array_d"


class ArrayUxMode(StrEnum):
    """How Chaise shows an array of values."""

    RAW = "raw"
    CSV = "csv"
    OLIST = "olist"
    ULIST = "ulist"


class FacetUxMode(StrEnum):
    """How a facet filter offers its values."""

    CHOICES = "choices"
    RANGES = "ranges"
    CHECK_PRESENCE = "check_presence"
