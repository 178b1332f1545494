"""``derivaml pull HOST/CATALOG DATASET[@VERSION]``: a local catalog holding one version of a
dataset of another catalog (a DERIVA server, or ``local/<name>``), ready for executions
recorded locally."""

from __future__ import annotations

import argparse

from ..core.errors import DerivaMLValidationError


def parse_source(text: str) -> tuple[str, str]:
    """``(host, catalog)`` of ``HOST/CATALOG`` (a leading ``https://`` is allowed)."""
    host, _, catalog = text.split("://", 1)[-1].strip("/").rpartition("/")
    if not host or not catalog:
        raise DerivaMLValidationError(
            f"{text!r} does not name a catalog: write HOST/CATALOG, e.g. www.example.org/1 "
            "(or local/default for a local catalog).")
    return host, catalog


def cmd_pull(_: None, args: argparse.Namespace) -> None:
    from ..catalog.clone.pull import pull_dataset

    host, catalog = parse_source(args.source)
    rid, _, version = args.dataset.partition("@")
    result = pull_dataset(host, catalog, rid, version or None, args.catalog)
    p = result.pull
    if result.already_there:
        print(f"Dataset {p.dataset} version {p.version} is already in local catalog "
              f"{p.catalog_id!r}; nothing added.")
    else:
        print(f"Pulled dataset {p.dataset} version {p.version} of {p.host}/{p.catalog} "
              f"(snapshot {p.snapshot}) into local catalog {p.catalog_id!r}: "
              f"{result.rows_added} rows, {result.files_stored} files.")
    print(f"Use it with --host local --catalog {p.catalog_id}, or DerivaML('local', "
          f"{p.catalog_id!r}); RIDs are those of {p.host}/{p.catalog}.")


def add_pull_parser(sub: argparse._SubParsersAction) -> None:
    """The ``pull`` subcommand of ``derivaml``."""
    text = ("make a local catalog holding a dataset version of another catalog (its rows, "
            "files and version; same RIDs), ready for executions recorded locally")
    p = sub.add_parser("pull", help=text, description=text)
    p.add_argument("source", metavar="HOST/CATALOG",
                   help="the catalog to pull from, e.g. www.example.org/1 or local/default")
    p.add_argument("dataset", metavar="DATASET[@VERSION]",
                   help="dataset RID, optionally @version (default: its current version)")
    p.add_argument("--catalog", help="the local catalog to pull into (default: "
                   "<host>-<catalog>); made if missing")
    p.set_defaults(handler=cmd_pull, offline=True)
