"""How a clone treats dangling references and asset files, and where its walk starts.

deriva-ml takes these from ``deriva.bag`` (``DanglingFKStrategy``, ``AssetMode``,
``RIDAnchor``, ``FKTraversalPolicy``), which the deriva-py here does not have; the enums below
have the same members and values, and a policy or anchor from ``deriva.bag`` is read by its
attributes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ...core.errors import DerivaMLNotImplemented, DerivaMLValidationError


class OrphanStrategy(StrEnum):
    """What happens to a row whose foreign key points at a row the clone does not hold
    (deriva-ml's ``OrphanStrategy``, an alias of ``deriva.bag``'s ``DanglingFKStrategy``)."""

    FAIL = "fail"
    DELETE = "delete"
    NULLIFY = "nullify"


class AssetMode(StrEnum):
    """What a clone does with asset files: keep the rows' URLs (``ROWS_ONLY``; copy the
    files later with ``localize_assets``), or store the files in the destination's object
    store (``UPLOAD_IF_MISSING``; ``UPLOAD_FORCE`` stores them even when there)."""

    ROWS_ONLY = "rows_only"
    UPLOAD_IF_MISSING = "upload_if_missing"
    UPLOAD_FORCE = "upload_force"


_ASSET_MODE_SPELLINGS = {
    "refs": AssetMode.ROWS_ONLY, "references": AssetMode.ROWS_ONLY, "none": AssetMode.ROWS_ONLY,
    "full": AssetMode.UPLOAD_IF_MISSING, "force": AssetMode.UPLOAD_FORCE,
}


@dataclass(frozen=True)
class RIDAnchor:
    """A starting point of a clone's walk: rows of ``table`` (deriva-ml's
    ``deriva.bag.anchors.RIDAnchor``). Clones here start at datasets."""

    table: str
    rids: list[str]


@dataclass
class CloneOptions:
    """The parts of a ``FKTraversalPolicy`` a clone here follows."""

    orphan_strategy: OrphanStrategy = OrphanStrategy.DELETE
    asset_mode: AssetMode = AssetMode.UPLOAD_IF_MISSING
    exclude_tables: set[str] = field(default_factory=set)

    @classmethod
    def from_policy(cls, policy: Any) -> CloneOptions:
        """Options from a ``deriva.bag`` ``FKTraversalPolicy`` (or any object with its
        ``dangling_fk_strategy``, ``asset_mode`` and ``exclude_tables`` attributes), or
        ``CloneOptions`` as they are; None gives deriva-ml's clone defaults."""
        if policy is None or isinstance(policy, cls):
            return policy or cls()
        explicit = getattr(policy, "model_fields_set", None)

        def given(name: str) -> bool:
            return hasattr(policy, name) and (explicit is None or name in explicit)

        return cls(
            orphan_strategy=orphan_strategy(policy.dangling_fk_strategy)
            if given("dangling_fk_strategy") else OrphanStrategy.DELETE,
            asset_mode=asset_mode(policy.asset_mode) if given("asset_mode")
            else AssetMode.UPLOAD_IF_MISSING,
            exclude_tables=table_names(getattr(policy, "exclude_tables", None) or ()))


def orphan_strategy(value: Any) -> OrphanStrategy:
    """``value`` (a member of either enum, or its value) as an ``OrphanStrategy``."""
    text = str(getattr(value, "value", value)).lower()
    try:
        return OrphanStrategy(text)
    except ValueError:
        raise DerivaMLValidationError(
            f"Unknown orphan_strategy {value!r}: use OrphanStrategy.FAIL, DELETE or "
            "NULLIFY.") from None


def asset_mode(value: Any) -> AssetMode:
    """``value`` as an ``AssetMode``, legacy spellings (``"refs"``, ``"full"``) included."""
    text = str(getattr(value, "value", value)).lower()
    mode = _ASSET_MODE_SPELLINGS.get(text) or next(
        (m for m in AssetMode if text in (m.value, m.name.lower())), None)
    if mode is None:
        raise DerivaMLValidationError(
            f"Unknown asset_mode {value!r}: use AssetMode.ROWS_ONLY, UPLOAD_IF_MISSING or "
            "UPLOAD_FORCE.")
    return mode


def table_names(entries: Iterable[Any]) -> set[str]:
    """``"schema:table"`` entries (or ``(schema, table)`` pairs) as ``schema.table`` names."""
    names = set()
    for entry in entries:
        schema, _, table = (entry if isinstance(entry, str) else ":".join(entry)).partition(":")
        names.add(f"{schema}.{table}" if table else schema)
    return names


def dataset_rids(anchors: list[Any] | None, root_rid: str | None) -> list[str]:
    """The dataset RIDs a clone starts at: ``root_rid`` or the RIDs of ``Dataset`` anchors."""
    if anchors is None and root_rid is None:
        raise DerivaMLValidationError("clone_via_bag requires either anchors or root_rid.")
    if anchors is None:
        return [root_rid]
    rids = []
    for anchor in anchors:
        if getattr(anchor, "table", None) != "Dataset" or not hasattr(anchor, "rids"):
            raise DerivaMLNotImplemented(
                f"Cannot start a clone at {anchor!r}: clones here start at datasets "
                "(RIDAnchor(table='Dataset', rids=[...]) or root_rid=); put the rows you "
                "want in a dataset first.")
        rids += list(anchor.rids)
    return list(dict.fromkeys(rids))
