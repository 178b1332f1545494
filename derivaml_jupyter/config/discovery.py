"""Config discovery: import every module of the project's ``configs`` package.

Each module registers its configs with the hydra-zen ``store`` as a side effect of being
imported. Modules load alphabetically, subpackages first (recursively), and a module named
``experiments`` last because experiments refer to configs defined elsewhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

from ..core.errors import DerivaMLException

LAST_MODULE = "experiments"


class ConfigDiscoveryError(DerivaMLException):
    """The configs package cannot be found or imported."""


def load_configs(package_name: str = "configs") -> list[str]:
    """Import every module of ``package_name`` and return their full names in import order.

    Raises ``ConfigDiscoveryError`` if the package is missing or is a folder without an
    ``__init__.py``. Errors raised by a config module itself propagate unchanged.
    """
    try:
        package = importlib.import_module(package_name)
    except ModuleNotFoundError as e:
        if e.name is None or not package_name.startswith(e.name):
            raise
        raise ConfigDiscoveryError(
            f"Config package {package_name!r} not found. Put your configs in "
            f"src/{package_name.replace('.', '/')}/ with an __init__.py, and run from the "
            "project root (or pass --config-dir)."
        ) from None
    _require_regular_package(package)
    return _load_package(package)


def _require_regular_package(package: ModuleType) -> None:
    if getattr(package, "__file__", None) is None:
        where = ", ".join(getattr(package, "__path__", [])) or package.__name__
        raise ConfigDiscoveryError(
            f"Config directory {where} has no __init__.py; add one (it may be empty)."
        )


def _load_package(package: ModuleType) -> list[str]:
    loaded: list[str] = []
    plain: list[str] = []
    prefix = package.__name__ + "."
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        full_name = prefix + info.name
        if info.ispkg:
            sub = importlib.import_module(full_name)
            _require_regular_package(sub)
            loaded.append(full_name)
            loaded.extend(_load_package(sub))
        else:
            plain.append(info.name)
    plain.sort(key=lambda name: (name == LAST_MODULE, name))
    for name in plain:
        importlib.import_module(prefix + name)
        loaded.append(prefix + name)
    return loaded


def config_package_of(config_dir: str | Path) -> tuple[Path, str]:
    """Split a config directory into (the folder to put on ``sys.path``, the package name).

    ``src/configs`` -> (``<abs>/src``, ``configs``). Raises ``ConfigDiscoveryError`` if the
    folder does not exist or has no ``__init__.py``.
    """
    path = Path(config_dir).expanduser().resolve()
    if not path.is_dir():
        raise ConfigDiscoveryError(
            f"Config directory not found: {path}. Create it (with an __init__.py) or pass "
            "--config-dir <path to your configs package>."
        )
    if not (path / "__init__.py").is_file():
        raise ConfigDiscoveryError(
            f"Config directory {path} has no __init__.py; add one (it may be empty)."
        )
    return path.parent, path.name
