"""``ml.pathBuilder()``: the part of deriva-py's ``datapath`` API that deriva-ml code uses,
over the catalog contract, so it works on the local catalog as on a DERIVA server (and on a
snapshot, as of it)::

    pb = ml.pathBuilder()
    links = pb.schemas["deriva-ml"].Dataset_Execution
    rows = links.filter((links.Execution == rid) & (links.Dataset == ["1-A", "1-B"]))
    rows.entities().fetch()                      # dicts
    rows.attributes(links.Dataset).fetch()       # only those columns
    pb.schemas["lab"].tables["Subject"].insert([{"Name": "S1"}])

Filters are equality (a list, tuple or set: any of; None: is null) joined with ``&``, and
``|`` of values of one column. Other comparisons and joins (``link``) raise
``DerivaMLNotImplemented``, saying what to use instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

from .catalog.contract import Catalog, Table
from .core.errors import DerivaMLNotImplemented, DerivaMLValidationError

_SETS = (list, tuple, set, frozenset)


def _unsupported(what: str) -> NoReturn:
    raise DerivaMLNotImplemented(
        f"pathBuilder here supports == filters (a list for any-of, None for null) joined with "
        f"&, not {what}. Filter the fetched rows in Python, or use "
        "ml.catalog.select(schema, table, where={...}).")


@dataclass(frozen=True)
class Predicate:
    """A filter: column -> value (a list: any of them)."""

    where: dict[str, Any]

    def __and__(self, other: Predicate) -> Predicate:
        clash = [c for c in self.where.keys() & other.where.keys()
                 if self.where[c] != other.where[c]]
        if clash:
            _unsupported(f"two different conditions on {', '.join(clash)}")
        return Predicate({**self.where, **other.where})

    def __or__(self, other: Predicate) -> Predicate:
        if len(self.where) != 1 or self.where.keys() != other.where.keys():
            _unsupported("| across columns")
        (column, mine), (_, theirs) = *self.where.items(), *other.where.items()
        values = [*(mine if isinstance(mine, list) else [mine]),
                  *(theirs if isinstance(theirs, list) else [theirs])]
        return Predicate({column: list(dict.fromkeys(values))})


@dataclass(frozen=True, eq=False)
class ColumnPath:
    """A column of a table path; ``column == value`` is a filter."""

    table: str
    name: str

    def __eq__(self, value: object) -> Predicate:  # type: ignore[override]
        return Predicate({self.name: list(value) if isinstance(value, _SETS) else value})

    def __hash__(self) -> int:
        return hash((self.table, self.name))

    def __ne__(self, value: object) -> NoReturn:  # type: ignore[override]
        _unsupported("!=")

    def __lt__(self, value: object) -> NoReturn:
        _unsupported("<")

    def __le__(self, value: object) -> NoReturn:
        _unsupported("<=")

    def __gt__(self, value: object) -> NoReturn:
        _unsupported(">")

    def __ge__(self, value: object) -> NoReturn:
        _unsupported(">=")

    def regexp(self, pattern: str) -> NoReturn:
        _unsupported("regexp")

    ciregexp = regexp


@dataclass
class ResultSet:
    """The rows of a filtered table path (all columns, or ``columns``), fetched on use."""

    path: TablePath
    columns: list[str] | None = None
    order: list[str] = field(default_factory=list)

    def sort(self, *columns: ColumnPath | str) -> ResultSet:
        return ResultSet(self.path, self.columns, [_column_name(c) for c in columns])

    def fetch(self, limit: int | None = None, **_: Any) -> list[dict]:
        """The rows (at most ``limit``), as dicts."""
        p = self.path
        if limit is not None:
            return p.catalog.select(p.schema, p.name, where=p.where or None,
                                    columns=self.columns, sort=self.order, limit=limit)
        rows = p.catalog.iter_rows(p.schema, p.name, where=p.where or None, sort=self.order)
        return [{c: r[c] for c in self.columns} if self.columns else r for r in rows]

    def __iter__(self) -> Iterator[dict]:
        return iter(self.fetch())

    def __len__(self) -> int:
        return len(self.fetch())

    def __getitem__(self, index: int) -> dict:
        return self.fetch()[index]


class TablePath:
    """A table of the catalog, optionally filtered; its columns are attributes."""

    def __init__(self, catalog: Catalog, table: Table, where: Mapping[str, Any] | None = None):
        self.catalog, self.table = catalog, table
        self.schema, self.name = table.schema, table.name
        self.where = dict(where or {})

    def __repr__(self) -> str:
        return f"<TablePath {self.schema}:{self.name} {self.where or ''}>"

    def __getattr__(self, name: str) -> ColumnPath:
        if name in self.table.column_names:
            return ColumnPath(self.name, name)
        raise AttributeError(f"Table {self.schema}.{self.name} has no column {name!r}; its "
                             f"columns: {', '.join(self.table.column_names)}.")

    @property
    def columns(self) -> dict[str, ColumnPath]:
        return {c: ColumnPath(self.name, c) for c in self.table.column_names}

    column_definitions = columns

    def filter(self, predicate: Predicate) -> TablePath:
        if not isinstance(predicate, Predicate):
            _unsupported(f"a filter of {type(predicate).__name__}")
        return TablePath(self.catalog, self.table, (Predicate(self.where) & predicate).where)

    def entities(self) -> ResultSet:
        return ResultSet(self)

    def attributes(self, *columns: ColumnPath | str) -> ResultSet:
        return ResultSet(self, [_column_name(c) for c in columns])

    def insert(self, rows: Iterable[Mapping[str, Any]], **_: Any) -> list[dict]:
        """Insert rows; return them with their RIDs."""
        return self.catalog.insert(self.schema, self.name, rows)

    def update(self, rows: Iterable[Mapping[str, Any]], **_: Any) -> list[dict]:
        """Update rows by ``RID`` (only the given columns); return them as updated."""
        rows = list(rows)
        self.catalog.update(self.schema, self.name, rows)
        return self.catalog.select(self.schema, self.name,
                                   where={"RID": [r["RID"] for r in rows]})

    def delete(self) -> int:
        """Delete the filtered rows; a table without a filter is refused."""
        if not self.where:
            raise DerivaMLValidationError(
                f"Deleting every row of {self.name} is refused: filter the path first.")
        return self.catalog.delete(self.schema, self.name, self.where)

    def link(self, *_: Any, **__: Any) -> NoReturn:
        _unsupported("link (joins): fetch each table and match the rows by RID")


class SchemaPath:
    """A schema; its tables are attributes and ``tables[name]``."""

    def __init__(self, catalog: Catalog, name: str, tables: Mapping[str, Table]):
        self.name = name
        self.tables = {t: TablePath(catalog, table) for t, table in tables.items()}

    def __getattr__(self, name: str) -> TablePath:
        try:
            return self.tables[name]
        except KeyError:
            raise AttributeError(f"Schema {self.name} has no table {name!r}.") from None


class PathBuilder:
    """``schemas[name]`` of the catalog's model, as paths."""

    def __init__(self, catalog: Catalog):
        self.schemas = {name: SchemaPath(catalog, name, tables)
                        for name, tables in catalog.model().schemas.items()}


def _column_name(column: ColumnPath | str) -> str:
    return column.name if isinstance(column, ColumnPath) else column
