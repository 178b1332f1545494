"""Definitions of the table shapes DerivaML uses: vocabularies, assets and associations."""

from __future__ import annotations

from ..catalog.contract import Column, ForeignKey, Table


def vocabulary_table(schema: str, name: str, curie_prefix: str, comment: str = "") -> Table:
    """A controlled vocabulary: ID, URI, Name (unique), Description, Synonyms."""
    return Table(
        schema, name,
        columns=[
            Column("ID", "ermrest_curie", nullok=False, default=f"{curie_prefix}:{{RID}}"),
            Column("URI", "ermrest_uri", nullok=False, default="/id/{RID}"),
            Column("Name", "text", nullok=False),
            Column("Description", "markdown", nullok=False),
            Column("Synonyms", "text[]"),
        ],
        keys=[("Name",), ("ID",), ("URI",)],
        kind="vocabulary", comment=comment,
    )


def asset_table(schema: str, name: str, columns: list[Column] | None = None,
                foreign_keys: list[ForeignKey] | None = None, comment: str = "") -> Table:
    """An asset table: one stored file per row (URL unique, Filename, Length, MD5)."""
    return Table(
        schema, name,
        columns=[
            Column("URL", "text", nullok=False),
            Column("Filename", "text"),
            Column("Description", "markdown"),
            Column("Length", "int8", nullok=False),
            Column("MD5", "text", nullok=False),
            *(columns or []),
        ],
        keys=[("URL",)], foreign_keys=list(foreign_keys or []), kind="asset", comment=comment,
    )


def association_table(schema: str, name: str, links: list[tuple[str, Table, str]],
                      extra: list[Column] | None = None,
                      extra_fkeys: list[ForeignKey] | None = None) -> Table:
    """An association: ``links`` are (column, target table, target column); the linked
    columns form a unique key. Rows go away with the rows they link."""
    return Table(
        schema, name,
        columns=[Column(col, "text", nullok=False) for col, _, _ in links] + list(extra or []),
        keys=[tuple(col for col, _, _ in links)],
        foreign_keys=[
            ForeignKey((col, ), target.schema, target.name, (pk, ), on_delete="CASCADE")
            for col, target, pk in links
        ] + list(extra_fkeys or []),
        kind="association",
    )


def link(column: str, target: Table) -> tuple[str, Table, str]:
    """An association link to ``target``: by Name for vocabularies, else by RID."""
    return column, target, "Name" if target.kind == "vocabulary" else "RID"
