"""What a file name may be: one an object store can hold and a bag's ``fetch.txt`` can list."""

from __future__ import annotations

from .errors import DerivaMLValidationError

# Objects are stored as '<32-hex MD5>.<name>', which must fit the usual 255-byte name limit.
MAX_NAME_BYTES = 255 - 33


def check_name_part(part: str, what: str = "File name") -> str:
    """``part`` (one path component) if it has no control character (NUL, newline...) and
    fits ``MAX_NAME_BYTES`` in UTF-8; else a ``DerivaMLValidationError`` saying why."""
    bad = sorted({c for c in part if ord(c) < 32 or ord(c) == 127})
    if bad:
        raise DerivaMLValidationError(
            f"{what} {part!r} contains the control character(s) "
            f"{', '.join(repr(c) for c in bad)}, which a file name cannot hold: use a plain "
            "name such as 'model.pt'.")
    size = len(part.encode("utf-8", "surrogateescape"))
    if size > MAX_NAME_BYTES:
        raise DerivaMLValidationError(
            f"{what} {part[:40] + '...'!r} is {size} bytes long: file names are stored as "
            f"'<MD5>.<name>' within the file system's 255-byte limit, so use a name of at most "
            f"{MAX_NAME_BYTES} bytes.")
    return part
