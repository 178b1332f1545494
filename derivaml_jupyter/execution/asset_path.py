"""``AssetFilePath``: a local file path that knows which asset it is (or will be)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import DerivaMLValidationError

if TYPE_CHECKING:
    from ..asset.asset_record import AssetRecord
    from .upload import Manifest


class AssetFilePath(type(Path())):  # type: ignore[misc]
    """A ``Path`` to an asset file, carrying its asset table, file name, metadata (values of
    the asset table's own columns), asset types and, once it is in the catalog, its RID.

    A path returned by ``exe.asset_file_path`` writes changes of its metadata and asset types
    through to the execution's manifest until it is uploaded.

    Example::

        path = exe.asset_file_path("Image", "scan.png")
        path.write_bytes(b"...")
        path.metadata = ml.asset_record_class("Image")(Subject="1-ABC")
        path.set_asset_types(["Training_Data"])
    """

    asset_table: str = ""
    file_name: str = ""
    asset_metadata: dict[str, Any] = {}
    asset_types: list[str] = []
    asset_rid: str | None = None
    _manifest: Manifest | None = None
    _manifest_key: str | None = None
    _check_types: Callable[[list[str]], list[str]] | None = None

    def __new__(cls, asset_path: str | Path, asset_table: str = "",
                file_name: str | None = None, asset_metadata: dict[str, Any] | None = None,
                asset_types: list[str] | str | None = None,
                asset_rid: str | None = None) -> AssetFilePath:
        self = super().__new__(cls, asset_path)
        self.asset_table = asset_table
        self.file_name = file_name or self.name
        self.asset_metadata = dict(asset_metadata or {})
        self.asset_types = [asset_types] if isinstance(asset_types, str) else \
            list(asset_types or [])
        self.asset_rid = asset_rid
        return self

    def __init__(self, asset_path: str | Path, asset_table: str = "",
                 file_name: str | None = None, asset_metadata: dict[str, Any] | None = None,
                 asset_types: list[str] | str | None = None, asset_rid: str | None = None):
        if Path.__init__ is not object.__init__:  # Python >= 3.12 parses paths in __init__
            super().__init__(asset_path)

    @property
    def asset_name(self) -> str:
        """The asset table's name (deriva-ml's older name for it)."""
        return self.asset_table

    def _bind_manifest(self, manifest: Manifest, key: str,
                       check_types: Callable[[list[str]], list[str]]) -> AssetFilePath:
        """Write metadata and type changes through to ``manifest``'s entry ``key``; types
        are first checked (and made canonical) by ``check_types``."""
        self._manifest, self._manifest_key, self._check_types = manifest, key, check_types
        return self

    def _update_entry(self, **values: Any) -> None:
        if self._manifest is None:
            return
        entry = self._manifest.entries[self._manifest_key]
        if entry.state == "done":
            raise DerivaMLValidationError(
                f"{self.file_name} is already uploaded (asset {entry.rid}); change its "
                "catalog row instead (ml.lookup_asset(rid)).")
        for name, value in values.items():
            setattr(entry, name, value)
        self._manifest.register(entry)

    @property
    def metadata(self) -> dict[str, Any]:
        """Values of the asset table's own columns to store with the file."""
        return dict(self.asset_metadata)

    @metadata.setter
    def metadata(self, record: AssetRecord | dict[str, Any]) -> None:
        values = record.model_dump(exclude_none=True) if hasattr(record, "model_dump") \
            else dict(record)
        self._update_entry(metadata=values)
        self.asset_metadata = values

    def set_asset_types(self, types: list[str]) -> None:
        """Replace the file's ``Asset_Type`` terms (recorded when it is uploaded)."""
        types = self._check_types(list(types)) if self._check_types else list(types)
        self._update_entry(asset_types=types)
        self.asset_types = types

    def with_segments(self, *pathsegments: str | Path) -> Path:
        """A plain ``Path`` for paths derived from this one (``parent``, ``with_name``...)."""
        return Path(*pathsegments)
