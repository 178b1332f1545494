"""``localize_assets``: copy the files of cloned asset rows into the catalog's own object store
(deriva-ml's ``catalog.localize``), the second step of a clone made with
``asset_mode=ROWS_ONLY``."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

from ...core.errors import DerivaMLValidationError
from ..connect import connect_catalog
from ..contract import Catalog


@dataclass(kw_only=True)
class LocalizeResult:
    """What ``localize_assets`` did: counts, error messages, ``(RID, old URL, new URL)`` of
    each file copied, and the hosts the files came from."""

    assets_processed: int = 0
    assets_skipped: int = 0
    assets_failed: int = 0
    errors: list[str] = field(default_factory=list)
    localized_assets: list[tuple[str, str, str]] = field(default_factory=list)
    source_hostnames: set[str] = field(default_factory=set)


def localize_assets(
    catalog: Any,
    asset_table: str,
    asset_rids: list[str],
    schema_name: str | None = None,
    hatrac_namespace: str | None = None,
    chunk_size: int | None = None,
    dry_run: bool = False,
    source_hostname: str | None = None,
) -> LocalizeResult:
    """Copy the files of rows ``asset_rids`` of ``asset_table`` from the catalog they were
    cloned from into ``catalog``'s object store (``DerivaML`` or ``ml.catalog``), and point
    the rows at the copies. A URL naming another host says where its file is; a relative one
    is read from ``source_hostname``, by default the clone's source as the catalog's
    provenance records it. Rows whose file is here already are skipped; ``dry_run`` only
    counts. Files go to ``hatrac_namespace`` (default ``/hatrac/<schema>/<table>``,
    content-addressed). ``chunk_size`` is left to the object store here (a warning says so).

    Example::

        localize_assets(ml, "Image", ["1-ABC", "1-ABD"])
    """
    from ...dataset.cache import warn_once
    from ..provenance import get_catalog_provenance

    dest = getattr(catalog, "catalog", catalog)
    if not isinstance(dest, Catalog):
        raise DerivaMLValidationError(
            f"localize_assets needs a DerivaML or its catalog (ml.catalog), not {catalog!r}.")
    if chunk_size:
        warn_once("localize-chunk", "localize_assets: chunk_size is not used here; the "
                  "object store chooses how to send large files.")
    t = dest.model().find_table(asset_table, [schema_name] if schema_name else None)
    namespace = (hatrac_namespace or f"{t.schema}/{t.name}").removeprefix("/hatrac/").strip("/")
    provenance = get_catalog_provenance(dest)
    details = provenance.clone_details if provenance else None
    fallback = source_hostname or (details.source_hostname if details else None)
    rows = {r["RID"]: r for r in dest.select(t.schema, t.name, where={"RID": list(asset_rids)})}
    result = LocalizeResult()
    sources: dict[str, Catalog] = {}
    updates = []
    with tempfile.TemporaryDirectory() as scratch:
        for rid in asset_rids:
            row = rows.get(rid)
            url = row and row.get("URL")
            host = (urlparse(url).netloc or fallback) if url else None
            if not url or not host or dest.object_info(_path(url, dest)) is not None:
                result.assets_skipped += 1
                continue
            if dry_run:
                result.assets_processed += 1
                continue
            try:
                if host not in sources:
                    sources[host] = connect_catalog(
                        host, details.source_catalog_id if details else "1")
                file = Path(scratch) / rid / (PurePosixPath(row["Filename"] or rid).name)
                file.parent.mkdir()
                sources[host].get_object(urlparse(url).path, file)
                info = dest.put_object(namespace, file.name, file, md5=row.get("MD5"))
            except Exception as e:  # noqa: BLE001 - reported per file, as deriva-ml does
                result.assets_failed += 1
                result.errors.append(f"Failed to localize asset {rid}: {e}")
                continue
            updates.append({"RID": rid, "URL": info.url})
            result.assets_processed += 1
            result.localized_assets.append((rid, url, info.url))
            result.source_hostnames.add(host)
    if updates:
        dest.update(t.schema, t.name, updates)
    if not dry_run and provenance is not None:
        _record(dest, provenance, result)
    return result


def _path(url: str, dest: Catalog) -> str:
    """``url`` as the object path ``dest`` knows, when it names ``dest``'s host."""
    parsed = urlparse(url)
    return parsed.path if parsed.netloc in ("", dest.hostname) else url


def _record(dest: Catalog, provenance: Any, result: LocalizeResult) -> None:
    """Add the localization counts to the clone's provenance."""
    from dataclasses import replace

    from ..provenance import CloneDetails, set_catalog_provenance

    hosts = sorted(result.source_hostnames)
    details = provenance.clone_details or CloneDetails(source_hostname=hosts[0] if hosts else "",
                                                       source_catalog_id="")
    set_catalog_provenance(
        dest, name=provenance.name, description=provenance.description,
        workflow_url=provenance.workflow_url, workflow_version=provenance.workflow_version,
        creation_method=provenance.creation_method,
        clone_details=replace(details, assets_localized=True,
                              assets_localized_at=datetime.now(UTC).isoformat(),
                              asset_source_hostname=hosts[0] if len(hosts) == 1 else None,
                              assets_copied=details.assets_copied + result.assets_processed,
                              assets_skipped=result.assets_skipped,
                              assets_failed=result.assets_failed))
