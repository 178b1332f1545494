"""The MD5 of a file, the checksum DERIVA records for every stored object."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_md5(path: Path) -> str:
    """Hex MD5 of a file, read once in chunks."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "md5").hexdigest()
