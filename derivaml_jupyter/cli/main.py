"""Console script ``derivaml``: catalog chores (init, demo data, listings of datasets and
executions, finishing an interrupted upload, migrating a catalog deriva-ml made, removing
what killed writers left, pulling a dataset version into a local catalog, pushing executions
made offline to a server, running a recorded execution again as it ran).

Every subcommand but ``gc``, ``pull`` and ``push`` takes ``--host`` (default ``local``, the embedded
catalog) and ``--catalog`` (default ``default``). Errors print one line to stderr and exit
with status 1.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .errors import run_command
from .gc import cmd_gc
from .pull import add_pull_parser
from .push import add_push_parser

if TYPE_CHECKING:
    import pandas as pd

    from ..catalog.contract import Catalog
    from ..ml import DerivaML

Command = Callable[[Any, argparse.Namespace], None]


def _connect(args: argparse.Namespace) -> DerivaML | Catalog:
    """The catalog of ``--host``/``--catalog`` as a ``DerivaML`` (or, for ``migrate``, as it
    is, schema untouched); only ``init`` and ``demo`` create one."""
    from ..catalog.connect import connect_catalog, require_existing
    from ..ml import DerivaML

    if not args.creates:
        require_existing(args.host, args.catalog)
    if args.raw:
        return connect_catalog(args.host, args.catalog)
    return DerivaML(args.host, args.catalog)


def _show(frame: pd.DataFrame, empty: str) -> None:
    print(frame.to_string(index=False) if len(frame) else empty)


def _field(label: str, value: Any) -> None:
    print(f"{label:<12} {value if value not in (None, '') else '-'}")


# -- commands -------------------------------------------------------------------------------
def cmd_init(ml: DerivaML, args: argparse.Namespace) -> None:
    where = getattr(ml.catalog, "path", None) or f"{ml.hostname}/{ml.catalog_id}"
    print(f"Catalog {ml.catalog_id!r} on {ml.hostname} is ready: {where}")


def cmd_demo(ml: DerivaML, args: argparse.Namespace) -> None:
    from ..demo import demo_loaded, find_demo_data, load_demo_data

    if demo_loaded(ml):
        print(f"Demo data is already loaded in catalog {ml.catalog_id!r}; nothing added.")
        rids = find_demo_data(ml)
    else:
        rids = load_demo_data(ml, progress=not args.quiet)
        images = ml.catalog.count(ml.domain_schema, "Image")
        print(f"Loaded {images} digit images into {ml.domain_schema}.Image.")
    for key, rid in rids.items():
        print(f"{key:<9} dataset {rid} at version {ml.current_dataset_version(rid)}")


def cmd_datasets(ml: DerivaML, args: argparse.Namespace) -> None:
    frame = ml.find_datasets().to_dataframe()[
        ["RID", "Description", "Version", "Dataset_Types"]]
    frame = frame.assign(Dataset_Types=frame["Dataset_Types"].map(", ".join))
    _show(frame.rename(columns={"Dataset_Types": "Types"}),
          "No datasets yet (`derivaml demo` loads example data).")


def cmd_dataset(ml: DerivaML, args: argparse.Namespace) -> None:
    import pandas as pd

    dataset = ml.lookup_dataset(args.rid, deleted=True)
    record = ml.dataset_version_record(dataset.rid, args.version)
    current = ml.current_dataset_version(dataset.rid)
    _field("Dataset", dataset.rid)
    _field("Description", dataset.description)
    _field("Types", ", ".join(dataset.dataset_types))
    _field("Version", record["Version"] + (" (current)" if record["Version"] == str(current)
                                           else f" (current: {current})"))
    _field("Snapshot", record["Snapshot"])
    children = ml.list_dataset_children(dataset.rid, version=args.version)
    _field("Nested", ", ".join(c.rid for c in children))
    _field("Parents", ", ".join(p.rid for p in ml.list_dataset_parents(dataset.rid)))
    print("\nHistory")
    _show(ml.dataset_history(dataset.rid).to_dataframe()[
              ["Version", "Description", "Snapshot", "Execution"]],
          "(none)")
    if args.members:
        direct = ml.list_dataset_members(dataset.rid, version=args.version)
        nested = ml.list_dataset_members(dataset.rid, recurse=True, version=args.version)
        counts = pd.DataFrame(
            [{"Table": t, "Members": len(direct.get(t, [])), "With_Nested": len(nested[t])}
             for t in nested], columns=["Table", "Members", "With_Nested"])
        print(f"\nMembers at version {record['Version']}")
        _show(counts, "(no members)")


def cmd_versions(ml: DerivaML, args: argparse.Namespace) -> None:
    _show(ml.dataset_history(args.rid).to_dataframe(), "(no versions)")


def cmd_workflows(ml: DerivaML, args: argparse.Namespace) -> None:
    frame = ml.find_workflows().to_dataframe()
    frame = frame.assign(Workflow_Type=frame["Workflow_Type"].map(", ".join))
    _show(frame[["RID", "Name", "Workflow_Type", "Version", "URL"]].rename(
        columns={"Workflow_Type": "Types"}), "No workflows yet.")


def cmd_executions(ml: DerivaML, args: argparse.Namespace) -> None:
    status = args.status
    frame = ml.find_executions(status=status, sort=True).to_dataframe()
    _show(frame[["RID", "Workflow", "Status", "Start_Time", "Duration", "Description"]],
          f"No executions{f' with status {status}' if status else ''}.")


def cmd_execution(ml: DerivaML, args: argparse.Namespace) -> None:
    record = ml.lookup_execution(args.rid)
    workflow = record.workflow
    _field("Execution", record.execution_rid)
    _field("Workflow", workflow and f"{workflow.name} ({workflow.workflow_rid})")
    _field("Status", record.status)
    _field("Detail", record.status_detail)
    _field("Description", record.description)
    _field("Started", record.start_time)
    _field("Stopped", record.stop_time)
    _field("Duration", record.duration)
    for title, found in (("Inputs", record.inputs), ("Outputs", record.outputs)):
        print(f"\n{title}")
        lines = [("Dataset", f"{d['rid']} at version {d['version']}")
                 for d in found["datasets"]]
        lines += [(table, f"{row['Filename']} ({row['RID']})")
                  for table, rows in found["assets"].items() for row in rows]
        width = max((len(kind) for kind, _ in lines), default=0)
        print("\n".join(f"  {kind:<{width}}  {text}" for kind, text in lines) or "  (none)")
    print()
    _field("Nested", ", ".join(r.execution_rid for r in record.list_nested_executions()))
    _field("Parents", ", ".join(r.execution_rid for r in record.list_parent_executions()))


def cmd_upload(ml: DerivaML, args: argparse.Namespace) -> None:
    exe = ml.restore_execution(args.rid)
    uploaded = exe.upload_execution_outputs(progress=not args.quiet)
    files = [(table, path.name) for table, paths in uploaded.items() for path in paths]
    print(f"Execution {exe.execution_rid}: {exe.status.value}, {len(files)} file(s) uploaded"
          + ("" if files else " (nothing was pending)"))
    for table, name in files:
        print(f"  {table}: {name}")


def cmd_reproduce(ml: DerivaML, args: argparse.Namespace) -> None:
    from ..runners.reproduce import report_reproduction, reproduce

    report_reproduction(reproduce(ml, args.rid, repo=args.repo))


def cmd_migrate(catalog: Catalog, args: argparse.Namespace) -> None:
    from ..schema.migrate import apply_migration, plan_migration

    where = f"catalog {catalog.catalog_id} on {catalog.hostname}"
    changes = plan_migration(catalog)
    if not changes:
        print(f"Nothing to change: {where} has everything DerivaML records.")
        return
    if not args.yes:
        host = "" if args.host == "local" else f" --host {args.host}"
        print(f"derivaml migrate would make {len(changes)} change(s) to {where}:")
        print("\n".join(f"  - {c.description}" for c in changes))
        print("Only additions: deriva-ml keeps reading and writing the catalog (execution "
              "statuses keep its words).\nNothing was changed; to apply: derivaml migrate"
              f"{host} --catalog {args.catalog} --yes")
        return
    print(f"Migrating {where}:")
    apply_migration(catalog, changes, done=lambda c: print(f"  done: {c.description}"))
    print(f"{len(changes)} change(s) applied.")


# -- parser ---------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--host", default="local",
                        help="'local' (the embedded catalog, default) or a DERIVA server name")
    common.add_argument("--catalog", default="default", help="catalog id (default: default)")
    parser = argparse.ArgumentParser(
        prog="derivaml", description="DerivaML catalog chores: create a catalog, load demo "
        "data, list datasets, workflows and executions.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, handler: Command, help: str, creates: bool = False, raw: bool = False
            ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(handler=handler, creates=creates, raw=raw, offline=False)
        return p

    add("init", cmd_init, "create or open a catalog and print where it is", creates=True)
    add("demo", cmd_demo, "load the digits demo data (idempotent)", creates=True).add_argument(
        "--quiet", action="store_true", help="no progress bar")
    add("datasets", cmd_datasets, "list datasets")
    p = add("dataset", cmd_dataset, "show one dataset, its history and members")
    p.add_argument("rid", help="dataset RID, e.g. 1-ABCD")
    p.add_argument("--version", help="show the dataset as of this version, e.g. 1.0.0")
    p.add_argument("--members", action="store_true", help="count members by table")
    add("versions", cmd_versions, "list the versions of a dataset").add_argument(
        "rid", help="dataset RID")
    add("workflows", cmd_workflows, "list workflows")
    add("executions", cmd_executions, "list executions").add_argument(
        "--status", help="only executions with this status, e.g. Uploaded")
    add("execution", cmd_execution, "show one execution").add_argument(
        "rid", help="execution RID")
    p = add("upload", cmd_upload, "upload the pending outputs of an execution (finishes an "
            "interrupted upload; nothing already stored is sent again)")
    p.add_argument("rid", help="execution RID")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p = add("reproduce", cmd_reproduce, "run a recorded execution again as it ran: its "
            "commit (in a temporary git worktree), Hydra overrides and dataset versions; the "
            "new execution is linked to it")
    p.add_argument("rid", help="execution RID")
    p.add_argument("--repo", help="the git repository holding the execution's code (default: "
                   "the one around the current directory, else the one it ran in)")
    add("migrate", cmd_migrate, "add to a catalog made by deriva-ml the tables, columns and "
        "terms DerivaML records (prints the changes; --yes applies them)", raw=True
        ).add_argument("--yes", action="store_true", help="apply the changes")
    gc_help = ("remove the leftovers of killed uploads and bag downloads under $DERIVAML_HOME "
               "(files and folders named .partial-*), never one a running process is writing")
    p = sub.add_parser("gc", help=gc_help, description=gc_help)
    p.set_defaults(handler=cmd_gc, offline=True)
    p.add_argument("--dry-run", action="store_true",
                   help="only list what would be removed, with its size in bytes")
    p.add_argument("--runs-older-than", type=float, default=30, metavar="DAYS",
                   help="also forget the Jupyter runs that ended over DAYS days ago, and "
                        "delete their logs (default: 30)")
    add_pull_parser(sub)
    add_push_parser(sub)
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    """Entry point of ``derivaml``."""
    args = build_parser().parse_args(None if argv is None else list(argv))
    return run_command(f"derivaml {args.command}", lambda: args.handler(
        None if args.offline else _connect(args), args))


if __name__ == "__main__":
    sys.exit(main())
