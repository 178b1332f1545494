"""Read-only views of Hydra's config store: groups, their options, and descriptions."""

from __future__ import annotations

from typing import Any

from hydra.core.config_store import ConfigNode, ConfigStore

_SUFFIX = ".yaml"
_HIDDEN = ("hydra", "_dummy_empty_config_")


def config_groups() -> dict[str, dict[str, Any]]:
    """``{group path: {option name: config node}}`` for the user's groups (Hydra's own are
    left out). Nested groups are written ``a/b``."""
    groups: dict[str, dict[str, Any]] = {}

    def walk(tree: dict, path: str) -> None:
        options = {k[: -len(_SUFFIX)]: v.node for k, v in tree.items()
                   if isinstance(v, ConfigNode)}
        if path and options:
            groups[path] = options
        for key, sub in tree.items():
            if isinstance(sub, dict) and not (not path and key in _HIDDEN):
                walk(sub, f"{path}/{key}" if path else key)

    walk(ConfigStore.instance().repo, "")
    return dict(sorted(groups.items()))


def top_level_configs() -> dict[str, Any]:
    """``{name: config node}`` of configs stored without a group (e.g. ``deriva_model``)."""
    repo = ConfigStore.instance().repo
    return {k[: -len(_SUFFIX)]: v.node for k, v in sorted(repo.items())
            if isinstance(v, ConfigNode) and k[: -len(_SUFFIX)] not in _HIDDEN}


def defaults_of(node: Any, optional: bool = True) -> dict[str, str]:
    """The group choices in a config's defaults list: ``{group: option}``.

    ``override /group`` entries are included under ``group``; ``optional`` entries (which
    Hydra skips when the option does not exist) only if ``optional`` is true.
    """
    choices: dict[str, str] = {}
    for entry in config_value(node, "defaults") or []:
        if not hasattr(entry, "items"):
            continue
        for key, value in entry.items():
            group = str(key).strip()
            if group.startswith("optional ") and not optional:
                continue
            group = group.removeprefix("optional ").strip().removeprefix("override ")
            choices[group.strip().lstrip("/")] = value
    return choices


def description_text(node: Any) -> str:
    """A config's whole ``description`` (Markdown; '' if it has none)."""
    text = config_value(node, "description")
    return text.strip() if isinstance(text, str) else ""


def description_of(node: Any) -> str:
    """The first line of a config's ``description`` ('' if it has none), markdown ``#``
    stripped."""
    text = description_text(node)
    for line in text.splitlines():
        if line.strip():
            return line.strip().lstrip("#").strip()
    return ""


def config_value(node: Any, key: str) -> Any:
    """``node[key]``, or None where the node has no such key or it cannot be resolved."""
    try:
        return node.get(key) if hasattr(node, "get") else None
    except Exception:  # a ListConfig or an unresolvable interpolation
        return None
