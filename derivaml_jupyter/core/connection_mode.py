"""deriva-ml's connection settings that do not apply here: ``ConnectionMode`` and the
once-per-process warning given for ``s3_bucket``, ``use_minid``, ``mode="offline"`` and the
like (by ``DerivaML`` and ``DerivaMLConfig`` alike)."""

from __future__ import annotations

import warnings
from enum import StrEnum
from typing import Any

from .definitions import ML_SCHEMA

_WARNED: set[str] = set()


class ConnectionMode(StrEnum):
    """deriva-ml's connection modes. Only ``online`` exists here: writes reach the catalog
    as they happen; the embedded catalog (``hostname="local"``) is how to work without a
    server, so ``offline`` (deriva-ml's staging of writes in a local SQLite workspace) is
    accepted with a warning and behaves as ``online``."""

    online = "online"
    offline = "offline"


class IgnoredConfigWarning(UserWarning):
    """A deriva-ml connection setting that has no effect here."""


def as_schema_set(value: Any) -> set[str]:
    """``domain_schemas`` as deriva-ml accepts it (a name, several, or None) as a set."""
    if value is None:
        return set()
    return {value} if isinstance(value, str) else set(value)


def ignored_settings(*, domain_schemas: Any = None, ml_schema: str = ML_SCHEMA,
                     s3_bucket: str | None = None, use_minid: bool | None = None,
                     mode: Any = ConnectionMode.online,
                     reuse_schema_json: Any = None) -> list[tuple[str, str]]:
    """``(setting, why)`` for each deriva-ml setting given that has no effect here. ``mode``
    must be valid (``ConnectionMode(mode)`` raises ``ValueError`` otherwise, as in
    deriva-ml)."""
    ignored = []
    if len(as_schema_set(domain_schemas)) > 1:
        ignored.append(("domain_schemas", "the domain schemas are read from the catalog's "
                        "model here; default_schema picks the one new tables go to."))
    if ml_schema != ML_SCHEMA:
        ignored.append(("ml_schema", f"the ML tables are always in schema {ML_SCHEMA!r} here."))
    if s3_bucket is not None:
        ignored.append(("s3_bucket", "dataset bags are not exported to S3 here; "
                        "download_dataset_bag builds them from the catalog."))
    if use_minid:
        ignored.append(("use_minid", "no MINID is minted for dataset bags here; a bag is "
                        "named by its dataset RID and version."))
    if ConnectionMode(getattr(mode, "value", mode)) is ConnectionMode.offline:
        ignored.append(("mode", "there is no offline staging mode here, writes reach the "
                        "catalog as they happen; to work without a server use "
                        "hostname='local' (the embedded catalog)."))
    if reuse_schema_json is not None:
        ignored.append(("reuse_schema_json", "the model is always read from the catalog "
                        "here (deriva-ml uses it internally for catalog snapshots)."))
    return ignored


def warn_ignored(owner: str, ignored: list[tuple[str, str]], stacklevel: int) -> None:
    """Warn, once per setting per process, that each of ``ignored`` has no effect; a
    setting ``DerivaMLConfig`` warned about is not warned about again by ``DerivaML``."""
    for field, why in ignored:
        if field not in _WARNED:
            _WARNED.add(field)
            warnings.warn(f"{owner}.{field} is ignored: {why}", IgnoredConfigWarning,
                          stacklevel=stacklevel)
