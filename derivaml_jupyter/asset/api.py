"""``AssetAPI``: the ``DerivaML`` methods that find and list assets as ``Asset`` records,
make asset tables and their record classes (deriva-ml's asset mixin), and its ``File``
table methods (``FileAPI``)."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..catalog.contract import Table
from ..core.definitions import MLVocab
from ..core.errors import DerivaMLTableTypeError
from .asset_record import AssetRecord, asset_record_class
from .files import FileAPI
from .record import Asset

if TYPE_CHECKING:
    from ..execution.records import ExecutionRecord


log = logging.getLogger("derivaml")


class AssetAPI(FileAPI):
    """Mixed into ``DerivaML``."""

    def create_asset_table(self, asset_name: str, additional_columns: Sequence[Any] = (),
                           comment: str | None = None, schema: str | None = None,
                           use_hatrac: bool = True, update_navbar: bool = True) -> Table:
        """An asset table ``asset_name`` with ``additional_columns`` (see ``create_asset``).

        ``use_hatrac=False`` is deriva-ml's asset whose bytes live elsewhere; here an asset
        table's ``URL`` is a plain text column either way, and files staged with
        ``asset_file_path`` are always stored in the catalog's object store."""
        if not use_hatrac:
            log.warning("create_asset_table(use_hatrac=False): %s's URL column is plain text "
                        "here either way; uploads still store files in the object store.",
                        asset_name)
        return self.create_asset(asset_name, column_defs=list(additional_columns),
                                 comment=comment or "", schema=schema,
                                 update_navbar=update_navbar)

    def asset_record_class(self, asset_table_name: str) -> type[AssetRecord]:
        """The ``AssetRecord`` class of an asset table's own columns, for
        ``exe.asset_file_path(..., metadata=Record(...))``."""
        return asset_record_class(self, asset_table_name)

    def list_asset_tables(self) -> list[Table]:
        """Asset tables of the domain and ``deriva-ml`` schemas."""
        return [t for t in self.catalog.model().tables()
                if t.kind == "asset" and t.schema in self.search_schemas]

    def list_assets(self, asset_table: str | Table | None = None) -> list[Asset] | list[Table]:
        """The assets of ``asset_table``, as ``Asset`` records (deriva-ml's meaning). Without
        a table: the asset tables, as this package's earlier ``list_assets()`` returned them
        (``list_asset_tables()`` says so by name)."""
        if asset_table is None:
            return self.list_asset_tables()
        t = self._asset_table(asset_table)
        types: dict[str, list[str]] = {}
        for r in self.catalog.iter_rows(t.schema, f"{t.name}_Asset_Type"):
            types.setdefault(r[t.name], []).append(r[MLVocab.asset_type])
        return [Asset.from_row(self, t.name, row, types.get(row["RID"], []))
                for row in self.catalog.iter_rows(t.schema, t.name)]

    def find_assets(self, asset_table: str | Table | None = None,
                    asset_type: str | None = None) -> Iterator[Asset]:
        """Assets of ``asset_table`` (default: every asset table), those tagged
        ``asset_type`` only if given."""
        if asset_type is not None:
            asset_type = self.lookup_term(MLVocab.asset_type, asset_type)["Name"]
        tables = [asset_table] if asset_table is not None else self.list_asset_tables()
        for t in tables:
            for asset in self.list_assets(t):
                if asset_type is None or asset_type in asset.asset_types:
                    yield asset

    def lookup_asset(self, asset_rid: str) -> Asset:
        """The asset with RID ``asset_rid`` (of any asset table)."""
        where = self.resolve_rid(asset_rid)
        t = self._asset_table(self.catalog.model().table(where.schema, where.table), asset_rid)
        return Asset.from_row(self, t.name, where.row)

    def list_asset_executions(self, asset_rid: str, asset_role: str | None = None
                              ) -> list[ExecutionRecord]:
        """The executions linked to an asset, optionally only those where its role was
        ``asset_role`` (``Input`` or ``Output``)."""
        where = self.resolve_rid(asset_rid)
        t = self._asset_table(self.catalog.model().table(where.schema, where.table), asset_rid)
        match = {t.name: where.row["RID"]}
        if asset_role is not None:
            match["Asset_Role"] = self.lookup_term(MLVocab.asset_role, asset_role)["Name"]
        links = self.catalog.select(t.schema, f"{t.name}_Execution", where=match, sort=["RCT"])
        return [self.lookup_execution(rid)
                for rid in dict.fromkeys(r["Execution"] for r in links)]

    def list_execution_assets(self, execution_rid: str, asset_role: str | None = None
                              ) -> list[Asset]:
        """The assets linked to an execution, optionally only those with ``asset_role``."""
        self.lookup_execution(execution_rid)
        match = {"Execution": execution_rid}
        if asset_role is not None:
            match["Asset_Role"] = self.lookup_term(MLVocab.asset_role, asset_role)["Name"]
        model, found = self.catalog.model(), []
        for t in self.list_asset_tables():
            if not model.has_table(t.schema, f"{t.name}_Execution"):
                continue
            rids = [r[t.name] for r in self.catalog.select(t.schema, f"{t.name}_Execution",
                                                           where=match)]
            if rids:
                found += [Asset.from_row(self, t.name, row) for row in self.catalog.select(
                    t.schema, t.name, where={"RID": list(dict.fromkeys(rids))})]
        return found

    def _asset_table(self, table: str | Table, rid: str | None = None) -> Table:
        t = self.find_table(table)
        if t.kind != "asset":
            row = f" (RID {rid} is one of its rows)" if rid else ""
            raise DerivaMLTableTypeError("asset table", t.name, message=(
                f"{t.name} is not an asset table{row}. Asset tables: "
                f"{', '.join(sorted(a.name for a in self.list_asset_tables()))}."))
        return t
