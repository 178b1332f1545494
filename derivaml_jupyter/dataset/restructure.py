"""``DatasetBag.restructure_assets``: a bag's asset files laid out as
``<output_dir>/<dataset type>/<label>/.../<file>`` (``torchvision.datasets.ImageFolder``'s
shape), linked or copied, as deriva-ml lays them out.

The type level comes from the dataset holding the file, nested datasets first (a Split
nesting Training and Testing gives ``training/`` and ``testing/``; a type not in
``type_to_dir_map`` adds no level; an untyped dataset counts as Testing). Each target adds a
level: a feature of the asset table (its record's term, or ``target_transform(record)``), or a
column of it. Everything is checked before the first file is placed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import (
    DerivaMLException,
    DerivaMLNotFound,
    DerivaMLTableTypeError,
    DerivaMLValidationError,
)
from .bag_catalog import asset_relpath
from .targets import Targets, check_missing, element_rows, record_label, resolve_targets

if TYPE_CHECKING:
    from .dataset_bag import DatasetBag

DEFAULT_TYPE_DIRS = {"Training": "training", "Testing": "testing", "Unknown": "unknown"}
UNKNOWN = "Unknown"


def restructure_assets(
    bag: DatasetBag, output_dir: Path | str, *, asset_table: str | None = None,
    targets: Targets = None, target_transform: Callable[..., str] | None = None,
    missing: str = "unknown", use_symlinks: bool = True,
    type_selector: Callable[[list[str]], str] | None = None,
    type_to_dir_map: dict[str, str] | None = None, enforce_vocabulary: bool = True,
    file_transformer: Callable[[Path, Path], Path] | None = None,
) -> dict[Path, Path]:
    """Place the bag's ``asset_table`` files (default: its one asset member table) under
    ``output_dir``; returns ``{file in the bag: file placed}``. ``missing`` says what an asset
    without a label becomes: ``"unknown"`` (an ``Unknown/`` level), ``"skip"`` or ``"error"``.
    ``file_transformer(source, suggested_destination)`` writes a file itself and returns its
    path. ``enforce_vocabulary``: feature targets must be vocabulary features with one value
    per asset (else pass a selector in ``targets={name: selector}``)."""
    check_missing(missing)
    names = list(targets or [])
    dotted = [n for n in names if "." in n]
    if dotted:
        feature, column = dotted[0].split(".", 1)
        raise DerivaMLValidationError(
            f"Target {dotted[0]!r}: dotted targets are not supported; pass "
            f"targets=[{feature!r}], target_transform=lambda rec: rec.{column}.")
    table = bag._find(asset_table or _asset_member_table(bag))
    if table.kind != "asset":
        raise DerivaMLTableTypeError("asset table", table.name, message=(
            f"{table.name} is not an asset table; it has no files."))
    features = {f.feature_name: f for f in bag.find_features(table)}
    unknown = [n for n in names if n not in features and n not in table.column_names]
    if unknown:
        raise DerivaMLNotFound(
            f"Targets {unknown} are neither features of {table.name} ({sorted(features)}) nor "
            f"its columns ({table.column_names}).")
    feature_targets = ({n: s for n, s in targets.items() if n in features}
                       if isinstance(targets, dict) else [n for n in names if n in features])
    if enforce_vocabulary:
        plain = [n for n in feature_targets if not features[n].term_columns]
        if plain:
            raise DerivaMLException(
                f"Features {plain} have no vocabulary column to name directories by; pass "
                "enforce_vocabulary=False to use their values.")

    assets = element_rows(bag, table.name)
    labels = resolve_targets(bag, table.name, [a["RID"] for a in assets], feature_targets,
                             missing, one_value=enforce_vocabulary) if feature_targets else {}
    type_dirs = DEFAULT_TYPE_DIRS if type_to_dir_map is None else type_to_dir_map
    holders = _holding_dataset_paths(bag, table.name, type_dirs, type_selector)
    output_dir = Path(output_dir)
    placements: list[tuple[Path, Path]] = []
    for asset in assets:
        groups = _groups(asset, names, features, labels, target_transform, missing)
        if groups is None:
            continue
        source = bag.path / "data" / asset_relpath(table, asset)
        if not source.is_file():
            raise DerivaMLException(
                f"The file of {table.name} {asset['RID']} is not in the bag ({source}); call "
                "bag.materialize() first.")
        placements.append((source, output_dir.joinpath(*holders.get(asset["RID"], ["unknown"]),
                                                        *groups, source.name)))
    manifest = {}
    for source, dest in placements:
        manifest[source] = _place(source, dest, file_transformer, use_symlinks)
    return manifest


def _asset_member_table(bag: DatasetBag) -> str:
    members = bag._datasets.list_dataset_members(bag.dataset_rid, recurse=True)
    tables = [t for t in members if t != "Dataset" and bag._find(t).kind == "asset"]
    if len(tables) != 1:
        raise DerivaMLException(
            f"Cannot tell which asset table to restructure: the dataset's asset member tables "
            f"are {tables or 'none'}. Pass asset_table=.")
    return tables[0]


def _holding_dataset_paths(bag: DatasetBag, table: str, type_dirs: dict[str, str],
                           type_selector: Callable[[list[str]], str] | None
                           ) -> dict[str, list[str]]:
    """Asset RID -> the type directories of the innermost dataset holding it."""
    def type_dir(types: list[str]) -> str | None:
        if not types:
            return type_dirs.get("Testing", "testing")
        return type_dirs.get(type_selector(types) if type_selector else types[0])

    paths: dict[str, list[str]] = {}
    visited: set[str] = set()

    def visit(dataset: DatasetBag, parent: list[str]) -> None:
        if dataset.dataset_rid in visited:
            return
        visited.add(dataset.dataset_rid)
        level = type_dir(dataset.dataset_types)
        path = parent + [level] if level else parent
        for child in dataset.list_dataset_children():
            visit(child, path)
        for row in element_rows(dataset, table):
            paths.setdefault(row["RID"], path)

    visit(bag, [])
    return paths


def _groups(asset: dict, names: list[str], features: dict, labels: dict[str, Any],
            transform: Callable[..., str] | None, missing: str) -> list[str] | None:
    """The label directories of ``asset``; None to leave it out."""
    rid = asset["RID"]
    label = labels.get(rid)
    if any(n in features for n in names) and rid not in labels:
        return None  # missing="skip"
    groups = []
    for name in names:
        if name in features:
            value = label.get(name) if isinstance(label, dict) else label
        else:
            value = asset.get(name)
            if value is None and missing != "unknown":
                if missing == "skip":
                    return None
                raise DerivaMLException(
                    f"Asset {rid} has no {name}; pass missing='skip' or missing='unknown'.")
        if value is None:
            groups.append(UNKNOWN)
        elif transform is not None:
            groups.append(_checked(transform(value)))
        elif name in features:
            groups.append(record_label(value))
        else:
            groups.append(str(value))
    return groups


def _checked(name: Any) -> str:
    if not isinstance(name, str):
        raise DerivaMLValidationError(
            f"target_transform must return a str (a directory name), not "
            f"{type(name).__name__}.")
    return name


def _place(source: Path, dest: Path, transformer: Callable[[Path, Path], Path] | None,
           use_symlinks: bool) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if dest.exists() or dest.is_symlink():
        dest.unlink()
    if transformer is not None:
        return Path(transformer(source, dest))
    if use_symlinks:
        try:
            dest.symlink_to(source)
            return dest
        except OSError:
            pass  # e.g. a file system without symlinks: copy instead
    shutil.copy2(source, dest)
    return dest
