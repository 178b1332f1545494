"""Errors of denormalization, with deriva-ml's names and attributes."""

from __future__ import annotations

from ..core.errors import DerivaMLException


class DerivaMLDenormalizeError(DerivaMLException):
    """A denormalization request that cannot be planned."""


class DerivaMLDenormalizeNoSink(DerivaMLDenormalizeError):
    """Every requested table is upstream of another: the foreign keys form a cycle."""


class DerivaMLDenormalizeMultiLeaf(DerivaMLDenormalizeError):
    """More than one requested table could be the row grain (``row_per``)."""

    def __init__(self, candidates: list[str], include_tables: list[str],
                 bridge_suggestions: list[str] | None = None):
        self.candidates = list(candidates)
        self.include_tables = list(include_tables)
        self.bridge_suggestions = list(bridge_suggestions or [])
        hint = (f" or add one of {self.bridge_suggestions} to include_tables to join them"
                if self.bridge_suggestions else "")
        super().__init__(
            f"Multiple candidates for row_per: {self.candidates} (none is downstream of the "
            f"others). Pass row_per= one of them{hint}.")


class DerivaMLDenormalizeDownstreamLeaf(DerivaMLDenormalizeError):
    """An explicit ``row_per`` has requested tables downstream of it (that would aggregate)."""

    def __init__(self, row_per: str, downstream_tables: list[str]):
        self.row_per = row_per
        self.downstream_tables = list(downstream_tables)
        super().__init__(
            f"Table(s) {self.downstream_tables} are downstream of row_per={row_per!r}: one "
            f"row per {row_per} would aggregate their rows, which denormalization does not do. "
            f"Drop row_per to get one row per {self.downstream_tables}, or remove them from "
            "include_tables.")


class DerivaMLDenormalizeAmbiguousPath(DerivaMLDenormalizeError):
    """Several foreign-key paths join ``row_per`` to a requested table."""

    def __init__(self, from_table: str, to_table: str, paths: list[list[str]],
                 suggested_intermediates: list[str]):
        self.from_table = from_table
        self.to_table = to_table
        self.paths = [list(p) for p in paths]
        self.suggested_intermediates = list(suggested_intermediates)
        shown = "; ".join(" → ".join(p) for p in self.paths)
        super().__init__(
            f"Several foreign-key paths join {from_table} to {to_table}: {shown}. Name the "
            f"path's table in include_tables (with its columns) or via= (without), one of "
            f"{self.suggested_intermediates}.")


class DerivaMLDenormalizeUnrelatedAnchor(DerivaMLDenormalizeError):
    """Dataset members of tables with no foreign-key path to any requested table."""

    def __init__(self, unrelated_tables: list[str], include_tables: list[str]):
        self.unrelated_tables = list(unrelated_tables)
        self.include_tables = list(include_tables)
        super().__init__(
            f"Members of table(s) {self.unrelated_tables} have no foreign-key path to any "
            f"table in include_tables={self.include_tables}, so they would contribute nothing. "
            "Pass ignore_unrelated_anchors=True to leave them out.")
