"""Papermill parameters: inspect a notebook's ``parameters`` cell, coerce ``-p`` values, load
``--file`` parameter files."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from ..core.errors import DerivaMLValidationError


class DerivaMLParameterError(DerivaMLValidationError):
    """A bad notebook parameter or parameter file."""


def coerce_value(text: str) -> int | float | str:
    """``-p`` value as int if it parses, else float, else the string itself."""
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def notebook_parameters(notebook: str | Path) -> dict[str, dict[str, Any]]:
    """The parameters declared in the notebook's papermill ``parameters`` cell.

    Each value has ``name``, ``inferred_type_name``, ``default`` and ``help``; empty if the
    notebook has no cell tagged ``parameters``. A notebook without kernelspec metadata (as
    jupytext and plain nbformat write them) is read as Python.
    """
    from papermill.iorw import load_notebook_node
    from papermill.translators import papermill_translators
    from papermill.utils import find_first_tagged_cell_index

    try:
        nb = load_notebook_node(str(notebook))
    except Exception as exc:  # unreadable JSON, wrong nbformat...
        raise DerivaMLParameterError(f"Cannot read notebook {notebook}: {exc}") from None
    index = find_first_tagged_cell_index(nb, "parameters")
    if index < 0:
        return {}
    translator = papermill_translators.find_translator(
        nb.metadata.get("kernelspec", {}).get("name"), _notebook_language(nb))
    return {p.name: p._asdict() for p in translator.inspect(nb.cells[index])}


def _notebook_language(nb: Any, default: str = "python") -> str:
    """The notebook's language from its metadata, else ``default``."""
    return (nb.metadata.get("language_info", {}).get("name")
            or nb.metadata.get("kernelspec", {}).get("language") or default)


def _type_name(p: dict[str, Any]) -> str:
    """Declared type, else the type of the default literal (papermill only reads annotations)."""
    kind = p.get("inferred_type_name")
    if kind and kind != "None":
        return str(kind)
    try:
        return type(ast.literal_eval(str(p.get("default")))).__name__
    except (ValueError, SyntaxError, TypeError):
        return "unknown"


def format_parameters(params: dict[str, dict[str, Any]]) -> str:
    """One ``name: type (default value)`` line per parameter."""
    if not params:
        return ("The notebook has no papermill parameters cell "
                "(tag a code cell 'parameters' to declare some).")
    lines = []
    for name, p in params.items():
        line = f"{name}: {_type_name(p)} (default {p.get('default')})"
        if p.get("help"):
            line += f"  # {p['help']}"
        lines.append(line)
    return "\n".join(lines)


def load_parameter_file(path: str | Path) -> dict[str, Any]:
    """Read a ``.json`` or ``.yaml``/``.yml`` file holding a mapping of parameter values."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".yaml", ".yml"):
        raise DerivaMLParameterError(
            f"Parameter file {path} must be a .json or .yaml file; rename it or convert it.")
    if not path.is_file():
        raise DerivaMLParameterError(f"Parameter file {path} does not exist; check the path.")
    text = path.read_text(encoding="utf-8")
    try:
        if suffix == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # json.JSONDecodeError, yaml.YAMLError
        raise DerivaMLParameterError(f"Cannot parse parameter file {path}: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DerivaMLParameterError(
            f"Parameter file {path} must hold a mapping of name: value, "
            f"not a {type(data).__name__}.")
    return {str(k): v for k, v in data.items()}


def collect_parameters(
    pairs: list[tuple[str, str]] | list[list[str]] | None, file: str | Path | None
) -> dict[str, Any]:
    """Merge the ``--file`` values with ``-p NAME VALUE`` pairs (``-p`` wins on conflicts)."""
    params: dict[str, Any] = load_parameter_file(file) if file else {}
    for name, value in pairs or []:
        params[name] = coerce_value(value)
    return params


def unknown_parameters(params: dict[str, Any], known: dict[str, Any]) -> list[str]:
    """Names in ``params`` that the notebook's parameters cell does not declare."""
    return [name for name in params if name not in known]


def unknown_parameters_warning(unknown: list[str], known: dict[str, Any]) -> str:
    """The warning printed for parameters papermill will inject although nothing declares them."""
    names = ", ".join(repr(n) for n in unknown)
    if not known:
        return (f"Warning: the notebook has no 'parameters' cell, so papermill will inject "
                f"{names} at the top without defaults. Tag a cell 'parameters' to declare them.")
    return (f"Warning: parameter(s) {names} are not in the notebook's parameters cell "
            f"(known: {', '.join(known)}); papermill will inject them anyway. Check the "
            f"spelling or run with --inspect.")
