"""Read deriva-ml's public API from its source with ``ast`` (deriva-ml is never imported).

``read_api(src)`` returns what ``docs/deriva_ml_api.json`` holds: for each module path the
public names and where each is defined, and for each definition its kind and, for callables,
signatures written as Python parameter lists without annotations (``"(rid, *, version=None)"``).
"""

from __future__ import annotations

import ast
from pathlib import Path

# The packages whose ``__all__`` is deriva-ml's public API (171 names in v1.54.1). Left out:
# deriva_ml.core.mixins (DerivaML's internal base classes), deriva_ml.local_db (its internal
# cache engine) and deriva_ml.config (an AST linter for config files, used by AI skills).
PACKAGES = ("deriva_ml", "deriva_ml.asset", "deriva_ml.catalog", "deriva_ml.core",
            "deriva_ml.dataset", "deriva_ml.execution", "deriva_ml.experiment",
            "deriva_ml.model", "deriva_ml.schema")
# Modules below those packages that ported code imports from.
MODULES = ("deriva_ml.asset.aux_classes", "deriva_ml.core.definitions", "deriva_ml.core.enums",
           "deriva_ml.core.ermrest", "deriva_ml.core.exceptions", "deriva_ml.dataset.aux_classes",
           "deriva_ml.dataset.split", "deriva_ml.feature")

ENUM_BASES = {"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag"}
DATACLASS_DECORATORS = {"dataclass", "hydrated_dataclass"}
NOT_METHODS = {"property", "cached_property", "computed_field", "field_validator",
               "model_validator", "field_serializer", "model_serializer", "setter"}
NOT_EXPORTED = {"main", "logger"}  # module-level names of a module without __all__


