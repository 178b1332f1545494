"""The catalog references in hydra-zen config files, read without running them (``ast``):
every ``DatasetSpecConfig(...)``, ``AssetSpecConfig(...)``, ``Workflow(...)`` and
``DerivaMLConfig(...)`` call — also inside ``with_description(...)``, as
``builds(DatasetSpec, ...)`` or ``store(DerivaMLConfig, ...)`` — with its ``rid`` (a
workflow's ``workflow_rid``), ``version``, ``hostname``, ``catalog_id`` and ``cache``.
A ``rid=NAME`` is resolved when the module assigns ``NAME = "<string>"`` at top level."""

from __future__ import annotations

import ast
import os
import tokenize
from dataclasses import dataclass

KINDS = ("DatasetSpecConfig", "AssetSpecConfig", "Workflow", "DerivaMLConfig")
#: Spec classes ``builds``/``store`` may name, as the config kind they stand for.
_SPEC_KINDS = {**{k: k for k in KINDS}, "DatasetSpec": "DatasetSpecConfig",
               "AssetSpec": "AssetSpecConfig"}


@dataclass(frozen=True)
class ConfigEntry:
    """One constructor call found in a config file (``line`` 1-based, ``col`` 0-based).
    ``rid`` is None when it is not a string the file spells out."""

    file: str
    line: int
    col: int
    entry_kind: str
    rid: str | None = None
    version: str | None = None
    hostname: str | None = None
    catalog_id: str | None = None
    cache: bool | None = None
    snippet: str | None = None


@dataclass(frozen=True)
class ConfigFileParseError:
    """A config file that could not be read or parsed."""

    file: str
    line: int | None
    message: str


def parse_config_file(path: str | os.PathLike[str]
                      ) -> tuple[list[ConfigEntry], ConfigFileParseError | None]:
    """The entries of one file, or the reason it could not be parsed (never raises)."""
    file = os.fspath(path)
    try:
        with tokenize.open(file) as handle:
            source = handle.read()
        tree = ast.parse(source, filename=file)
    except (OSError, SyntaxError) as e:
        message = (e.msg if isinstance(e, SyntaxError) else None) or str(e)
        return [], ConfigFileParseError(file, getattr(e, "lineno", None), message)
    constants = {target.id: stmt.value.value for stmt in tree.body
                 if isinstance(stmt, ast.Assign | ast.AnnAssign)
                 and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)
                 for target in (stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target])
                 if isinstance(target, ast.Name)}
    lines = source.splitlines()
    entries, claimed = [], set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or id(node) in claimed:
            continue
        kind, call = _classify(node)
        if kind is None:
            continue
        claimed.add(id(call))
        entries.append(_entry(file, kind, call, constants, lines))
    return sorted(entries, key=lambda e: (e.line, e.col)), None


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None


def _classify(node: ast.Call) -> tuple[str | None, ast.Call]:
    """The config kind of a call and the call holding its fields."""
    name = _name(node.func)
    if name in KINDS:
        return name, node
    if name == "with_description" and node.args and isinstance(node.args[0], ast.Call):
        return _classify(node.args[0])
    if node.args:  # builds(DatasetSpec, rid=...), store(DerivaMLConfig, hostname=...)
        kind = _SPEC_KINDS.get(_name(node.args[0]))
        if kind is not None:
            return kind, node
    return None, node


def _entry(file: str, kind: str, call: ast.Call, constants: dict[str, str],
           lines: list[str]) -> ConfigEntry:
    kwargs = {k.arg: k.value for k in call.keywords if k.arg}

    def text(key: str) -> str | None:
        value = kwargs.get(key)
        if isinstance(value, ast.Name):
            return constants.get(value.id)
        if isinstance(value, ast.Constant) and isinstance(value.value, str | int) \
                and not isinstance(value.value, bool):
            return str(value.value)
        return None

    cache = kwargs.get("cache")
    return ConfigEntry(
        file, call.lineno, call.col_offset, kind,
        rid=text("workflow_rid" if kind == "Workflow" else "rid"), version=text("version"),
        hostname=text("hostname"), catalog_id=text("catalog_id"),
        cache=cache.value if isinstance(cache, ast.Constant) and isinstance(cache.value, bool)
        else None,
        snippet=lines[call.lineno - 1].strip()[:200] if call.lineno <= len(lines) else None)
