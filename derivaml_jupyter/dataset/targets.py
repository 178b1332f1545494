"""A bag's elements of one table and their labels (feature values), as restructuring and the
framework adapters read them; ``targets`` and ``missing`` mean what they mean in deriva-ml."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..core.errors import DerivaMLException, DerivaMLValidationError
from ..feature.record import FeatureRecord

if TYPE_CHECKING:
    from .dataset_bag import DatasetBag

Targets = list[str] | dict[str, Callable[[list[FeatureRecord]], FeatureRecord | None]] | None
MISSING = ("error", "skip", "unknown")
SHOWN_RIDS = 20  # unlabelled RIDs named in an error


def check_missing(missing: str) -> None:
    if missing not in MISSING:
        raise DerivaMLValidationError(
            f"missing={missing!r} is not one of {', '.join(map(repr, MISSING))}.")


def element_rows(bag: DatasetBag, element_type: str, reachable: bool = True) -> list[dict]:
    """Rows of ``element_type`` in the bag's dataset: every row reachable from its members by
    foreign keys (``reachable``), or only the members themselves, nested datasets included."""
    name = bag._find(element_type).name
    if reachable:
        return bag._denormalizer().reachable_rows(name)
    members = bag._datasets.list_dataset_members(bag.dataset_rid, recurse=True)
    if name not in members:
        raise DerivaMLException(
            f"Dataset {bag.dataset_rid} has no {name} members; its member types are "
            f"{sorted(members)}. Pass reachable=True to use rows reached from its members.")
    return members[name]


def resolve_targets(bag: DatasetBag, element_type: str, rids: list[str], targets: Targets,
                    missing: str, one_value: bool = False) -> dict[str, Any]:
    """RID -> its label: a ``FeatureRecord`` for one target, ``{feature: record}`` for several,
    None for an unlabelled element kept by ``missing="unknown"``; ``missing="skip"`` leaves it
    out, ``"error"`` raises. Several values of a feature without a selector: the first, or an
    error when ``one_value``."""
    check_missing(missing)
    specs = list(targets.items()) if isinstance(targets, dict) else [(n, None) for n in targets]
    values: dict[str, dict[str, FeatureRecord]] = {}
    for name, selector in specs:
        found = values[name] = {}
        for record in bag.feature_values(element_type, name, selector=selector):
            rid = getattr(record, element_type)
            earlier = found.setdefault(rid, record)
            labels = {record_label(earlier), record_label(record)}
            if one_value and len(labels) > 1:
                raise DerivaMLException(
                    f"{element_type} {rid} has several {name} values ({', '.join(sorted(labels))});"
                    f" pass targets={{{name!r}: FeatureRecord.select_newest}} (or another "
                    "selector) to pick one, or enforce_vocabulary=False to take the first.")
    result: dict[str, Any] = {}
    unlabelled = []
    for rid in rids:
        records = {name: values[name].get(rid) for name, _ in specs}
        if None in records.values():
            if missing == "unknown":
                result[rid] = None
            elif missing == "error":
                unlabelled.append(rid)
            continue
        result[rid] = records[specs[0][0]] if len(specs) == 1 else records
    if unlabelled:
        shown = unlabelled[:SHOWN_RIDS]
        more = f" (and {len(unlabelled) - len(shown)} more)" if len(unlabelled) > len(shown) else ""
        raise DerivaMLException(
            f"{len(unlabelled)} {element_type} element(s) have no value for {list(values)}: "
            f"{shown}{more}. Pass missing='skip' to leave them out or missing='unknown' to keep "
            "them with target None.")
    return result


def record_label(record: FeatureRecord) -> str:
    """The first value of a record's own columns, terms first: its directory name."""
    feature = type(record).feature
    columns = ([*sorted(c.name for c in feature.term_columns),
                *sorted(c.name for c in feature.feature_columns - feature.term_columns)]
               if feature else [])
    for name in columns:
        value = getattr(record, name)
        if value is not None and not isinstance(value, (dict, list)):
            return str(value)
    return "Unknown"
