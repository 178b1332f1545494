"""Console script ``deriva-ml-run``: run a model function from hydra-zen configs as a
tracked execution.

Everything that is not one of the options below is forwarded to Hydra: overrides
(``model_config=quick``, ``model_config.epochs=5``, ``+experiment=x``) and Hydra flags
(``--cfg job``, ``--resolve``, ``--info defaults``...). Example::

    deriva-ml-run --info
    deriva-ml-run model_config=quick datasets=training dry_run=true
    deriva-ml-run +multirun=lr_sweep hydra/launcher=joblib
    deriva-ml-run --reproduce 1-ABCD     # run recorded execution 1-ABCD again as it ran
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..core.errors import DerivaMLException

PROG = "deriva-ml-run"
HYDRA_PASSTHROUGH = "all, config, defaults, defaults-tree, plugins, searchpath"


def build_parser() -> argparse.ArgumentParser:
    """The options of ``deriva-ml-run`` itself."""
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Run a model function configured with hydra-zen as a DerivaML execution. "
        "Other arguments are Hydra overrides (key=value) or Hydra flags (--cfg job...).",
    )
    p.add_argument("--config-dir", "-c", default="src/configs",
                   help="the configs package folder (default: src/configs)")
    p.add_argument("--config-name", default="deriva_model",
                   help="the top-level config to run (default: deriva_model)")
    p.add_argument("--info", "--list-configs", dest="list_configs", action="store_true",
                   help="list config groups, their options and named multiruns, then exit "
                   f"(--info {{{HYDRA_PASSTHROUGH}}} is Hydra's own --info)")
    p.add_argument("--multirun", "-m", action="store_true", help="run a Hydra sweep")
    p.add_argument("--host", help="catalog host (adds deriva_ml.hostname=...)")
    p.add_argument("--catalog", help="catalog id (adds deriva_ml.catalog_id=...)")
    p.add_argument("--allow-dirty", action="store_true",
                   help="run even if the model's git working tree has uncommitted changes")
    p.add_argument("--reproduce", metavar="RID",
                   help="run recorded execution RID again as it ran (its commit, overrides and "
                   "dataset versions) on the catalog of --host/--catalog, else of the "
                   "config's deriva_ml; takes no overrides")
    return p


def _split_hydra_info(argv: list[str]) -> tuple[list[str], list[str]]:
    """``--info <topic>`` is Hydra's flag and goes to Hydra; bare ``--info`` is ours."""
    from ..config.overrides import HYDRA_INFO_VALUES

    ours, hydras = [], []
    i = 0
    while i < len(argv):
        if argv[i] in ("--info", "-i") and i + 1 < len(argv) and argv[i + 1] in HYDRA_INFO_VALUES:
            hydras += argv[i:i + 2]
            i += 2
        else:
            ours.append(argv[i])
            i += 1
    return ours, hydras


def _prepare_import_path(config_dir: str) -> str:
    """Put ``<config_dir>/..`` (``src``) and the project root on ``sys.path`` (and on
    ``PYTHONPATH`` for launcher worker processes); return the configs package name."""
    from ..config.discovery import config_package_of

    src, package = config_package_of(config_dir)
    roots = [str(src), str(src.parent)]
    for root in reversed(roots):
        if root not in sys.path:
            sys.path.insert(0, root)
    existing = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(roots + ([existing] if existing else []))
    return package


def _expand_multiruns(overrides: list[str]) -> tuple[list[str], str | None]:
    """Replace ``+multirun=<name>`` by the named sweep's overrides; the user's own overrides
    of the same keys win. Returns the overrides and the sweep's description (or None)."""
    from ..config.multirun import get_multirun_config

    named = [o for o in overrides if o.lstrip("+").startswith("multirun=")]
    if not named:
        return overrides, None
    rest = [o for o in overrides if o not in named]
    user_keys = {o.split("=", 1)[0].lstrip("+~") for o in rest}
    expanded: list[str] = []
    descriptions = []
    for token in named:
        spec = get_multirun_config(token.split("=", 1)[1])
        expanded += [o for o in spec.overrides if o.split("=", 1)[0].lstrip("+~") not in user_keys]
        descriptions.append(spec.description)
    return expanded + rest, "\n\n".join(d for d in descriptions if d)


_INSPECT_FLAGS = ("--cfg", "-c", "--info", "-i", "--help", "-h", "--hydra-help",
                  "--shell-completion", "-sc")


def _first_value(override: str) -> str:
    """``k=a,b,c`` -> ``k=a`` (simple comma sweeps only), for showing one job of a sweep."""
    key, sep, value = override.partition("=")
    if not sep or any(c in value for c in "()[]{}'\""):
        return override
    return f"{key}={value.split(',')[0]}"


