"""``VocabularyTerm``: one term of a controlled vocabulary, as deriva-ml returns it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

TERM_COLUMNS = ("Name", "Description", "Synonyms", "ID", "URI", "RID")


class VocabularyTerm:
    """A vocabulary term: ``name``, ``description``, ``synonyms`` (a tuple), ``id`` (CURIE),
    ``uri`` and ``rid``. Built from a vocabulary row (``Name=...``, ``RID=...``) or from the
    attribute names (``name=...``), as deriva-ml's is.

    Example::

        for term in ml.list_vocabulary_terms("Dataset_Type"):
            print(term.name, term.synonyms)
    """

    def __init__(self, **data: Any):
        def value(column: str) -> Any:
            return data.get(column, data.get(column.lower()))

        self.name: str = value("Name")
        self.description: str = value("Description") or ""
        self.synonyms: tuple[str, ...] = tuple(value("Synonyms") or ())
        self.id: str | None = value("ID")
        self.uri: str | None = value("URI")
        self.rid: str | None = value("RID")

    def __repr__(self) -> str:
        return f"VocabularyTerm(name={self.name!r}, rid={self.rid!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VocabularyTerm) and vars(self) == vars(other)

    def __hash__(self) -> int:
        return hash((self.name, self.rid))


def term_rows(terms: Sequence[VocabularyTerm]) -> list[dict[str, Any]]:
    """The table of a listing of terms: the vocabulary's columns."""
    return [{"Name": t.name, "Description": t.description, "Synonyms": list(t.synonyms),
             "ID": t.id, "URI": t.uri, "RID": t.rid} for t in terms]
