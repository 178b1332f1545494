"""``VocabularyTermHandle``: a vocabulary term bound to its catalog, whose ``description``
and ``synonyms`` are written through when set (deriva-ml's ``VocabularyTermHandle``)."""

from __future__ import annotations

from collections.abc import Iterable, KeysView
from typing import TYPE_CHECKING, Any

from .vocabulary_term import VocabularyTerm

if TYPE_CHECKING:
    from ..ml import DerivaML


class VocabularyTermHandle(VocabularyTerm):
    """A term of the vocabulary ``table`` of ``ml``'s catalog. Setting ``description`` or
    ``synonyms`` (a new list or tuple, replacing them all) updates the term's row;
    ``delete()`` removes the term if no row uses it. The row's columns read as items too
    (``term["Name"]``, ``term["RID"]``, ``dict(term)``), as code written for term rows does.

    Example::

        row = ml.lookup_term("Dataset_Type", "Training")
        term = VocabularyTermHandle(ml, "Dataset_Type", **row)
        term.synonyms = ("Train",)
    """

    def __init__(self, ml: DerivaML, table: str, **data: Any):
        self._ml = None  # not bound while VocabularyTerm sets the fields
        super().__init__(**data)
        self._ml, self._table, self._row = ml, table, dict(data)

    @property
    def description(self) -> str:
        return self._description

    @description.setter
    def description(self, value: str) -> None:
        self._write(Description=value)
        self._description = value

    @property
    def synonyms(self) -> tuple[str, ...]:
        return self._synonyms

    @synonyms.setter
    def synonyms(self, value: Iterable[str]) -> None:
        synonyms = tuple(value or ())
        self._write(Synonyms=list(synonyms))
        self._synonyms = synonyms

    def delete(self) -> None:
        """Delete this term from its vocabulary (an error if a row uses it)."""
        self._ml.delete_term(self._table, self.name)

    def _write(self, **values: Any) -> None:
        if self._ml is None:
            return
        t = self._ml.find_table(self._table)
        self._ml.catalog.update(t.schema, t.name, [{"RID": self.rid, **values}])
        self._ml.clear_vocabulary_cache(t)
        self._row.update(values)

    # -- the row's columns, as items -------------------------------------------------------
    def keys(self) -> KeysView[str]:
        return self._row.keys()

    def __getitem__(self, column: str) -> Any:
        return self._row[column]

    def get(self, column: str, default: Any = None) -> Any:
        return self._row.get(column, default)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, VocabularyTerm) and (self.name, self.rid, self.description,
                                                      self.synonyms) == (
            other.name, other.rid, other.description, other.synonyms)

    def __hash__(self) -> int:
        return hash((self.name, self.rid))