def _quote(text: str) -> str:
    return "'" + text.replace("'", "\\'") + "'"


def _plain_zen() -> type:
    """hydra-zen's ``Zen`` instantiating each field with ``_convert_="all"``, so a group
    stored as a plain list of specs (``store([DatasetSpecConfig(...)], ...)``) arrives as a
    list of objects instead of failing inside OmegaConf."""
    from hydra_zen import instantiate
    from hydra_zen.wrapper import Zen

    class PlainZen(Zen):
        def instantiate(self, __c: Any) -> Any:
            return instantiate(__c, _convert_="all",
                               _target_wrapper_=self._instantiation_wrapper)

    return PlainZen


def run(argv: list[str]) -> int:
    """Parse ``argv`` (without the program name) and run; return the exit code."""
    from hydra_zen import store, zen

    from ..config.discovery import load_configs
    from ..config.hydra_dirs import dir_overrides, new_run_dir, new_sweep_dir
    from ..config.menu import print_menu
    from ..config.model import ALLOW_DIRTY_ENV, run_model
    from ..config.overrides import split_hydra_flags, validate_overrides
    from ..config.registry import top_level_configs
    from ..config.sweep import FINALIZED_BY_CLI_ENV, finalize_sweep_parent

    argv, hydra_info = _split_hydra_info(argv)
    args, rest = build_parser().parse_known_args(argv)
    load_configs(_prepare_import_path(args.config_dir))
    store.add_to_hydra_store(overwrite_ok=True)
    if args.list_configs and not hydra_info:
        print_menu(PROG)
        return 0
    if args.reproduce:
        return _reproduce(args, rest)

    overrides, flags = split_hydra_flags(rest)
    overrides, sweep_description = _expand_multiruns(overrides)
    multirun = args.multirun or sweep_description is not None
    if sweep_description and not any(o.startswith("description=") for o in overrides):
        overrides.append(f"description={_quote(sweep_description)}")
    if args.host:
        overrides.append(f"deriva_ml.hostname={args.host}")
    if args.catalog:
        overrides.append(f"deriva_ml.catalog_id={args.catalog}")
    if args.config_name not in top_level_configs():
        raise DerivaMLException(
            f"No top-level config named {args.config_name!r}. Known: "
            f"{', '.join(top_level_configs()) or '(none)'}. Register it in your configs with "
            f"store(create_model_config(...), name={args.config_name!r})."
        )
    validate_overrides(overrides, config_name=args.config_name, program=PROG)

    if args.allow_dirty:
        os.environ[ALLOW_DIRTY_ENV] = "true"
    sweep_dir = new_sweep_dir("runs")
    placement = [o for o in [*dir_overrides(new_run_dir("runs"), sweep_dir), "hydra.job.name=model"]
                 if not any(u.startswith(o.split("=", 1)[0] + "=") for u in overrides)]
    inspect_only = bool(hydra_info) or any(f.split("=")[0] in _INSPECT_FLAGS for f in flags)
    if multirun and inspect_only:
        print("# Showing the first job of the sweep.", file=sys.stderr)
        overrides, multirun = [_first_value(o) for o in overrides], False
    if multirun:
        os.environ[FINALIZED_BY_CLI_ENV] = "1"
    sys.argv = [PROG, *(["--multirun"] if multirun else []), *hydra_info, *flags,
                *overrides, *placement]
    try:
        zen(run_model, ZenWrapper=_plain_zen()).hydra_main(
            config_name=args.config_name, version_base="1.3", config_path=None)
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 1
    finally:
        parent = finalize_sweep_parent(sweep_dir) if multirun else None
    if parent:
        print(f"Multirun parent execution: {parent}")
    return code


def _reproduce(args: argparse.Namespace, rest: list[str]) -> int:
    """``--reproduce RID``: on the catalog of ``--host``/``--catalog``, each defaulting to
    the config's ``deriva_ml``."""
    from ..ml import DerivaML
    from .reproduce import report_reproduction, reproduce

    if rest:
        raise DerivaMLException(
            f"--reproduce runs the overrides execution {args.reproduce} recorded, so it takes "
            f"none: drop {' '.join(rest)}.")
    host, catalog_id = args.host, args.catalog
    if not (host and catalog_id):
        from hydra import compose, initialize

        with initialize(version_base="1.3", config_path=None):
            connection = compose(config_name=args.config_name).deriva_ml
        host, catalog_id = host or connection.hostname, catalog_id or connection.catalog_id
    report_reproduction(reproduce(DerivaML(host, str(catalog_id)), args.reproduce))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``deriva-ml-run`` console script."""
    try:
        return run(list(sys.argv[1:] if argv is None else argv))
    except DerivaMLException as e:
        print(f"Error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