def _decorator_names(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for d in node.decorator_list:
        d = d.func if isinstance(d, ast.Call) else d
        names.add(d.attr if isinstance(d, ast.Attribute) else getattr(d, "id", ""))
    return names


def signature(args: ast.arguments, drop_first: bool = False) -> str:
    """``args`` as ``"(a, b=1, *, c)"``: annotations removed, ``self``/``cls`` dropped."""
    args = ast.arguments(**{f: getattr(args, f) for f in args._fields})
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    for a in filter(None, every):
        a.annotation = None
    if drop_first:
        if args.posonlyargs:
            args.posonlyargs = args.posonlyargs[1:]
        else:
            args.args = args.args[1:]
    return f"({ast.unparse(args)})"


class Source:
    """deriva-ml's source tree under ``src`` (the folder holding ``deriva_ml/``)."""

    def __init__(self, src: Path):
        self.src = src
        self._trees: dict[str, ast.Module] = {}
        self.definitions: dict[str, dict] = {}

    def path(self, module: str) -> Path | None:
        base = self.src.joinpath(*module.split("."))
        for candidate in (base / "__init__.py", base.with_suffix(".py")):
            if candidate.is_file():
                return candidate
        return None

    def tree(self, module: str) -> ast.Module:
        if module not in self._trees:
            self._trees[module] = ast.parse(self.path(module).read_text(), module)
        return self._trees[module]

    def public_names(self, module: str) -> list[str]:
        """``__all__``, or else the classes, functions and constants the module defines."""
        body = self.tree(module).body
        for node in body:
            if isinstance(node, ast.Assign) and any(
                    getattr(t, "id", "") == "__all__" for t in node.targets):
                return [e.value for e in node.value.elts if not e.value.startswith("_")]
        defined = [n.name for n in body if isinstance(n, ast.ClassDef | ast.FunctionDef)]
        defined += [t.id for n in body if isinstance(n, ast.Assign) for t in n.targets
                    if isinstance(t, ast.Name)]
        return [n for n in defined if not n.startswith("_") and n not in NOT_EXPORTED]

    def _absolute(self, module: str, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module
        package = module if self.path(module).name == "__init__.py" else \
            module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        return f"{package}.{node.module}" if node.module else package

    def resolve(self, module: str, name: str) -> str:
        """Where ``name`` of ``module`` is defined, as ``"module.name"``; records its spec."""
        origin = f"{module}.{name}"
        if not module.startswith("deriva_ml") or self.path(module) is None:
            self.definitions.setdefault(origin, {"kind": "external"})
            return origin
        tree = self.tree(module)
        for node in tree.body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name == name:
                if origin not in self.definitions:
                    self.definitions[origin] = self._spec(module, node)
                return origin
        for node in tree.body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None and any(
                    getattr(t, "id", "") == name for t in _targets(node)):
                if isinstance(node.value, ast.Name):  # an alias: follow it
                    return self.resolve(module, node.value.id)
                self.definitions.setdefault(origin, _constant(node.value))
                return origin
        # Imports: at the top level first, then anywhere (TYPE_CHECKING, lazy __getattr__).
        imports = [n for n in tree.body if isinstance(n, ast.ImportFrom)]
        imports += [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        for node in imports:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    return self.resolve(self._absolute(module, node), alias.name)
        raise LookupError(f"{name} not found in {module}")

    def _spec(self, module: str, node: ast.ClassDef | ast.FunctionDef) -> dict:
        if isinstance(node, ast.FunctionDef):
            return {"kind": "function", "signature": signature(node.args)}
        spec: dict = {"kind": "class"}
        mro = self._mro(module, node)
        if any(isinstance(c, str) and c in ENUM_BASES for c in mro):
            spec["members"] = {t.id: _literal_text(n.value) for n in node.body
                               if isinstance(n, ast.Assign) for t in n.targets
                               if isinstance(t, ast.Name) and not t.id.startswith("_")}
            return spec
        classes = [c for c in mro if not isinstance(c, str)]
        init = next((f for c in classes for f in c.body
                     if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
        if init is not None:
            spec["signature"] = signature(init.args, drop_first=True)
        elif "BaseModel" in mro or any(_decorator_names(c) & DATACLASS_DECORATORS
                                       for c in classes):
            pydantic = "BaseModel" in mro  # else a dataclass: only dataclass bases add fields
            spec["signature"] = _fields_signature(
                [c for c in classes if pydantic or _decorator_names(c) & DATACLASS_DECORATORS],
                keyword_only=pydantic)
        methods: dict[str, str] = {}
        for c in classes:
            for f in c.body:
                if (isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
                        and (not f.name.startswith("_") or f.name == "__call__")
                        and not _decorator_names(f) & NOT_METHODS):
                    static = "staticmethod" in _decorator_names(f)
                    methods.setdefault(f.name, signature(f.args, drop_first=not static))
        if methods:
            spec["methods"] = dict(sorted(methods.items()))
        return spec

    def _mro(self, module: str, node: ast.ClassDef) -> list[ast.ClassDef | str]:
        """The class and its bases, depth first: in-package classes as nodes, others by name."""
        out: list[ast.ClassDef | str] = [node]
        for base in node.bases:
            base = base.value if isinstance(base, ast.Subscript) else base
            if isinstance(base, ast.Attribute):
                out.append(base.attr)
                continue
            if not isinstance(base, ast.Name):
                continue
            try:
                origin = self.resolve(module, base.id)
            except LookupError:
                out.append(base.id)
                continue
            owner, _, cls_name = origin.rpartition(".")
            found = [n for n in self.tree(owner).body if isinstance(n, ast.ClassDef)
                     and n.name == cls_name] if self.path(owner) else []
            out.extend(self._mro(owner, found[0]) if found else [cls_name])
        return out


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def _literal_text(node: ast.expr) -> str | None:
    try:
        return repr(ast.literal_eval(node))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _constant(value: ast.expr) -> dict:
    text = _literal_text(value)
    return {"kind": "constant", "value": text} if text is not None else {"kind": "constant"}


def _fields_signature(classes: list[ast.ClassDef], keyword_only: bool) -> str:
    """The constructor of a pydantic model or dataclass, from its annotated fields."""
    fields: dict[str, str | None] = {}
    for c in reversed(classes):  # bases first, so subclasses override
        for n in c.body:
            if (isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)
                    and not n.target.id.startswith("_")
                    and "ClassVar" not in ast.unparse(n.annotation)):
                fields[n.target.id] = _field_default(n.value)
    params = [name if default is None else f"{name}={default}" for name, default in fields.items()]
    return f"({'*, ' if keyword_only and params else ''}{', '.join(params)})"


def _field_default(value: ast.expr | None) -> str | None:
    """The default of a field as source text; ``None`` when the field is required."""
    if value is None:
        return None
    if isinstance(value, ast.Call) and getattr(value.func, "id", "") in ("Field", "field"):
        positional = value.args[:1] if value.func.id == "Field" else []
        given = positional or [k.value for k in value.keywords if k.arg == "default"]
        if given:
            return None if isinstance(given[0], ast.Constant) and given[0].value is ... \
                else ast.unparse(given[0])
        factory = [k.value for k in value.keywords if k.arg == "default_factory"]
        return ast.unparse(ast.Call(factory[0], [], [])) if factory else None
    return ast.unparse(value)


def read_api(src: Path, packages: tuple[str, ...] = PACKAGES,
             modules: tuple[str, ...] = MODULES) -> dict:
    """deriva-ml's public names per module path, and a spec for each definition."""
    source = Source(src)
    api: dict = {}
    for group, paths in (("packages", packages), ("modules", modules)):
        api[group] = {m: {n: source.resolve(m, n) for n in sorted(source.public_names(m))}
                      for m in paths}
    used = {o for group in ("packages", "modules") for names in api[group].values()
            for o in names.values()}
    api["definitions"] = {o: source.definitions[o] for o in sorted(used)}
    return api
