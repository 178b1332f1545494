"""ERMrest-style RIDs and snapshot times.

RIDs are Crockford base-32 integers written in groups of four from the right with dashes
(``1-ABCD``). Users may write them with or without dashes and in any case; ``normalize_rid``
returns the canonical form. Snapshot ids ("snaptimes") use the same encoding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated

from .errors import DerivaMLValidationError

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(_ALPHABET)}
_VALUE.update({"O": 0, "I": 1, "L": 1})
_RID_TEXT = re.compile(r"^[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*$")


# deriva-ml's patterns of a RID as ERMrest writes it (upper case, groups of four), with an
# optional ``@snaptime``; ``normalize_rid`` also reads the forms users type.
rid_part = r"(?P<rid>(?:[A-Z\d]{1,4}|[A-Z\d]{1,4}(?:-[A-Z\d]{4})+))"
snapshot_part = r"(?:@(?P<snapshot>(?:[A-Z\d]{1,4}|[A-Z\d]{1,4}(?:-[A-Z\d]{4})+)))?"
rid_regex = f"^{rid_part}{snapshot_part}$"


@dataclass(frozen=True)
class StringPattern:
    """Metadata of an ``Annotated`` string type: the pattern its values match."""

    pattern: str


RID = Annotated[str, StringPattern(rid_regex)]
"""The type of a RID in annotations (deriva-ml's ``RID``): a string matching ``rid_regex``."""

_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]


def encode(n: int) -> str:
    """Encode a non-negative integer as a dashed base-32 string (``1-ABCD``)."""
    groups = []
    while True:
        n, r = divmod(n, 1 << 20)
        groups.append(_PAIRS[r >> 10] + _PAIRS[r & 1023])
        if n == 0:
            break
    groups[-1] = groups[-1].lstrip("0") or "0"
    return "-".join(reversed(groups))


def decode(text: str) -> int:
    """Decode a dashed or undashed base-32 string; malformed text raises a validation error."""
    if not isinstance(text, str) or not _RID_TEXT.match(text.strip()):
        raise DerivaMLValidationError(
            f"{text!r} is not a RID: expected letters and digits in dash-separated groups, "
            "such as '1-ABCD'."
        )
    n = 0
    for c in text.strip().replace("-", "").upper():
        if c not in _VALUE:
            raise DerivaMLValidationError(f"{text!r} is not a RID: {c!r} is not a base-32 digit.")
        n = n * 32 + _VALUE[c]
    return n


def normalize_rid(rid: str) -> str:
    """Return the canonical dashed, upper-case form of a RID (``1abcd`` -> ``1-ABCD``).

    A ``@snaptime`` suffix is kept, itself normalized.
    """
    if not isinstance(rid, str):
        raise DerivaMLValidationError(f"A RID must be a string such as '1-ABCD', not {rid!r}.")
    head, _, snap = rid.strip().partition("@")
    canonical = encode(decode(head))
    return f"{canonical}@{encode(decode(snap))}" if snap else canonical


def is_rid(text: object) -> bool:
    """True if ``text`` has the lexical form of a RID."""
    try:
        normalize_rid(text)  # type: ignore[arg-type]
    except DerivaMLValidationError:
        return False
    return True
