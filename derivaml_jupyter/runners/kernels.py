"""Jupyter kernels of the current Python environment: detect one, check one, install one."""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

from ..core.errors import DerivaMLException, DerivaMLNotFound

INSTALL_HINT = ("Run `deriva-ml-install-kernel` to install a kernel for this environment, "
                "or pass --kernel NAME.")
# jupyter_client launches these argv[0] values with its own sys.executable.
_RELATIVE_PYTHONS = {"python", f"python{sys.version_info[0]}",
                     "python{}.{}".format(*sys.version_info[:2])}


class DerivaMLKernelError(DerivaMLException):
    """No usable Jupyter kernel, or an unknown kernel name."""


class DerivaMLKernelNotFound(DerivaMLKernelError, DerivaMLNotFound):
    """A ``--kernel`` name that is not installed."""


def kernel_specs() -> dict[str, dict]:
    """Installed kernelspecs: name -> ``{"resource_dir": ..., "spec": {...}}``."""
    from jupyter_client.kernelspec import KernelSpecManager

    return KernelSpecManager().get_all_specs()


def _prefixes() -> list[str]:
    out = []
    for p in (sys.prefix, os.path.realpath(sys.prefix)):
        p = os.path.normcase(os.path.abspath(p))
        if p not in out:
            out.append(p)
    return out


def _inside_prefix(path: str) -> bool:
    path = os.path.normcase(os.path.abspath(path))
    return any(path == p or path.startswith(p + os.sep) for p in _prefixes())


def kernel_interpreter(spec: dict) -> str | None:
    """The Python executable a kernelspec launches (``sys.executable`` for bare ``python``)."""
    argv = spec.get("argv") or []
    if not argv:
        return None
    return sys.executable if argv[0] in _RELATIVE_PYTHONS else argv[0]


def _installed_list(specs: dict[str, dict]) -> str:
    if not specs:
        return "no kernels are installed"
    return "installed kernels: " + ", ".join(
        f"{name} ({kernel_interpreter(s.get('spec', {})) or '?'})" for name, s in sorted(
            specs.items()))


def detect_kernel() -> str:
    """Name of an installed kernel that runs this environment's Python.

    Prefers a kernelspec whose argv interpreter lies inside ``sys.prefix``; falls back to
    ``python3`` when that spec launches our own interpreter.
    """
    specs = kernel_specs()
    for name in sorted(specs):
        argv = specs[name].get("spec", {}).get("argv") or []
        if argv and argv[0] not in _RELATIVE_PYTHONS and _inside_prefix(argv[0]):
            return name
    if "python3" in specs:
        exe = kernel_interpreter(specs["python3"].get("spec", {}))
        if exe and _inside_prefix(exe):
            return "python3"
    raise DerivaMLKernelError(
        f"No Jupyter kernel runs the Python of this environment ({sys.prefix}); "
        f"{_installed_list(specs)}. {INSTALL_HINT}")


def kernel_language(name: str) -> str:
    """The language of installed kernel ``name`` (``python`` when its spec does not say)."""
    return kernel_specs().get(name, {}).get("spec", {}).get("language") or "python"


def check_kernel(name: str) -> str:
    """Return ``name`` if such a kernel is installed, else raise a helpful error."""
    specs = kernel_specs()
    if name not in specs:
        raise DerivaMLKernelNotFound(
            f"Jupyter kernel {name!r} is not installed; {_installed_list(specs)}. "
            f"Pass one of those with --kernel, or run `deriva-ml-install-kernel --name {name}` "
            f"to install a kernel for this environment.")
    return name


def default_kernel_name() -> str:
    """Kernel name for this environment: the venv prompt (pyvenv.cfg) or the project folder."""
    prompt = None
    cfg = Path(sys.prefix) / "pyvenv.cfg"
    if cfg.is_file():
        for line in cfg.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition("=")
            if key.strip() == "prompt" and value.strip():
                prompt = value.strip().strip("'\"")
    if not prompt:
        prefix = Path(sys.prefix)
        prompt = prefix.parent.name if prefix.name in (".venv", "venv", "env") else prefix.name
    name = re.sub(r"[^a-z0-9._-]+", "-", prompt.lower()).strip("-")
    return name or "python3"


def install_kernel(
    name: str | None = None,
    display_name: str | None = None,
    *,
    user: bool = False,
    prefix: str | None = None,
) -> tuple[str, str, str]:
    """Install a kernelspec for this environment; return ``(name, display_name, location)``.

    Default location is ``sys.prefix`` (the venv); ``user=True`` installs in the user's Jupyter
    data dir; ``prefix`` installs under another prefix.
    """
    from ipykernel import kernelspec

    name = name or default_kernel_name()
    if re.search(r"[^A-Za-z0-9._-]", name):
        raise DerivaMLKernelError(
            f"Kernel name {name!r} may only hold letters, digits, '.', '_' and '-'.")
    display_name = display_name or f"Python ({name})"
    if not user and prefix is None:
        prefix = sys.prefix
    location = kernelspec.install(user=user, kernel_name=name, display_name=display_name,
                                  prefix=None if user else prefix)
    return name, display_name, location


def install_kernel_main(argv: list[str] | None = None) -> int:
    """``deriva-ml-install-kernel [--name N] [--display-name D] [--user|--sys-prefix]``."""
    parser = argparse.ArgumentParser(
        prog="deriva-ml-install-kernel",
        description="Install a Jupyter kernel that runs this environment's Python, so "
                    "deriva-ml-run-notebook and Jupyter can use it.")
    parser.add_argument("--name", help="kernel name (default: from the environment's name)")
    parser.add_argument("--display-name", help="name shown in Jupyter (default: 'Python (<name>)')")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true",
                       help="install in your user Jupyter directory")
    where.add_argument("--sys-prefix", action="store_true",
                       help="install inside this environment (default)")
    where.add_argument("--prefix", help=argparse.SUPPRESS)  # e.g. tests: a scratch prefix
    args = parser.parse_args(argv)
    try:
        name, display, location = install_kernel(
            args.name, args.display_name, user=args.user, prefix=args.prefix)
    except DerivaMLException as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    print(f"Installed Jupyter kernel '{name}' with display name '{display}' in {location} "
          f"(Python: {sys.executable})")
    return 0
