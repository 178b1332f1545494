"""ERMrest data URLs: table paths, filters (split so URLs stay short), sort and keyset paging.

Web servers limit URL length: the lab's Apache answers 404 (an HTML page, before ERMrest sees
the request) when the decoded path, without the query string, is longer than 4040 bytes (its
file-name limit: the WSGI script's path plus the request path). Requests here keep their path
within ``MAX_PATH_BYTES``, about half that, splitting long value lists over several requests.

ERMrest sorts ascending with NULLs last and descending with NULLs first; ``merge`` orders rows
fetched in several requests the same way (text compared by code point, as in a C-collated
database).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from itertools import product
from typing import Any
from urllib.parse import quote

from ...core.errors import DerivaMLValidationError
from ..contract import AtLeast, Contains

# Longest request path (quoted, so never shorter than what the server decodes) sent to ERMrest.
MAX_PATH_BYTES = 2000
Order = list[tuple[str, bool]]  # (column, descending)


def q(text: Any) -> str:
    """Quote every reserved character (ERMrest names and values)."""
    return quote(str(text), safe="")


def table_path(schema: str, table: str) -> str:
    return f"{q(schema)}:{q(table)}"


def literal(value: Any) -> str:
    """A value as it appears in a filter or page key."""
    if value is None:
        return "::null::"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return q(json.dumps(value, separators=(",", ":")))
    return q(value)


def _term(column: str, value: Any) -> str:
    if value is None:
        return f"{q(column)}::null::"
    if isinstance(value, Contains):  # ERMrest's case-insensitive regular expression match
        return f"{q(column)}::ciregexp::{literal(re.escape(value.text))}"
    if isinstance(value, AtLeast):
        return f"{q(column)}::geq::{literal(value.value)}"
    return f"{q(column)}={literal(value)}"


def _too_long(name: str, size: int, room: int) -> DerivaMLValidationError:
    return DerivaMLValidationError(
        f"The filter on {name!r} is too long to send in a URL ({size} bytes quoted, at most "
        f"{max(room, 0)} fit). Filter on shorter values or on another column.")


def _chunks(name: str, terms: list[str], budget: int) -> list[str]:
    """``terms`` as ``/(t1;t2)`` path segments of at most ``budget`` bytes each."""
    chunks: list[list[str]] = [[]]
    size = len("/()") - 1
    for term in terms:
        if size + len(term) + 1 > budget and chunks[-1]:
            chunks.append([])
            size = len("/()") - 1
        if size + len(term) + 1 > budget:
            raise _too_long(name, len(term) + len("/()"), budget)
        chunks[-1].append(term)
        size += len(term) + 1
    return [f"/({';'.join(c)})" for c in chunks]


def filter_paths(where: Mapping[str, Any] | None, room: int) -> list[str]:
    """Path suffixes (``/a=1/(b=2;b=3)``) of at most ``room`` bytes that together select
    exactly the rows matching ``where``, each selecting rows no other one does. Empty when
    ``where`` can match nothing (an empty list of values)."""
    fixed = ""
    sets: dict[str, list[str]] = {}
    for name, value in (where or {}).items():
        if isinstance(value, (list, tuple, set, frozenset)):
            sets[name] = list(dict.fromkeys(_term(name, v) for v in value))
            if not sets[name]:
                return []
        else:
            fixed += f"/{_term(name, value)}"
            if len(fixed) > room:
                raise _too_long(name, len(fixed), room)
    budget = (room - len(fixed)) // max(1, len(sets))
    return [fixed + "".join(combo)
            for combo in product(*(_chunks(n, terms, budget) for n, terms in sets.items()))]


def order_of(sort: Iterable[str] | None) -> Order:
    """``["a", "-b"]`` -> ``[(a, asc), (b, desc), (RID, asc)]``: RID always breaks ties."""
    order = [(s[1:], True) if s.startswith("-") else (s, False) for s in (sort or [])]
    return [o for o in order if o[0] != "RID"] + [("RID", False)]


def sort_suffix(order: Order) -> str:
    return "@sort(" + ",".join(q(n) + ("::desc::" if desc else "") for n, desc in order) + ")"


def after_suffix(order: Order, after: Mapping[str, Any] | None) -> str:
    if after is None:
        return ""
    return "@after(" + ",".join(literal(after.get(n)) for n, _ in order) + ")"


def merge(pages: list[list[dict]], order: Order, limit: int | None) -> list[dict]:
    """Rows of several sorted result sets in one ERMrest order, cut to ``limit``."""
    if len(pages) == 1:
        rows = pages[0]
    else:
        rows = [row for page in pages for row in page]
        for name, desc in reversed(order):  # stable sorts, least significant key first
            rows.sort(key=lambda r, n=name: (r.get(n) is None, r.get(n)), reverse=desc)
    return rows if limit is None else rows[:limit]
