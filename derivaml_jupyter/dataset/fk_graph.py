"""The foreign-key graph of a catalog model, as denormalization and reachability walk it.

Tables are named without schema (a domain schema's table hides an ML-schema table of the same
name). ``A`` *references* ``B`` when ``A`` holds a foreign key to ``B``; rows of ``A`` are then
*downstream* of ``B``. Association tables (``Dataset_Image``) and feature tables
(``Execution_Image_Diagnosis``) are *transparent*: walked through, not projected.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..catalog.contract import ForeignKey, Model, Table
from ..core.errors import DerivaMLNotFound

MAX_DEPTH = 6  # longest path walked, in tables
SKIPPED = frozenset({"Execution", "Dataset_Dataset"})  # provenance and nesting: never walked


class FKGraph:
    """The tables of ``schemas`` (earlier schemas win on a name clash) and their foreign keys."""

    def __init__(self, model: Model, schemas: Iterable[str], ml_schema: str):
        self.ml_schema = ml_schema
        self.tables: dict[str, Table] = {}
        for schema in schemas:
            for t in model.schemas.get(schema, {}).values():
                self.tables.setdefault(t.name, t)
        self._referencing: dict[str, list[str]] = {name: [] for name in self.tables}
        for t in self.tables.values():
            for target in dict.fromkeys(fk.pk_table for fk in self.fkeys(t.name)):
                self._referencing[target].append(t.name)

    def table(self, name: str) -> Table:
        try:
            return self.tables[name]
        except KeyError:
            raise DerivaMLNotFound(
                f"There is no table named {name!r}; tables: {', '.join(sorted(self.tables))}."
            ) from None

    def fkeys(self, name: str, target: str | None = None) -> list[ForeignKey]:
        """Single-column foreign keys of ``name`` to tables of the graph (to ``target``)."""
        return [fk for fk in self.tables[name].foreign_keys
                if len(fk.columns) == 1 and fk.pk_table in self.tables
                and self.tables[fk.pk_table].schema == fk.pk_schema
                and (target is None or fk.pk_table == target)]

    def is_feature(self, name: str) -> bool:
        """A feature table: foreign keys to the ML schema's ``Feature_Name`` and ``Execution``."""
        pks = {(fk.pk_schema, fk.pk_table) for fk in self.tables[name].foreign_keys}
        return {(self.ml_schema, "Feature_Name"), (self.ml_schema, "Execution")} <= pks

    def is_association(self, name: str) -> bool:
        """A pure association (``Dataset_Image``), not a feature table."""
        return self.tables[name].kind == "association" and not self.is_feature(name)

    def is_transparent(self, name: str) -> bool:
        return self.tables[name].kind == "association"

    def references(self, a: str, b: str) -> bool:
        return bool(self.fkeys(a, b))

    def neighbours(self, name: str) -> list[str]:
        """Tables linked to ``name`` by a foreign key either way, skipping provenance."""
        out = [fk.pk_table for fk in self.fkeys(name)] + self._referencing[name]
        return [n for n in dict.fromkeys(out) if n not in SKIPPED and n != name]

    def _passable(self, name: str) -> bool:
        t = self.tables[name]
        return t.kind != "vocabulary" and (t.schema != self.ml_schema or self.is_feature(name))

    def paths(self, start: str, end: str, max_depth: int = MAX_DEPTH) -> list[list[str]]:
        """Simple paths from ``start`` to ``end`` over foreign keys either way; vocabularies and
        ML-schema tables end a path but are not walked through."""
        return list(self._walk([start], end, max_depth))

    def _walk(self, path: list[str], end: str, max_depth: int) -> Iterator[list[str]]:
        for n in self.neighbours(path[-1]):
            if n == end:
                yield [*path, n]
            elif n not in path and len(path) + 1 < max_depth and self._passable(n):
                yield from self._walk([*path, n], end, max_depth)

    def connected(self, start: str, targets: set[str]) -> bool:
        """Whether any table of ``targets`` can be reached from ``start``."""
        return start in targets or any(self.paths(start, t) for t in targets)

    def below(self, name: str, tables: set[str]) -> set[str]:
        """Tables of ``tables`` downstream of ``name``: reached by following foreign keys
        backwards (to the tables referencing it), transitively."""
        seen, stack = {name}, [name]
        while stack:
            for n in self._referencing[stack.pop()]:
                if n not in seen and n not in SKIPPED:
                    seen.add(n)
                    stack.append(n)
        return (seen & tables) - {name}

    def is_hoisting_chain(self, path: list[str]) -> bool:
        """Whether every hop of ``path`` follows a foreign key forwards (``path[i]`` references
        ``path[i+1]``), counting a transparent table inside the path as one hop either way."""
        i = 0
        while i < len(path) - 1:
            if i + 2 < len(path) and self.is_transparent(path[i + 1]):
                i += 2
            elif self.references(path[i], path[i + 1]):
                i += 1
            else:
                return False
        return True
