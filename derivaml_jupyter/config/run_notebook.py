"""``run_notebook()``: the first cell of a DerivaML notebook.

Resolves the notebook's hydra-zen config (with the overrides of ``deriva-ml-run-notebook``),
connects to the catalog and starts an execution; the notebook ends with
``execution.upload_execution_outputs()``.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import os
import sys
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from ..core.errors import DerivaMLNotFound, DerivaMLValidationError

ENV_NOTEBOOK_PATH = "DERIVA_ML_NOTEBOOK_PATH"
ENV_OVERRIDES = "DERIVA_ML_HYDRA_OVERRIDES"
ENV_SAVE_RID = "DERIVA_ML_SAVE_EXECUTION_RID"
_PATH_VARIABLES = (ENV_NOTEBOOK_PATH, "PAPERMILL_INPUT_PATH", "JPY_SESSION_NAME")


def current_notebook_path() -> Path | None:
    """The running notebook, from the runner's environment or Jupyter's ``JPY_SESSION_NAME``."""
    for var in _PATH_VARIABLES:
        value = os.environ.get(var)
        if value and value.endswith(".ipynb"):
            path = Path(value).expanduser()
            if not path.is_absolute() and not path.exists() and (Path.cwd() / path.name).exists():
                path = Path.cwd() / path.name  # Jupyter may give a path relative to its root
            return path.resolve() if path.exists() else path
    return None


def find_project_src(start: str | Path | None = None, config_package: str = "configs"
                     ) -> Path | None:
    """Walk up from ``start`` (default: cwd) to the first ``src`` folder holding the configs."""
    here = Path(start or Path.cwd()).expanduser().resolve()
    if here.is_file():
        here = here.parent
    relative = Path(*config_package.split("."))
    for folder in (here, *here.parents):
        if (folder / "src" / relative).is_dir():
            return folder / "src"
        if (folder / relative / "__init__.py").is_file():
            return folder
    return None


def add_project_src(start: str | Path | None = None, config_package: str = "configs"
                    ) -> Path | None:
    """Put the project's ``src`` folder first on ``sys.path`` (if found) and return it."""
    src = find_project_src(start, config_package)
    if src is not None and str(src) not in sys.path:
        sys.path.insert(0, str(src))
    return src


def env_overrides() -> list[str]:
    """Hydra overrides passed by ``deriva-ml-run-notebook`` (a JSON list in the environment)."""
    raw = os.environ.get(ENV_OVERRIDES)
    if not raw:
        return []
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DerivaMLValidationError(
            f"{ENV_OVERRIDES} must be a JSON list of override strings, got {raw!r}.") from exc
    if not isinstance(value, list):
        raise DerivaMLValidationError(f"{ENV_OVERRIDES} must be a JSON list, got {raw!r}.")
    return [str(v) for v in value]


def load_project_configs(start: str | Path | None = None, config_package: str = "configs"
                         ) -> list[str]:
    """Make the project's ``src`` importable (searching up from ``start``) and load its configs."""
    add_project_src(start, config_package)
    try:
        from . import load_configs
    except ImportError:  # package __init__ without the re-export
        from .discovery import load_configs
    return load_configs(config_package)


def _resolve(config_name: str, overrides: list[str]) -> tuple[Any, str | None, dict[str, str]]:
    """``(config, hydra run dir, config choices)`` of the notebook config."""
    from .notebook import resolve_notebook_config

    result = resolve_notebook_config(config_name, overrides)
    if isinstance(result, tuple):
        cfg, run_dir, choices = (*result, None, None)[:3]
    else:
        cfg, run_dir, choices = result, None, None
    run_dir = run_dir or _hydra_run_dir(cfg)
    choices = choices or getattr(cfg, "config_choices", None) or {}
    return cfg, str(run_dir) if run_dir else None, dict(choices)


@contextlib.contextmanager
def _quiet_console_logging() -> Iterator[None]:
    """Drop the console handlers Hydra's job logging adds to the root logger.

    Log records then go to the Hydra job's ``notebook.log`` only, instead of filling the
    notebook's outputs with INFO lines of every library.
    """
    root = logging.getLogger()
    before = set(root.handlers)
    try:
        yield
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            if isinstance(handler, logging.StreamHandler) and \
                    not isinstance(handler, logging.FileHandler):
                root.removeHandler(handler)


