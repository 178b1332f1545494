"""The hydra-zen configs of a project, listed in a separate Python process so the user's
config modules are never imported into the Jupyter server.

``python -m derivaml_jupyter.server.configs <config dir>`` prints the listing as JSON (or
``{"error": ..., "message": ...}`` with exit status 1).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from ..core.errors import DerivaMLException, DerivaMLNotFound

CONFIG_DIR = Path("src") / "configs"
CONNECTION_GROUP = "deriva_ml"
TIMEOUT_SECONDS = 120


def find_project(root: Path, start: Path) -> Path:
    """The project holding ``start``: it or the nearest folder above it, inside ``root``,
    with ``src/configs/__init__.py`` (a notebook in ``notebooks/`` is in its project)."""
    start = start if start.is_dir() else start.parent
    for folder in (start, *start.parents):
        if (folder / CONFIG_DIR / "__init__.py").is_file():
            return folder
        if folder == root or not folder.is_relative_to(root):
            break
    raise DerivaMLNotFound(
        f"{start.name or 'The server root'} is in no DerivaML project (no folder from it up "
        f"to the server root holds {CONFIG_DIR.as_posix()}/__init__.py); open a project "
        "folder or one of its notebooks.")


def list_project_configs(project: Path) -> dict[str, Any]:
    """Groups, options with descriptions, top-level configs, named multiruns, the fields
    overrides may set (``fields``: per group, and of the top-level configs), and the catalogs
    its ``deriva_ml`` options name (``catalogs``; ``catalog``: the one its default model
    config uses) of the project at ``project`` (its configs package is ``src/configs``)."""
    config_dir = project / CONFIG_DIR
    if not (config_dir / "__init__.py").is_file():
        raise DerivaMLNotFound(
            f"{project.name or project} has no {CONFIG_DIR.as_posix()}/__init__.py; give the "
            "folder of a DerivaML project (the one holding src/configs).")
    try:
        done = subprocess.run([sys.executable, "-m", __name__, str(config_dir)], cwd=project,
                              capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        raise DerivaMLException(
            f"Loading the configs of {project.name} took over {TIMEOUT_SECONDS} s; check "
            "that its config modules do no slow work at import time.") from None
    try:
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        answer = {"error": "ConfigListingError", "message": done.stderr.strip()[-2000:]}
    if done.returncode != 0 or "error" in answer:
        raise DerivaMLException(
            f"Loading the configs of {project.name} failed: {answer['error']}: "
            f"{answer['message']}")
    return answer


def describe_configs(config_dir: str) -> dict[str, Any]:
    """Load the configs package at ``config_dir`` and describe what it registered."""
    from hydra_zen import store

    from ..config.discovery import config_package_of, load_configs
    from ..config.multirun import get_all_multirun_configs
    from ..config.registry import (
        config_groups,
        config_value,
        defaults_of,
        description_of,
        top_level_configs,
    )

    src, package = config_package_of(config_dir)
    sys.path[:0] = [str(src), str(src.parent)]
    load_configs(package)
    store.add_to_hydra_store(overwrite_ok=True)
    groups, configs = config_groups(), top_level_configs()
    connections = groups.get(CONNECTION_GROUP, {})
    catalogs = [{"name": name, "host": str(config_value(node, "hostname") or "local"),
                 "catalog": str(config_value(node, "catalog_id") or "default")}
                for name, node in sorted(connections.items())]
    chosen = next((defaults_of(node).get(CONNECTION_GROUP) for node in configs.values()
                   if defaults_of(node).get(CONNECTION_GROUP) in connections), None)
    return {
        "catalogs": catalogs,
        "catalog": next((c for c in catalogs if c["name"] == chosen),
                        catalogs[0] if len(catalogs) == 1 else None),
        "groups": {group: [{"name": name, "description": description_of(node)}
                           for name, node in sorted(options.items())]
                   for group, options in config_groups().items()},
        "configs": [{"name": name, "description": description_of(node),
                     "defaults": defaults_of(node)}
                    for name, node in top_level_configs().items()],
        "multiruns": [{"name": name, "description": spec.description,
                       "overrides": list(spec.overrides)}
                      for name, spec in get_all_multirun_configs().items()],
        "fields": {
            "groups": {group: sorted({f for node in options.values() for f in fields_of(node)})
                       for group, options in config_groups().items()},
            "configs": sorted({f for node in top_level_configs().values()
                               for f in fields_of(node)}),
        },
    }


def fields_of(node: Any) -> list[str]:
    """The field names of a config node that overrides may set (none of Hydra's ``_..._``
    keys, no ``defaults``)."""
    keys = node.keys() if hasattr(node, "keys") else []
    return [str(k) for k in keys if not str(k).startswith("_") and k != "defaults"]


def main(argv: list[str]) -> int:
    try:
        answer, code = describe_configs(argv[0]), 0
    except Exception as e:  # a broken user config: report it, never a traceback page
        answer, code = {"error": type(e).__name__, "message": str(e)}, 1
    print(json.dumps(answer, default=str))
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
