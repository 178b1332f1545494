"""``Asset``: one row of an asset table (a file in the object store), with its asset types and
the executions that made or read it (deriva-ml's ``deriva_ml.asset.Asset``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.definitions import MLVocab
from ..core.errors import DerivaMLValidationError

if TYPE_CHECKING:
    from ..execution.records import ExecutionRecord
    from ..feature.record import Feature
    from ..ml import DerivaML


class Asset:
    """An asset row. ``ml.lookup_asset(rid)``, ``ml.list_assets(table)`` and
    ``ml.find_assets(...)`` make them; setting ``description`` writes it to the catalog.

    Example::

        asset = ml.lookup_asset("1-ABC0")
        path = asset.download("/tmp/models")
        asset.add_asset_type("Model_File")
    """

    def __init__(self, catalog: DerivaML, asset_rid: str, asset_table: str, filename: str = "",
                 url: str = "", length: int = 0, md5: str = "", description: str | None = "",
                 asset_types: list[str] | None = None, execution_rid: str | None = None):
        self._ml = catalog
        self.asset_rid = asset_rid
        self.asset_table = asset_table
        self.filename = filename
        self.url = url
        self.length = length
        self.md5 = md5
        self._description = description
        self._asset_types = list(asset_types) if asset_types is not None else None
        self._execution_rid = execution_rid

    @classmethod
    def from_row(cls, ml: DerivaML, table: str, row: dict,
                 asset_types: list[str] | None = None) -> Asset:
        return cls(ml, row["RID"], table, row.get("Filename") or "", row.get("URL") or "",
                   row.get("Length") or 0, row.get("MD5") or "", row.get("Description"),
                   asset_types)

    def __repr__(self) -> str:
        return (f"Asset(asset_rid={self.asset_rid!r}, table={self.asset_table!r}, "
                f"file={self.filename!r}, types={self.asset_types!r})")

    @property
    def description(self) -> str | None:
        return self._description

    @description.setter
    def description(self, value: str | None) -> None:
        t = self._ml.find_table(self.asset_table)
        self._ml.catalog.update(t.schema, t.name, [{"RID": self.asset_rid,
                                                   "Description": value}])
        self._description = value

    # -- types -------------------------------------------------------------------------------
    @property
    def asset_types(self) -> list[str]:
        """The ``Asset_Type`` terms of this asset."""
        if self._asset_types is None:
            t = self._types_table()
            self._asset_types = [r[MLVocab.asset_type] for r in self._ml.catalog.select(
                t.schema, t.name, where={self.asset_table: self.asset_rid}, sort=["RID"])]
        return self._asset_types

    def add_asset_type(self, type_name: str) -> None:
        """Tag the asset with an ``Asset_Type`` term (an invalid term raises)."""
        name = self._ml.lookup_term(MLVocab.asset_type, type_name)["Name"]
        if name not in self.asset_types:
            t = self._types_table()
            self._ml.catalog.insert(t.schema, t.name, [{self.asset_table: self.asset_rid,
                                                        MLVocab.asset_type: name}])
            self._asset_types.append(name)

    def remove_asset_type(self, type_name: str) -> None:
        """Remove an ``Asset_Type`` term from the asset (nothing happens if it lacks it)."""
        name = self._ml.lookup_term(MLVocab.asset_type, type_name)["Name"]
        t = self._types_table()
        self._ml.catalog.delete(t.schema, t.name, {self.asset_table: self.asset_rid,
                                                   MLVocab.asset_type: name})
        self._asset_types = [n for n in self.asset_types if n != name]

    def _types_table(self):
        t = self._ml.find_table(self.asset_table)
        return self._ml.catalog.model().table(t.schema, f"{t.name}_Asset_Type")

    # -- provenance --------------------------------------------------------------------------
    def list_executions(self, asset_role: str | None = None) -> list[ExecutionRecord]:
        """The executions that made (``Output``) or read (``Input``) this asset."""
        return self._ml.list_asset_executions(self.asset_rid, asset_role=asset_role)

    @property
    def execution_rid(self) -> str | None:
        """The execution that made this asset, if the catalog records one."""
        if self._execution_rid is None:
            made_by = self.list_executions(asset_role="Output")
            self._execution_rid = made_by[0].execution_rid if made_by else None
        return self._execution_rid

    def get_chaise_url(self) -> str:
        """Where a user sees the asset's row: its page on a DERIVA server, or its local
        citation (``local://<catalog>/<RID>``) on a local catalog, which has no web pages."""
        return self._ml.catalog.url_for(self.asset_rid)

    def find_features(self) -> list[Feature]:
        """The features defined on this asset's table."""
        return self._ml.find_features(self.asset_table)

    # -- content -----------------------------------------------------------------------------
    def get_metadata(self) -> dict[str, Any]:
        """The asset's catalog row, system columns included."""
        return dict(self._ml.resolve_rid(self.asset_rid).row)

    def download(self, dest_dir: str | Path) -> Path:
        """Download the file into ``dest_dir`` (created if missing) as its ``Filename``;
        the MD5 is checked. Returns the file's path."""
        if not self.url.startswith("/hatrac/"):
            raise DerivaMLValidationError(
                f"Asset {self.asset_rid} has no file in the object store (URL {self.url!r}).")
        dest = Path(dest_dir).expanduser() / (self.filename or Path(self.url).name)
        dest.parent.mkdir(parents=True, exist_ok=True)
        info = self._ml.catalog.get_object(self.url, dest)
        if self.md5 and info.md5 != self.md5:
            dest.unlink(missing_ok=True)
            raise DerivaMLValidationError(
                f"{self.url} has MD5 {info.md5}, but asset {self.asset_rid} records {self.md5}.")
        return dest
