"""How an object here differs from a deriva-ml definition (a spec of ``deriva_ml_api.json``).

Signatures there are parameter lists without annotations (``"(rid, *, version=None)"``);
here they come from ``inspect``. Ported code calls with deriva-ml's arguments, so a difference
is anything such a call would trip on: a missing parameter, another positional order, another
default, a parameter required only here, a missing method or enum member.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import enum
import inspect

P = inspect.Parameter
POSITIONAL = (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)


@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "pos", "kw", "*", "**"
    default: str | None  # source text; None when required


def parse(signature: str) -> list[Param]:
    """``"(a, b=1, *args, c, **kw)"`` as ``Param``s."""
    args = ast.parse(f"def f{signature}: pass").body[0].args
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + args.defaults
    params = [Param(a.arg, "pos", d and ast.unparse(d)) for a, d in zip(positional, defaults)]
    if args.vararg:
        params.append(Param(args.vararg.arg, "*", None))
    params += [Param(a.arg, "kw", d and ast.unparse(d))
               for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    if args.kwarg:
        params.append(Param(args.kwarg.arg, "**", None))
    return params


def show(value: object) -> str:
    """A repr that is the same on every run (no memory addresses)."""
    text = repr(value.value if isinstance(value, enum.Enum) else value)
    return f"<{type(value).__name__}>" if " at 0x" in text else text


def _literal(text: str) -> tuple[bool, object]:
    try:
        return True, ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _equal(a: object, b: object) -> bool:
    try:
        return bool(a == b)
    except Exception:  # noqa: BLE001 - e.g. array comparisons: treat as different
        return False


def signature_differences(theirs: str, ours: inspect.Signature) -> list[str]:
    """What a call written for ``theirs`` would trip on with ``ours``."""
    params = [p for p in parse(theirs) if not p.name.startswith("_")]
    here = {n: p for n, p in ours.parameters.items() if not n.startswith("_")}
    kinds = {p.kind for p in here.values()}
    names = {p.name for p in params}
    theirs_pos = [p.name for p in params if p.kind == "pos"]
    ours_pos = [n for n, p in here.items() if p.kind in POSITIONAL]
    # Same position, another name (both required, or similar names): positional calls work.
    required_there = {p.name for p in params if p.default is None}
    renamed = {t: o for t, o in zip(theirs_pos, ours_pos) if t not in here and o not in names
               and ((t in required_there and here[o].default is P.empty)
                    or difflib.SequenceMatcher(None, t, o).ratio() >= 0.6)}
    out = [f"`{t}` is `{o}` here" for t, o in renamed.items()]
    named = [p for p in params if p.kind in ("pos", "kw")]
    missing = [p.name for p in named if p.name not in here and p.name not in renamed]
    if missing and P.VAR_KEYWORD not in kinds:
        out.append("no parameter " + ", ".join(f"`{m}`" for m in missing))
    keyword_only = [n for n in theirs_pos if n in here and here[n].kind is P.KEYWORD_ONLY]
    if keyword_only:
        out.append("keyword-only here: " + ", ".join(f"`{n}`" for n in keyword_only))
    if any(n in here and n in ours_pos and ours_pos.index(n) != i
           for i, n in enumerate(theirs_pos)):
        out.append(f"positional order: deriva-ml ({', '.join(theirs_pos)}), "
                   f"here ({', '.join(ours_pos)})")
    for p in named:
        if p.default is None or p.name not in here:
            continue
        default = here[p.name].default
        if default is P.empty:
            out.append(f"`{p.name}` required here (deriva-ml default {p.default})")
            continue
        literal, value = _literal(p.default)
        if literal and not _equal(value, default):
            out.append(f"`{p.name}` defaults to {show(default)} here (deriva-ml: {p.default})")
    required = [n for n, p in here.items() if p.default is P.empty and n not in names
                and p.kind not in (P.VAR_POSITIONAL, P.VAR_KEYWORD)
                and n not in renamed.values()]
    if required:
        out.append("requires " + ", ".join(f"`{n}`" for n in required) + " (not in deriva-ml)")
    if any(p.kind == "*" for p in params) and P.VAR_POSITIONAL not in kinds:
        out.append("no `*args`")
    if any(p.kind == "**" for p in params) and P.VAR_KEYWORD not in kinds:
        out.append("no `**kwargs`")
    return out


def _signature(obj: object, drop_self: bool = False) -> inspect.Signature | None:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return None
    if drop_self:
        sig = sig.replace(parameters=list(sig.parameters.values())[1:])
    return sig


def _constructor(cls: type) -> inspect.Signature | None:
    """``cls``'s signature, dataclass default factories called (``[]``, not ``<factory>``)."""
    sig = _signature(cls)
    if sig is None and issubclass(cls, BaseException):  # Exception.__init__: (*args)
        return inspect.Signature([P("args", P.VAR_POSITIONAL)])
    if sig is None or not dataclasses.is_dataclass(cls):
        return sig
    factories = {f.name: f.default_factory for f in dataclasses.fields(cls)
                 if f.default_factory is not dataclasses.MISSING}
    return sig.replace(parameters=[p.replace(default=factories[p.name]()) if p.name in factories
                                   else p for p in sig.parameters.values()])


def _method_differences(cls: type, methods: dict[str, str]) -> list[str]:
    out, missing = [], []
    for name, theirs in methods.items():
        static = inspect.getattr_static(cls, name, None)
        if static is None:
            missing.append(name)
        elif isinstance(static, property):
            out.append(f"`{name}` is a property here")
        else:
            plain = inspect.isfunction(static)
            sig = _signature(getattr(cls, name), drop_self=plain)
            if sig is not None and (d := signature_differences(theirs, sig)):
                out.append(f"`{name}()`: " + "; ".join(d))
    if missing:
        out.insert(0, f"no method{'s' if len(missing) > 1 else ''} (of {len(methods)}): "
                   + ", ".join(f"`{m}`" for m in missing))
    return out


def _member_differences(ours: object, members: dict[str, str | None]) -> list[str]:
    here = getattr(ours, "__members__", {})
    out = []
    missing = [m for m in members if m not in here]
    if missing:
        out.append("no member " + ", ".join(f"`{m}`" for m in missing))
    for m, text in members.items():
        literal, value = _literal(text) if text else (False, None)
        if m in here and literal and not _equal(here[m].value, value):
            out.append(f"`{m}` is {show(here[m].value)} here (deriva-ml: {text})")
    return out


def definition_differences(spec: dict, ours: object) -> list[str]:
    """How ``ours`` differs from the deriva-ml definition ``spec``."""
    kind = spec["kind"]
    if kind == "function":
        if not callable(ours):
            return ["not callable here"]
        sig = _signature(ours)
        return signature_differences(spec["signature"], sig) if sig else []
    if kind == "constant":
        literal, value = _literal(spec["value"]) if "value" in spec else (False, None)
        if literal and not _equal(ours, value):
            return [f"is {show(ours)} here (deriva-ml: {spec['value']})"]
        return []
    if kind != "class":
        return []
    if not isinstance(ours, type):
        return ["not a class here"]
    out = _member_differences(ours, spec["members"]) if "members" in spec else []
    if "signature" in spec and (sig := _constructor(ours)) is not None:
        out += signature_differences(spec["signature"], sig)
    return out + _method_differences(ours, spec.get("methods", {}))