def _fields(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    if isinstance(obj, Mapping):
        return dict(obj)
    if hasattr(obj, "__dataclass_fields__"):
        return {k: getattr(obj, k) for k in obj.__dataclass_fields__}
    return dict(vars(obj))


# Inside ``names_must_exist()`` a notebook config named explicitly must be registered and a
# local catalog must exist: no fallback config, no new catalog for a misspelt name.
_NAMES_MUST_EXIST: ContextVar[bool] = ContextVar("derivaml_names_must_exist", default=False)


@contextlib.contextmanager
def names_must_exist() -> Iterator[None]:
    """Make ``run_notebook`` refuse unknown config names and missing local catalogs (the
    magics use it: a name typed by hand is more likely misspelt than new)."""
    token = _NAMES_MUST_EXIST.set(True)
    try:
        yield
    finally:
        _NAMES_MUST_EXIST.reset(token)


def _check_registered(config_name: str) -> None:
    from .notebook import BASE_CONFIG_NAME, list_notebook_configs

    known = [n for n in list_notebook_configs() if n != BASE_CONFIG_NAME]
    if config_name not in known:
        raise DerivaMLNotFound(
            f"There is no notebook config {config_name!r} in this project. Known: "
            f"{', '.join(known) or 'none'}. Register it with notebook_config("
            f"{config_name!r}, ...) in src/configs, or leave the name out to use the "
            "notebook's own.")


def connect(ml_class: Any, deriva_ml: Any, hydra_run_dir: str | None) -> Any:
    """Instantiate ``ml_class`` from the ``deriva_ml`` config fields it accepts."""
    fields = _fields(deriva_ml)
    if not fields.get("hostname"):
        raise DerivaMLValidationError(
            "The notebook config has no deriva_ml.hostname: register a default_deriva entry in "
            "the deriva_ml group, or pass deriva_ml.hostname=... as an override.")
    if _NAMES_MUST_EXIST.get():
        from ..catalog.connect import require_existing

        require_existing(fields["hostname"], str(fields.get("catalog_id") or "default"))
    fields["hydra_runtime_output_dir"] = fields.get("hydra_runtime_output_dir") or hydra_run_dir
    params = inspect.signature(ml_class).parameters
    if not any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        fields = {k: v for k, v in fields.items() if k in params}
    return ml_class(**{k: v for k, v in fields.items() if v is not None or k == "hostname"})


def _hydra_run_dir(cfg: Any) -> str | None:
    for holder in (cfg, getattr(cfg, "deriva_ml", None)):
        for attr in ("hydra_runtime_output_dir", "hydra_run_dir"):
            value = getattr(holder, attr, None)
            if value:
                return str(value)
    return None


def _description(cfg: Any, config_name: str, overrides: list[str]) -> str:
    text = getattr(cfg, "description", None) or f"Execution of {config_name}"
    shown = [o for o in overrides if not o.startswith("description=")]
    return f"{text} [overrides: {', '.join(shown)}]" if shown else text


def write_execution_file(path: str | Path, ml: Any, execution: Any,
                         hydra_run_dir: str | None) -> Path:
    """Write where the runner finds the execution: host, catalog, RID and directories.

    ``working_dir`` is the execution's folder; ``ml_working_dir`` the DerivaML working
    directory the runner reconnects with (so it sees the same staged files).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workflow = getattr(getattr(execution, "configuration", None), "workflow", None)
    data = {
        "hostname": ml.hostname,
        "catalog_id": str(ml.catalog_id),
        "execution_rid": execution.execution_rid,
        "working_dir": str(getattr(execution, "working_dir", "") or ""),
        "ml_working_dir": str(ml.working_dir),
        "hydra_run_dir": hydra_run_dir,
        "workflow_rid": getattr(workflow, "workflow_rid", None),
    }
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def run_notebook(
    config_name: str | None = None,
    overrides: list[str] | None = None,
    workflow_name: str | None = None,
    workflow_type: str = "Analysis Notebook",
    ml_class: type | None = None,
    config_package: str = "configs",
) -> tuple[Any, Any, Any]:
    """Resolve the notebook's config, connect and start an execution: ``(ml, execution, config)``.

    ``config_name`` defaults to the notebook's file name without ``.ipynb``. Overrides given by
    ``deriva-ml-run-notebook`` come first, then ``overrides``. The returned execution is
    running; end the notebook with ``execution.upload_execution_outputs()``.

    Example (first code cell)::

        ml, execution, config = run_notebook("my_analysis")
    """
    notebook = current_notebook_path()
    explicit = config_name is not None
    if config_name is None:
        if notebook is None:
            raise DerivaMLValidationError(
                "config_name is required when run_notebook() cannot tell which notebook is "
                "running: pass the name of the notebook config, e.g. "
                "run_notebook('my_analysis').")
        config_name = notebook.stem
    load_project_configs(notebook.parent if notebook else None, config_package)
    if explicit and _NAMES_MUST_EXIST.get():
        _check_registered(config_name)
    all_overrides = env_overrides() + list(overrides or [])
    with _quiet_console_logging():
        cfg, hydra_run_dir, choices = _resolve(config_name, all_overrides)

    if ml_class is None:
        from ..ml import DerivaML as ml_class
    from ..execution.configuration import ExecutionConfiguration

    ml = connect(ml_class, cfg.deriva_ml, hydra_run_dir)
    description = _description(cfg, config_name, all_overrides)
    workflow = ml.create_workflow(
        name=workflow_name or config_name.replace("_", " ").title(),
        workflow_type=workflow_type,
        description=getattr(cfg, "description", None) or f"Running {config_name}",
    )
    workflow.is_notebook = True
    workflow.source_path = str(notebook) if notebook else None
    if os.environ.get("DERIVA_ML_ALLOW_DIRTY", "").lower() == "true":
        workflow.allow_dirty = True
    execution = ml.create_execution(
        ExecutionConfiguration(
            workflow=workflow,
            datasets=list(getattr(cfg, "datasets", None) or []),
            assets=list(getattr(cfg, "assets", None) or []),
            description=description,
            config_choices=choices,
        ),
        dry_run=bool(getattr(cfg, "dry_run", False)),
    )
    execution.__enter__()
    if os.environ.get(ENV_SAVE_RID):
        write_execution_file(os.environ[ENV_SAVE_RID], ml, execution, hydra_run_dir)
    return ml, execution, cfg
