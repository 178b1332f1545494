"""Compare deriva-ml's public API with ``derivaml``; write docs/deriva-ml-compatibility.md.

deriva-ml's names come from ``docs/deriva_ml_api.json``, read once from its source (it is
never imported). Each name is imported from the same path here (``deriva_ml.x`` ->
``derivaml.x``) and its parameters, methods and enum members compared::

    python tools/compare_api.py            # regenerate the table
    python tools/compare_api.py --check    # exit 1 if the checked-in table is stale
    python tools/compare_api.py --refresh-from DERIVA_ML/src --source "deriva-ml v1.54.1 (...)"
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import sys
from pathlib import Path

from signatures import definition_differences

ROOT = Path(__file__).resolve().parents[1]
API_FILE = ROOT / "docs" / "deriva_ml_api.json"
TABLE_FILE = ROOT / "docs" / "deriva-ml-compatibility.md"
OK, DIFFERS, MISSING = "✅", "🟡", "❌"
INLINE = 160  # longer differences go to the details section



def _each(reason: str, *names: str) -> dict[str, str]:
    return dict.fromkeys(names, reason)


# Why a name is missing or differs, where we know; keys: "module.name", name, or module.
REASONS: dict[str, str] = {
    **_each("planned: features (issue 9, part 1)",
            "FeatureReference", "DerivaMLFeatureNotFound"),
    "Feature": "made by ml.lookup_feature / find_features from this package's table model "
               "(deriva-ml's constructor, from ERMrest objects, is not public either)",
    **_each("planned: assets as records (issue 9, part 2)",
            "AssetRecord", "asset_record_class", "LocalFile", "LocalFileConfig"),
    "deriva_ml.model": "Chaise (DERIVA web UI) annotation builders and deriva-ml's "
                       "internal model classes: not built",
    **_each("server-to-server catalog cloning: not built",
            "clone_via_bag", "CloneViaBagResult", "create_ml_workspace", "OrphanStrategy",
            "localize_assets", "LocalizeResult"),
    **_each("deriva-ml's own upload engine and its manifest: uploads here are resumable "
            "through their own manifest (execution/upload.py)",
            "AssetEntry", "AssetManifest", "FileUploadState", "UploadCallback", "UploadState"),
    **_each("deriva-ml's offline mode and schema pinning: not built (the local catalog "
            "needs neither)",
            "ConnectionMode", "DerivaMLOfflineError", "DerivaMLSchemaPinned",
            "DerivaMLSchemaRefreshBlocked"),
    **_each("deriva-ml's cache inventory: not built", "CachedBag", "CachedAsset"),
    **_each("lineage queries: not built", "AssetSummary", "DatasetSummary", "ExecutionSummary",
            "LineageNode", "LineageResult", "RootDescriptor", "WorkflowSummary"),
    **_each("a type from deriva-py's new typed-definition API, which the deriva-py here "
            "(1.7) lacks", "ColumnDef", "KeyDef", "ForeignKeyDef", "TableDef", "SchemaDef",
            "VocabularyTableDef", "AssetTableDef", "AssociationTableDef", "BuiltinType",
            "ColumnHandle", "TableHandle"),
}


def our_path(module: str) -> str:
    return "derivaml" + module[len("deriva_ml"):]


def classify(module: str, name: str, spec: dict) -> tuple[str, list[str]]:
    """The status of ``module.name`` here, and its differences (or why it is missing)."""
    try:
        ours = getattr(importlib.import_module(our_path(module)), name)
    except ModuleNotFoundError as e:
        if not (e.name or "").startswith("derivaml"):
            return MISSING, [f"import fails here: {e}"]
        return MISSING, []
    except AttributeError:
        return MISSING, []
    except ImportError as e:
        return MISSING, [f"import fails here: {e}"]
    differences = definition_differences(spec, ours)
    return (DIFFERS if differences else OK), differences


def reason_for(module: str, name: str) -> str:
    for key in (f"{module}.{name}", name, module):
        if key in REASONS:
            return REASONS[key]
    return ""


def _reason(module: str, name: str, spec: dict, status: str, differences: list[str]) -> str:
    if status == OK:
        return "defined in deriva-py there; not compared" if spec["kind"] == "external" else ""
    return "; ".join(filter(None, [reason_for(module, name), *differences])) or "not implemented"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(api: dict) -> str:
    """The compatibility table, as Markdown."""
    sections, counts, details = [], {}, {}
    for group, title in (("packages", "Names exported by deriva-ml's packages"),
                         ("modules", "Modules ported code imports from")):
        tally = {OK: 0, DIFFERS: 0, MISSING: 0}
        lines = [f"## {title}", ""]
        for module, names in api[group].items():
            lines += [f"### `{our_path(module)}`", "", "| Name | Kind | | Reason |",
                      "|---|---|---|---|"]
            for name, origin in names.items():
                spec = api["definitions"][origin]
                status, differences = classify(module, name, spec)
                tally[status] += 1
                if len("; ".join(differences)) > INLINE:
                    details[origin] = differences
                    differences = [f"{len(differences)} differences, see [details](#details)"]
                kind = "deriva-py" if spec["kind"] == "external" else spec["kind"]
                lines.append(f"| `{name}` | {kind} | {status} | "
                             f"{_cell(_reason(module, name, spec, status, differences))} |")
            lines.append("")
        counts[group] = tally
        sections += lines
    head = [
        "# deriva-ml compatibility", "",
        f"Generated by `tools/compare_api.py` from `docs/deriva_ml_api.json` ({api['source']}); "
        "do not edit by hand: `python tools/compare_api.py` regenerates it, and "
        "`tests/test_compat_table.py` fails when it is stale.", "",
        "Code written for deriva-ml runs here with its imports rewritten (`deriva_ml` → "
        "`derivaml`). ✅: importable from the same path, and it accepts deriva-ml's parameters "
        "by name (with the same defaults and positional order), methods and enum members. "
        "🟡: importable, but differs as said. ❌: not importable from that path.", "",
    ]
    for group, what in (("packages", "names exported by deriva-ml's packages"),
                        ("modules", "names of the modules ported code imports from")):
        t = counts[group]
        head.append(f"- {sum(t.values())} {what}: **{t[OK]} ✅**, {t[DIFFERS]} 🟡, "
                    f"{t[MISSING]} ❌")
    tail = ["## Details", ""]
    for origin, differences in sorted(details.items()):
        tail += [f"### `{origin}`", "", *(f"- {_cell(d)}" for d in differences), ""]
    return "\n".join(head + [""] + sections + (tail if details else [])).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the table differs from the generated one")
    parser.add_argument("--refresh-from", type=Path, metavar="SRC",
                        help="re-read deriva-ml's API from its source (the folder with deriva_ml/)")
    parser.add_argument("--source", help="which deriva-ml SRC is, e.g. 'deriva-ml v1.54.1'")
    args = parser.parse_args(argv)
    if args.refresh_from:
        if not args.source:
            parser.error("--refresh-from needs --source")
        from read_deriva_ml import read_api

        api = {"source": args.source, **read_api(args.refresh_from)}
        API_FILE.write_text(json.dumps(api, indent=1, ensure_ascii=False) + "\n")
    table = render(json.loads(API_FILE.read_text()))
    if args.check:
        current = TABLE_FILE.read_text() if TABLE_FILE.exists() else ""
        if current == table:
            return 0
        sys.stdout.writelines(difflib.unified_diff(
            current.splitlines(True), table.splitlines(True), str(TABLE_FILE), "generated"))
        print(f"\n{TABLE_FILE.name} is stale: run python tools/compare_api.py")
        return 1
    TABLE_FILE.write_text(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
