"""Console script ``deriva-ml-run-notebook``: run a notebook with papermill and record it.

The notebook's first cell calls ``run_notebook()``, which starts an execution and writes its RID
to the file named by ``DERIVA_ML_SAVE_EXECUTION_RID``. Afterwards this runner uploads the
executed notebook and a Markdown rendering of it as ``Notebook_Output`` execution assets.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..config.run_notebook import (
    ENV_NOTEBOOK_PATH,
    ENV_OVERRIDES,
    ENV_SAVE_RID,
    load_project_configs,
)
from ..core.definitions import DRY_RUN_RID, ExecAssetType, Status
from ..core.errors import DerivaMLException, DerivaMLValidationError

PROG = "deriva-ml-run-notebook"


class DerivaMLNotebookError(DerivaMLException):
    """A notebook that cannot be run, or that did not record an execution."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Run a Jupyter notebook with papermill, record it as a DerivaML execution "
                    "and upload the executed notebook and its Markdown rendering.",
        epilog="Example: deriva-ml-run-notebook notebooks/analysis.ipynb assets=weights "
               "-p threshold 0.7")
    p.add_argument("notebook", help="the notebook (.ipynb) to run")
    p.add_argument("overrides", nargs="*", default=[],
                   help="Hydra overrides (key=value) passed to run_notebook() in the notebook")
    p.add_argument("-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   default=[], help="papermill parameter (value coerced to int, float or str)")
    p.add_argument("-f", "--file", help="papermill parameters from a .json or .yaml file "
                                        "(-p values win)")
    p.add_argument("-k", "--kernel", help="Jupyter kernel (default: the one of this environment)")
    p.add_argument("--inspect", action="store_true",
                   help="print the notebook's papermill parameters and exit")
    p.add_argument("--info", "--list-configs", dest="info", action="store_true",
                   help="print the available config groups and choices and exit")
    p.add_argument("--cfg", nargs="?", const="job", choices=["job", "hydra", "all"],
                   help="print the composed notebook config (the job config) and exit")
    p.add_argument("--log-output", action="store_true",
                   help="stream cell outputs to the terminal while the notebook runs")
    p.add_argument("--allow-dirty", action="store_true",
                   help="allow uncommitted changes in the git work tree")
    p.add_argument("--host", help="catalog host (override deriva_ml.hostname)")
    p.add_argument("--catalog", help="catalog id (override deriva_ml.catalog_id)")
    return p


def check_notebook(path: str | Path) -> Path:
    """The notebook as an absolute path; error if it is not an existing ``.ipynb`` file."""
    path = Path(path).expanduser()
    if path.suffix != ".ipynb":
        raise DerivaMLNotebookError(
            f"{path} is not a notebook: {PROG} runs .ipynb files (convert scripts with "
            "jupytext, or run Python models with deriva-ml-run).")
    if not path.is_file():
        raise DerivaMLNotebookError(f"Notebook {path} does not exist; check the path.")
    return path.resolve()


def check_overrides(overrides: list[str]) -> list[str]:
    """Hydra overrides must look like ``key=value`` (or ``~key``)."""
    for token in overrides:
        if "=" not in token and not token.startswith("~"):
            raise DerivaMLValidationError(
                f"{token!r} looks like a positional argument, but {PROG} expects Hydra "
                f"overrides in key=value form after the notebook. Did you mean: "
                f"assets={token} or +experiment={token} ?")
    return overrides


def _overrides(args: argparse.Namespace) -> list[str]:
    overrides = list(args.overrides)
    if args.host:
        overrides.append(f"deriva_ml.hostname={args.host}")
    if args.catalog:
        overrides.append(f"deriva_ml.catalog_id={args.catalog}")
    return check_overrides(overrides)


@contextlib.contextmanager
def _environment(values: dict[str, str | None]) -> Iterator[None]:
    """Set (or, for None, remove) environment variables for the duration of the block."""
    saved = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


# --------------------------------------------------------------------------- info modes


def show_configs(notebook: Path, overrides: list[str], cfg_mode: str | None) -> None:
    """Print the config menu (``cfg_mode`` None) or the notebook's composed config.

    Nothing runs and the catalog is not contacted.
    """
    load_project_configs(notebook.parent)
    if cfg_mode is None:
        from hydra_zen import store

        from ..config.menu import format_config_menu

        store.add_to_hydra_store(overwrite_ok=True)
        print(format_config_menu(PROG))
        print(f"Notebook config used by {notebook.name}: {notebook.stem}")
        return
    from ..config.notebook import render_notebook_config

    print(render_notebook_config(notebook.stem, overrides), end="")


# --------------------------------------------------------------------------- running


def _papermill_logging(enabled: bool) -> None:
    if not enabled:
        return
    logger = logging.getLogger("papermill")
    if not any(getattr(h, "_derivaml", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._derivaml = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def execute(notebook: Path, output: Path, parameters: dict[str, Any], kernel: str,
            log_output: bool) -> str | None:
    """Run the notebook with papermill in ``kernel`` (whatever kernel and language its
    metadata names, if any); return the error text if it raised, else None."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .kernels import kernel_language

    _papermill_logging(log_output)
    try:
        papermill.execute_notebook(
            str(notebook), str(output), parameters=parameters, kernel_name=kernel,
            language=kernel_language(kernel), log_output=log_output,
            progress_bar=not log_output, cwd=str(notebook.parent))
    except PapermillExecutionError as exc:
        return f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # kernel died, timeout, ...: keep what was executed
        return f"{type(exc).__name__}: {exc}"
    return None


def _read_execution_file(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None
    return data if data.get("execution_rid") else None


def record_outputs(info: dict[str, Any], executed: Path, error: str | None) -> int:
    """Upload the executed notebook and its Markdown to the execution; print a summary."""
    from ..ml import DerivaML
    from .notebook_markdown import notebook_to_markdown

    rid = info["execution_rid"]
    kwargs = {"working_dir": info["ml_working_dir"]} if info.get("ml_working_dir") else {}
    ml = DerivaML(info["hostname"], info["catalog_id"], **kwargs)
    exe = ml.restore_execution(rid)
    uploaded: dict[str, list] = {}
    upload_error = None
    try:
        if executed.is_file():
            markdown = notebook_to_markdown(executed, executed.with_suffix(".md"))
            for path in (executed, markdown):
                exe.asset_file_path("Execution_Asset", path,
                                    asset_types=[ExecAssetType.notebook_output.value])
        _register_hydra_log(exe, info.get("hydra_run_dir"))
        if error is not None:
            if _status(ml, exe, rid) == Status.running.value:
                exe.execution_stop()  # records stop time and duration
            exe.update_status(Status.failed, f"Notebook failed: {error}")
        uploaded = exe.upload_execution_outputs() or {}
    except Exception as exc:
        if error is None:
            raise
        upload_error = f"{type(exc).__name__}: {exc}"  # never mask the notebook's own error
    print(f"Execution {rid}: {_status(ml, exe, rid)}")
    print(f"  View it at {ml.catalog.url_for(rid)}, or run: derivaml execution {rid} "
          f"--host {ml.hostname} --catalog {ml.catalog_id}")
    files = [f"{table}: {Path(str(f)).name}" for table, items in uploaded.items() for f in items]
    if files:
        print("  Uploaded files:")
        for line in files:
            print(f"    {line}")
    print(f"  Executed notebook: {executed}")
    if error is not None:
        print(f"Error: the notebook raised {error}", file=sys.stderr)
        print(f"  The executed notebook (with the error) is {executed}", file=sys.stderr)
        if upload_error:
            print(f"  Uploading its outputs also failed: {upload_error}", file=sys.stderr)
        return 1
    return 0


def _register_hydra_log(exe: Any, run_dir: str | None) -> None:
    """Stage the Hydra job's ``notebook.log`` (complete only now) as Hydra_Config metadata."""
    log_file = Path(run_dir) / "notebook.log" if run_dir else None
    if log_file is None or not log_file.is_file() or log_file.stat().st_size == 0:
        return
    exe.asset_file_path("Execution_Metadata", log_file,
                        asset_types=[ExecAssetType.hydra_config.value], copy_file=True,
                        rename_file=f"hydra-{log_file.parent.name}-notebook.log")


def _status(ml: Any, exe: Any, rid: str) -> str:
    for get in (lambda: exe.status, lambda: ml.lookup_execution(rid).status):
        try:
            value = get()
        except Exception:
            continue
        if value:
            return str(getattr(value, "value", value))
    return "unknown"


def run(args: argparse.Namespace) -> int:
    from .kernels import check_kernel, detect_kernel
    from .notebook_params import (
        collect_parameters,
        notebook_parameters,
        unknown_parameters,
        unknown_parameters_warning,
    )

    notebook = check_notebook(args.notebook)
    if args.inspect:
        from .notebook_params import format_parameters

        print(format_parameters(notebook_parameters(notebook)))
        return 0
    overrides = _overrides(args)
    if args.info or args.cfg:
        show_configs(notebook, overrides, args.cfg if not args.info else None)
        return 0

    parameters = collect_parameters(args.parameter, args.file)
    known = notebook_parameters(notebook)
    unknown = unknown_parameters(parameters, known)
    if unknown:
        print(unknown_parameters_warning(unknown, known), file=sys.stderr)
    kernel = check_kernel(args.kernel) if args.kernel else detect_kernel()

    workdir = Path(tempfile.mkdtemp(prefix="deriva-ml-notebook-"))
    executed = workdir / notebook.name
    rid_file = workdir / "execution.json"
    env = {
        ENV_NOTEBOOK_PATH: str(notebook),
        ENV_OVERRIDES: json.dumps(overrides) if overrides else None,
        ENV_SAVE_RID: str(rid_file),
    }
    if args.allow_dirty:
        env["DERIVA_ML_ALLOW_DIRTY"] = "true"
    with _environment(env):
        error = execute(notebook, executed, parameters, kernel, args.log_output)

    info = _read_execution_file(rid_file)
    if info is None:
        if error:
            print(f"Error: the notebook raised {error}", file=sys.stderr)
        print(f"Error: {notebook.name} never called run_notebook(), so no execution was "
              f"recorded and nothing was uploaded. Call `ml, execution, config = run_notebook()` "
              f"in its first code cell. The executed notebook is {executed}", file=sys.stderr)
        return 1
    if info["execution_rid"] == DRY_RUN_RID:
        print(f"Dry run: nothing was recorded in the catalog. Executed notebook: {executed}")
        if error:
            print(f"Error: the notebook raised {error}", file=sys.stderr)
        return 1 if error else 0
    return record_outputs(info, executed, error)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``deriva-ml-run-notebook``."""
    parser = build_parser()
    args = parser.parse_intermixed_args(argv)
    try:
        return run(args)
    except DerivaMLException as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
