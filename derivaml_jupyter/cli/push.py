"""``derivaml push --to HOST/CATALOG [RID...]``: copy executions recorded on a local catalog
to another catalog (a DERIVA server, or ``local/<name>``), with what they need, and print
where each row went."""

from __future__ import annotations

import argparse

from .pull import parse_source


def cmd_push(_: None, args: argparse.Namespace) -> None:
    from ..catalog.connect import connect_catalog, require_existing
    from ..catalog.push import push_executions

    host, catalog = parse_source(args.to)
    require_existing("local", args.catalog)
    local = connect_catalog("local", args.catalog)
    result = push_executions(local, host, catalog, args.rids or None,
                             progress=(lambda *_: None) if args.quiet else None)
    target = f"{result.host}/{result.catalog}"
    for rid in result.already_pushed:
        print(f"Execution {rid} was pushed to {target} already, as {result.executions[rid]}.")
    for rid, update in result.updated.items():
        print(f"Execution {rid}: updated on {target}, as {result.executions[rid]} ({update}).")
    pushed = {k: v for k, v in result.executions.items()
              if k not in result.already_pushed and k not in result.updated}
    for rid, remote in pushed.items():
        print(f"Execution {rid} -> {remote} on {target}")
    if not result.executions:
        print(f"Nothing to push: every execution of local catalog {args.catalog!r} is on "
              f"{target} already.")
    print(f"{result.rows_inserted} rows inserted, {result.files_uploaded} files sent.")
    if result.rows_updated:
        print(f"{result.rows_updated} rows updated (changed here since they were pushed).")
    moved = {k: v for k, v in result.mapping.items() if k != v}
    if moved and not args.quiet:
        print("Local RID -> RID on the target:")
        for local_rid, remote_rid in sorted(moved.items()):
            print(f"  {local_rid} -> {remote_rid}")


def add_push_parser(sub: argparse._SubParsersAction) -> None:
    """The ``push`` subcommand of ``derivaml``."""
    text = ("copy executions recorded on a local catalog to a DERIVA catalog (or another "
            "local one): workflows, input dataset versions, status, outputs and their files, "
            "feature values, datasets they made, nested executions. Pushing again completes "
            "an interrupted push, copies nothing twice, and brings what changed since in "
            "executions pushed before")
    p = sub.add_parser("push", help=text, description=text)
    p.add_argument("--to", required=True, metavar="HOST/CATALOG",
                   help="the catalog to push to, e.g. www.example.org/1 or local/shared")
    p.add_argument("rids", nargs="*", metavar="RID",
                   help="execution RIDs (default: every execution not pushed there yet, and "
                   "those pushed there that changed since)")
    p.add_argument("--catalog", default="default",
                   help="the local catalog to push from (default: default)")
    p.add_argument("--quiet", action="store_true", help="no progress bars, no RID list")
    p.set_defaults(handler=cmd_push, offline=True)
