"""Asset files for the browser: the file holding an asset's bytes, its media type, and the
byte range a ``Range`` header asks of it (no tornado here).

The embedded catalog's own object file is served as it is. A DERIVA server's object is
downloaded once into ``<cache_dir>/objects/<md5>``, checked against the MD5 the catalog
recorded, and served from there afterwards.
"""

from __future__ import annotations

import mimetypes
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import DerivaMLNotFound, DerivaMLValidationError
from ..core.partials import partial_file

if TYPE_CHECKING:
    from ..asset.record import Asset
    from ..ml import DerivaML

MD5 = re.compile(r"[0-9a-f]{32}")
# Media types a browser may show inline from this origin; anything else (HTML, SVG: they can
# run scripts) is sent as application/octet-stream.
INLINE = re.compile(r"image/(png|jpeg|gif|webp|bmp|tiff)|text/(plain|markdown|csv|x-yaml|"
                    r"tab-separated-values)|application/(json|pdf|x-ipynb\+json|yaml)")
RANGE = re.compile(r"bytes=(\d*)-(\d*)")


@dataclass(frozen=True)
class AssetContent:
    path: Path
    filename: str
    length: int
    media_type: str


def asset_content(ml: DerivaML, rid: str) -> AssetContent:
    """The file of asset ``rid`` (of any asset table), ready to be read."""
    asset = ml.lookup_asset(rid)
    if not asset.url:
        raise DerivaMLNotFound(f"Asset {rid} ({asset.filename or 'no name'}) has no stored "
                               "file yet: its execution has not uploaded it.")
    path = ml.catalog.object_path(asset.url) or _cached_object(ml, asset)
    media_type = mimetypes.guess_type(asset.filename)[0] or ""
    if asset.filename.endswith((".ipynb", ".md", ".yaml", ".yml")):
        media_type = {".ipynb": "application/x-ipynb+json", ".md": "text/markdown"}.get(
            Path(asset.filename).suffix, "application/yaml")
    if not INLINE.fullmatch(media_type):
        media_type = "application/octet-stream"
    return AssetContent(path, asset.filename, path.stat().st_size, media_type)


def _cached_object(ml: DerivaML, asset: Asset) -> Path:
    folder = Path(ml.cache_dir) / "objects"
    name = asset.md5.lower() if MD5.fullmatch(asset.md5.lower()) else f"rid-{asset.asset_rid}"
    target = folder / name
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    with partial_file(folder) as tmp:
        info = ml.catalog.get_object(asset.url, tmp)
        if name != f"rid-{asset.asset_rid}" and info.md5 != name:
            raise DerivaMLValidationError(
                f"The file of asset {asset.asset_rid} ({asset.url}) has MD5 {info.md5}, not "
                f"the {name} its catalog row records; the object was replaced: re-upload it.")
        os.replace(tmp, target)
    return target


class UnsatisfiableRange(ValueError):
    """A ``Range`` header asks for bytes beyond the file's end (HTTP 416)."""


def byte_range(header: str | None, length: int) -> tuple[int, int] | None:
    """The first and last byte (inclusive) of ``length`` bytes that the ``Range`` header asks
    for; None for no header, or one answered with the whole file (other units, several
    ranges, a malformed value: RFC 9110 lets a server ignore those)."""
    match = RANGE.fullmatch((header or "").strip())
    if not match or match.groups() == ("", ""):
        return None
    start, end = match.groups()
    if start:
        first, last = int(start), min(int(end), length - 1) if end else length - 1
        if end and int(end) < first:
            return None
    else:  # "bytes=-N": the last N bytes
        first, last = max(length - int(end), 0), length - 1
        if int(end) == 0:
            raise UnsatisfiableRange(header)
    if first >= length:
        raise UnsatisfiableRange(header)
    return first, last
