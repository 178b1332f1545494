"""ERMrest data URLs: table paths, filters (split so URLs stay short), sort and keyset paging.

ERMrest sorts ascending with NULLs last and descending with NULLs first; ``merge`` orders rows
fetched in several requests the same way (text compared by code point, as in a C-collated
database).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from itertools import product
from typing import Any
from urllib.parse import quote

# Characters of filter text allowed in one URL; longer value lists are split across requests.
MAX_FILTER_CHARS = 4000
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
    return f"{q(column)}::null::" if value is None else f"{q(column)}={literal(value)}"


def _chunks(terms: list[str], budget: int) -> list[list[str]]:
    chunks: list[list[str]] = [[]]
    size = 0
    for term in terms:
        if chunks[-1] and size + len(term) + 1 > budget:
            chunks.append([])
            size = 0
        chunks[-1].append(term)
        size += len(term) + 1
    return chunks


def filter_paths(where: Mapping[str, Any] | None) -> list[str]:
    """Path suffixes (``/a=1/(b=2;b=3)``) that together select exactly the rows matching
    ``where``, each short enough for one URL and selecting rows no other one does. Empty when
    ``where`` can match nothing (an empty list of values)."""
    fixed: list[str] = []
    sets: list[list[str]] = []
    for name, value in (where or {}).items():
        if isinstance(value, (list, tuple, set, frozenset)):
            terms = list(dict.fromkeys(_term(name, v) for v in value))
            if not terms:
                return []
            sets.append(terms)
        else:
            fixed.append(_term(name, value))
    budget = max(200, (MAX_FILTER_CHARS - len("/".join(fixed))) // max(1, len(sets)))
    return [
        "".join(f"/{part}" for part in fixed + [f"({';'.join(c)})" for c in combo])
        for combo in product(*(_chunks(terms, budget) for terms in sets))
    ]


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
