"""The project around the notebook, as the magics and the picker see it: its configs
(groups, options, descriptions, a notebook config's defaults) and its catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core.errors import DerivaMLValidationError

NOTEBOOK_CONFIG_GROUP = "notebook config"


def load_project() -> Path:
    """Load the configs of the project holding the notebook (or the working directory) and
    add them to Hydra's store; return the project's ``src`` folder.

    The project is found by walking up to a folder with ``src/configs``.
    """
    from hydra_zen import store

    from ..config.run_notebook import current_notebook_path, find_project_src, load_project_configs

    notebook = current_notebook_path()
    start = notebook.parent if notebook else Path.cwd()
    src = find_project_src(start)
    if src is None:
        raise DerivaMLValidationError(
            f"No DerivaML project around {start}: no folder above it has src/configs. Start "
            "Jupyter in your project (or %cd into it) and run the magic again.")
    load_project_configs(start)
    store.add_to_hydra_store(overwrite_ok=True)
    return src


def config_options(full: bool = False) -> dict[str, dict[str, str]]:
    """``{group: {option: description}}`` of the loaded configs ('' when undescribed): the
    description's first line, or its whole Markdown text if ``full``."""
    from ..config.registry import config_groups, description_of, description_text

    describe = description_text if full else description_of
    return {group: {name: describe(node) for name, node in sorted(options.items())}
            for group, options in config_groups().items()}


def notebook_configs() -> dict[str, str]:
    """``{name: description}`` of the registered notebook configs."""
    from ..config.notebook import list_notebook_configs
    from ..config.registry import description_of, top_level_configs

    tops = top_level_configs()
    return {name: description_of(tops.get(name)) for name in list_notebook_configs()}


def notebook_defaults(config_name: str) -> dict[str, str]:
    """The group choices of notebook config ``config_name`` (``{group: option}``); an
    unregistered name gets those of the plain notebook config, as ``run_notebook`` does."""
    from ..config.groups import NOTEBOOK_GROUPS, STANDARD_GROUPS
    from ..config.registry import defaults_of, top_level_configs

    node = top_level_configs().get(config_name)
    if node is None:
        return {group: STANDARD_GROUPS[group] for group in NOTEBOOK_GROUPS}
    return defaults_of(node)


def default_config_name() -> str:
    """The notebook's own config name, or the only registered notebook config."""
    from ..config.run_notebook import current_notebook_path

    notebook = current_notebook_path()
    if notebook is not None:
        return notebook.stem
    names = list(notebook_configs())
    if len(names) == 1:
        return names[0]
    raise DerivaMLValidationError(
        "Cannot tell which notebook config to use: pass its name, one of "
        f"{', '.join(names) or '(none registered: add notebook_config(...) to src/configs)'}.")


def project_connection() -> dict[str, Any]:
    """Fields of the project's default ``deriva_ml`` config; ``{}`` outside a project."""
    from hydra_zen import instantiate

    from ..config.groups import STANDARD_GROUPS
    from ..config.registry import config_groups
    from ..config.run_notebook import find_project_src

    if find_project_src() is None:
        return {}
    load_project()
    node = config_groups().get("deriva_ml", {}).get(STANDARD_GROUPS["deriva_ml"])
    return dict(vars(instantiate(node))) if node is not None else {}


def connect_ml(current: Any, host: str | None = None, catalog: str | None = None) -> Any:
    """The ``DerivaML`` to browse: ``current`` (the namespace's ``ml``) unless ``host`` or
    ``catalog`` name another catalog; without ``current``, the project's default
    ``deriva_ml`` config, else the default local catalog."""
    from ..ml import DerivaML

    if isinstance(current, DerivaML):
        base = {"hostname": current.hostname, "catalog_id": current.catalog_id}
    else:
        current, base = None, project_connection()
    wanted = {**base, **({"hostname": host} if host else {}),
              **({"catalog_id": str(catalog)} if catalog else {})}
    if current is not None and wanted == base:
        return current
    return DerivaML.instantiate(wanted)
