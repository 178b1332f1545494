"""Console script ``derivaml``: catalog chores (init, demo data, listings of datasets and
executions).

Every subcommand takes ``--host`` (default ``local``, the embedded catalog) and ``--catalog``
(default ``default``). Errors print one line to stderr and exit with status 1.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..core.errors import DerivaMLException, DerivaMLNotImplemented

if TYPE_CHECKING:
    import pandas as pd

    from ..ml import DerivaML

Command = Callable[["DerivaML", argparse.Namespace], None]


def _connect(args: argparse.Namespace) -> DerivaML:
    from ..ml import DerivaML

    return DerivaML(args.host, args.catalog)


def _show(frame: pd.DataFrame, empty: str) -> None:
    print(frame.to_string(index=False) if len(frame) else empty)


def _record(item: Any) -> dict:
    """A row dict from a dict, dataclass, pydantic model or plain object."""
    if isinstance(item, dict):
        return item
    if dataclasses.is_dataclass(item):
        return dataclasses.asdict(item)
    for method in ("model_dump", "to_dict"):
        if callable(getattr(item, method, None)):
            return getattr(item, method)()
    return {k: v for k, v in vars(item).items() if not k.startswith("_")}


def _frame(result: Any) -> pd.DataFrame:
    import pandas as pd

    if isinstance(result, pd.DataFrame):
        return result
    return pd.DataFrame([_record(item) for item in result])


def _execution_api(ml: DerivaML, name: str, command: str) -> Callable[..., Any]:
    method = getattr(ml, name, None)
    if method is None:
        raise DerivaMLNotImplemented(
            f"`derivaml {command}` is not available yet: this DerivaML has no {name}(). "
            "Update derivaml-jupyter to a version with execution records.")
    return method


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
    frame = ml.find_datasets()[["RID", "Description", "Version", "Dataset_Types"]]
    frame = frame.assign(Dataset_Types=frame["Dataset_Types"].map(", ".join))
    _show(frame.rename(columns={"Dataset_Types": "Types"}),
          "No datasets yet (`derivaml demo` loads example data).")


def cmd_dataset(ml: DerivaML, args: argparse.Namespace) -> None:
    import pandas as pd

    dataset = ml.lookup_dataset(args.rid, deleted=True)
    record = ml.dataset_version_record(dataset.rid, args.version)
    current = ml.current_dataset_version(dataset.rid)
    print(f"Dataset      {dataset.rid}")
    print(f"Description  {dataset.description}")
    print(f"Types        {', '.join(dataset.dataset_types)}")
    print(f"Version      {record['Version']}"
          + (" (current)" if record["Version"] == str(current) else f" (current: {current})"))
    print(f"Snapshot     {record['Snapshot']}")
    children = ml.list_dataset_children(dataset.rid, version=args.version)
    parents = ml.list_dataset_parents(dataset.rid)
    print(f"Nested       {', '.join(c.rid for c in children) or '-'}")
    print(f"Parents      {', '.join(p.rid for p in parents) or '-'}")
    print("\nHistory")
    _show(ml.dataset_history(dataset.rid)[["Version", "Description", "Snapshot", "Execution"]],
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
    _show(ml.dataset_history(args.rid), "(no versions)")


def cmd_workflows(ml: DerivaML, args: argparse.Namespace) -> None:
    _show(_frame(_execution_api(ml, "find_workflows", "workflows")()), "No workflows yet.")


def cmd_executions(ml: DerivaML, args: argparse.Namespace) -> None:
    find = _execution_api(ml, "find_executions", "executions")
    result = find(status=args.status) if args.status else find()
    _show(_frame(result), "No executions" + (f" with status {args.status}." if args.status
                                              else " yet."))


def cmd_execution(ml: DerivaML, args: argparse.Namespace) -> None:
    record = _record(_execution_api(ml, "lookup_execution", "execution")(args.rid))
    width = max(map(len, record), default=0)
    for key, value in record.items():
        print(f"{key:<{width}}  {value}")


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

    def add(name: str, handler: Command, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(handler=handler)
        return p

    add("init", cmd_init, "create or open a catalog and print where it is")
    add("demo", cmd_demo, "load the digits demo data (idempotent)").add_argument(
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
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    """Entry point of ``derivaml``."""
    args = build_parser().parse_args(None if argv is None else list(argv))
    try:
        args.handler(_connect(args), args)
    except DerivaMLException as e:
        print(f"derivaml {args.command}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"derivaml {args.command}: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
