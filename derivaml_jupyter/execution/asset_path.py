"""``AssetFilePath``: a local file path that knows which asset it is (or will be)."""

from __future__ import annotations

from pathlib import Path


class AssetFilePath(type(Path())):  # type: ignore[misc]
    """A ``Path`` to an asset file, carrying its asset table, asset types and, once it is in
    the catalog, its RID.

    Example::

        path = exe.asset_file_path("Model", "model.pt")
        path.write_bytes(b"...")
        path.asset_table  # "Model"
    """

    asset_table: str = ""
    asset_types: tuple[str, ...] = ()
    asset_rid: str | None = None

    def __new__(cls, *paths: str | Path, asset_table: str = "",
                asset_types: list[str] | None = None,
                asset_rid: str | None = None) -> AssetFilePath:
        self = super().__new__(cls, *paths)
        self.asset_table = asset_table
        self.asset_types = tuple(asset_types or ())
        self.asset_rid = asset_rid
        return self

    def __init__(self, *paths: str | Path, **_: object) -> None:
        if Path.__init__ is not object.__init__:  # Python >= 3.12 parses paths in __init__
            super().__init__(*paths)

    @property
    def file_name(self) -> str:
        return self.name
