"""``FileSpec``: a file to record in the catalog's ``File`` table, with its MD5 and length
(deriva-ml's ``FileSpec``)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from socket import gethostname
from typing import Any
from urllib.parse import urlparse

from .errors import DerivaMLValidationError
from .hashing import file_md5

# The catalog's column name of each field (``model_dump(by_alias=True)``, rows read back).
ALIASES = {"url": "URL", "md5": "MD5", "length": "Length", "description": "Description"}


def tag_url(url: str) -> str:
    """``url`` as deriva-ml records a file: a ``tag:`` URL naming this host, today and the
    local path (a path or ``file:`` URL); a ``tag:`` URL is kept as it is."""
    parts = urlparse(url)
    if parts.scheme == "tag":
        return url
    if parts.scheme in ("", "file"):
        return f"tag://{gethostname()},{date.today()}:file://{parts.path}"
    raise DerivaMLValidationError(
        f"{url!r} is not a file URL: give a local path, a file: URL or a tag: URL.")


@dataclass(kw_only=True)
class FileSpec:
    """A file for the ``File`` table: ``url`` (a local path becomes a ``tag:`` URL naming
    this host), ``md5``, ``length`` in bytes, ``description`` and ``file_types`` (terms of
    ``Asset_Type``).

    Example::

        specs = list(FileSpec.create_filespecs("data/images", "Raw images", ["Image"]))
    """

    url: str
    md5: str
    length: int
    description: str | None = ""
    file_types: list[str] | None = field(default_factory=list)

    def __post_init__(self) -> None:
        self.url = tag_url(self.url)
        self.length = int(self.length)
        self.file_types = list(self.file_types or [])

    @classmethod
    def create_filespecs(cls, path: Path | str, description: str,
                         file_types: list[str] | Callable[[Path], list[str]] | None = None
                         ) -> Iterator[FileSpec]:
        """A ``FileSpec`` for the file at ``path``, or for every file below the directory
        ``path``, with its MD5 and length. ``file_types`` is a list of terms, or a function
        giving the terms of each file; ``File`` is always among them."""
        path = Path(path)
        if not path.exists():
            raise DerivaMLValidationError(f"Cannot describe {path}: no such file or directory.")
        types_of = file_types if callable(file_types) else lambda _: list(file_types or [])
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())

        def spec(file: Path) -> FileSpec:
            types = list(types_of(file))
            return cls(url=file.absolute().as_posix(), md5=file_md5(file),
                       length=file.stat().st_size, description=description,
                       file_types=types if "File" in types else ["File", *types])

        return (spec(f) for f in files)

    @staticmethod
    def read_filespec(path: Path | str) -> Iterator[FileSpec]:
        """The ``FileSpec``s of a JSON Lines file, one object a line (field or column names,
        as ``model_dump_json`` writes them); blank lines are skipped."""
        with Path(path).open(encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    yield FileSpec.from_mapping(json.loads(line))

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> FileSpec:
        """A ``FileSpec`` from field names (``url``) or column names (``URL``)."""
        columns = {column: name for name, column in ALIASES.items()}
        return cls(**{columns.get(k, k): v for k, v in values.items()})

    def model_dump(self, by_alias: bool = False) -> dict[str, Any]:
        """The fields as a dict; ``by_alias``: keyed by ``File`` column names (a row)."""
        values = asdict(self)
        return {ALIASES.get(k, k): v for k, v in values.items()} if by_alias else values

    def model_dump_json(self, by_alias: bool = False) -> str:
        return json.dumps(self.model_dump(by_alias))
