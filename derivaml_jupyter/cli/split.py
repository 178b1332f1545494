"""Console script ``deriva-ml-split-dataset``: split a dataset into Training/Testing (and
Validation) datasets nested in a new Split dataset, recorded by an execution of its own.

deriva-ml's command with its flags; ``--hostname`` defaults to ``local`` (the embedded
catalog) and ``--catalog-id`` to ``default``. Errors print one line to stderr, exit 1, and
leave the catalog unchanged.

Example::

    deriva-ml-split-dataset --dataset-rid 1-ABCD --val-size 0.1 \\
        --stratify-by-column Image.Label --include-tables Image
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING

from .errors import run_command

if TYPE_CHECKING:
    from ..dataset.split import SplitResult
    from ..ml import DerivaML

PROG = "deriva-ml-split-dataset"
RULE = "=" * 60


def _names(value: str | None) -> list[str] | None:
    """A comma-separated list (None when empty)."""
    names = [v.strip() for v in (value or "").split(",") if v.strip()]
    return names or None


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG, description="Split a DerivaML dataset into training/testing/validation "
        "subsets")
    p.add_argument("--hostname", default="local",
                   help="'local' (the embedded catalog, default) or a DERIVA server name")
    p.add_argument("--catalog-id", default="default", help="catalog id (default: default)")
    p.add_argument("--domain-schema", help="domain schema name (auto-detected if omitted)")
    p.add_argument("--dataset-rid", required=True, help="RID of the source dataset to split")
    p.add_argument("--test-size", type=float, default=0.2,
                   help="test set size as fraction (0-1) or absolute count (default: 0.2)")
    p.add_argument("--train-size", type=float,
                   help="train set size as fraction or count (default: the rest)")
    p.add_argument("--val-size", type=float,
                   help="validation set size as fraction or count (default: no validation set)")
    p.add_argument("--no-shuffle", action="store_true", help="do not shuffle before splitting")
    p.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    p.add_argument("--stratify-by-column",
                   help="Table.column to stratify by, e.g. Image.Label; needs --include-tables")
    p.add_argument("--stratify-missing", choices=["error", "drop", "include"], default="error",
                   help="null values in the stratify column: error (default), drop, or include "
                   "as a class of their own")
    p.add_argument("--element-table", help="element table to split (auto-detected if omitted)")
    p.add_argument("--include-tables",
                   help="comma-separated tables whose columns stratification reads")
    p.add_argument("--row-per", help="leaf table of the rows (only the element table here)")
    p.add_argument("--via", help="comma-separated tables forced into the join (not supported)")
    p.add_argument("--ignore-unrelated-anchors", action="store_true",
                   help="accepted for deriva-ml compatibility; no effect here")
    p.add_argument("--partition-by", choices=["element", "row"],
                   help="partition unit when --row-per differs from --element-table")
    for part in ("training", "testing", "validation"):
        p.add_argument(f"--{part}-types", default="Labeled",
                       help=f"comma-separated extra dataset types of the {part} set "
                       "(default: Labeled)")
    p.add_argument("--description", default="", help="description of the Split dataset")
    p.add_argument("--workflow-type", default="Dataset_Split",
                   help="Workflow_Type term of the splitting workflow (default: Dataset_Split)")
    p.add_argument("--dry-run", action="store_true",
                   help="print the plan without changing the catalog")
    p.add_argument("--show-urls", action="store_true",
                   help="show web URLs of the created datasets")
    return p


def _connect(args: argparse.Namespace) -> DerivaML:
    from ..catalog.connect import require_existing
    from ..ml import DerivaML

    require_existing(args.hostname, args.catalog_id)
    return DerivaML(args.hostname, args.catalog_id, domain_schema=args.domain_schema)


def _split(ml: DerivaML, args: argparse.Namespace) -> SplitResult:
    from ..dataset.split import split_dataset

    return split_dataset(
        ml, args.dataset_rid, None, test_size=args.test_size, train_size=args.train_size,
        val_size=args.val_size, shuffle=not args.no_shuffle, seed=args.seed,
        stratify_by_column=args.stratify_by_column, stratify_missing=args.stratify_missing,
        split_description=args.description, training_types=_names(args.training_types),
        testing_types=_names(args.testing_types),
        validation_types=_names(args.validation_types), element_table=args.element_table,
        include_tables=_names(args.include_tables), row_per=args.row_per,
        via=_names(args.via), ignore_unrelated_anchors=args.ignore_unrelated_anchors,
        partition_by=args.partition_by, dry_run=args.dry_run,
        workflow_type=args.workflow_type)


def _report(ml: DerivaML, result: SplitResult, show_urls: bool) -> None:
    parts = [("Training", result.training), ("Validation", result.validation),
             ("Testing", result.testing)]
    parts = [(name, info) for name, info in parts if info is not None]
    print(RULE)
    if result.dry_run:
        print("  DRY RUN - No changes will be made")
        print(RULE)
        print(f"  Source dataset:  {result.source}")
        print(f"  Element table:   {result.element_table}")
        print(f"  Strategy:        {result.strategy}")
        print(f"  Seed:            {result.seed}")
        for name, info in parts:
            print(f"  {name + ' size:':<16} {info.count}")
    else:
        print("  SPLIT COMPLETE")
        print(RULE)
        print(f"  Source dataset:  {result.source}")
        for name, info in [("Split dataset", result.split), *parts]:
            print(f"  {name + ':':<16} {info.rid} (v{info.version})"
                  + (f", {info.count} members" if info.count else ""))
        if show_urls:
            print("\n  URLs:")
            for name, info in [("split", result.split), *parts]:
                print(f"    {name.lower()}: {ml.cite(info.rid, current=True)}")
    print(RULE)


def main(argv: Iterable[str] | None = None) -> int:
    """Entry point of ``deriva-ml-split-dataset``."""
    args = build_parser().parse_args(None if argv is None else list(argv))

    def split() -> None:
        ml = _connect(args)
        _report(ml, _split(ml, args), args.show_urls)

    return run_command(PROG, split)


if __name__ == "__main__":
    sys.exit(main())
