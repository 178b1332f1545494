"""``%%derivaml`` (start a run of the notebook's config) and ``%derivaml <command>``
(run, status, upload, datasets, executions, compare, configs, pick, help)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

from ..core.errors import DerivaMLException, DerivaMLValidationError

COMMANDS = ("run", "status", "upload", "datasets", "executions", "compare", "configs", "pick",
            "help")
# command -> the options it takes (argparse names)
OPTIONS = {"run": {"host", "catalog", "words"}, "datasets": {"host", "catalog"},
           "executions": {"host", "catalog", "status"}, "pick": {"config_name"},
           "compare": {"host", "catalog", "words", "diff"}}


@contextlib.contextmanager
def _as_usage_errors() -> Iterator[None]:
    """Show a ``DerivaMLException`` as IPython's short ``UsageError`` (no traceback); the
    cell still fails, so a notebook run stops there."""
    try:
        yield
    except DerivaMLException as exc:
        raise UsageError(str(exc)) from None


_FLAGS = {"config_name": "--config", "words": "other arguments"}
_OPTION_NAMES = ("host", "catalog", "status", "config_name", "words", "diff")


def _parse_status(text: str | None) -> Any:
    """The ``Status`` spelt ``text`` (any case; value or name), or None."""
    from ..core.definitions import Status

    if text is None:
        return None
    for name, status in Status.__members__.items():
        if text.lower() in (name.lower(), status.value.lower()):
            return status
    raise DerivaMLValidationError(
        f"Unknown execution status {text!r}; use one of "
        f"{', '.join(dict.fromkeys(s.value for s in Status))}.")


@magics_class
class DerivaMLMagics(Magics):
    """The ``%derivaml`` line magic and the ``%%derivaml`` cell magic."""

    @property
    def _ns(self) -> dict[str, Any]:
        return self.shell.user_ns

    @magic_arguments("%derivaml")
    @argument("words", nargs="*", metavar="CONFIG_NAME|OVERRIDE",
              help="notebook config (default: the notebook's file name), then Hydra "
                   "overrides such as datasets=training")
    @argument("--host", help="catalog host (overrides deriva_ml.hostname)")
    @argument("--catalog", help="catalog id (overrides deriva_ml.catalog_id)")
    @cell_magic("derivaml")
    def derivaml_cell(self, line: str, cell: str) -> None:
        """Start a run of a notebook config, like ``run_notebook(config_name, overrides)``:
        ``ml``, ``execution`` and ``config`` go into the namespace. The cell body may hold
        more overrides, one or more a line, ``#`` starting a comment.

        Example::

            %%derivaml my_analysis datasets=training_data
            threshold=0.8   # stricter than the default
        """
        args = parse_argstring(self.derivaml_cell, line)
        self._start(args.words, args.host, args.catalog, cell)

    def _start(self, words: list[str], host: str | None, catalog: str | None,
               body: str = "") -> None:
        """Start a run: ``words`` are an optional config name then overrides."""
        from .runs import connection_overrides, parse_overrides, start_run

        config_name = words[0] if words and "=" not in words[0] else None
        overrides = words[1:] if config_name else list(words)
        with _as_usage_errors():
            overrides += parse_overrides(body) + connection_overrides(host, catalog)
            display(start_run(self._ns, config_name, overrides))

    @magic_arguments("derivaml")
    @argument("command", choices=COMMANDS, help="what to do")
    @argument("words", nargs="*", metavar="ARGS",
              help="run: [CONFIG_NAME] [OVERRIDE ...]; compare: EXECUTION_RID ...")
    @argument("--host", help="run, datasets, executions: catalog host (default: ml's)")
    @argument("--catalog", help="run, datasets, executions: catalog id (default: ml's)")
    @argument("--status", help="executions: only those with this status, e.g. Running")
    @argument("--config", dest="config_name", help="pick: notebook config to run")
    @argument("--diff", action="store_true", help="compare: only the rows that differ")
    @line_magic("derivaml")
    def derivaml_line(self, line: str) -> Any:
        """Start, inspect and finish DerivaML runs: ``run`` is the one-line ``%%derivaml``;
        ``status`` and ``upload`` act on the namespace's ``execution``; ``datasets`` and
        ``executions`` return tables (DataFrames) of the catalog's listings, newest
        executions first; ``compare RID RID ...`` puts executions side by side (config,
        metrics, inputs, outputs; ``--diff``: only what differs); ``configs`` lists the project's
        config options; ``pick`` shows the config picker; ``help`` shows this.
        """
        args = parse_argstring(self.derivaml_line, line)
        given = {name for name in _OPTION_NAMES if getattr(args, name)}
        unused = given - OPTIONS.get(args.command, set())
        if unused:
            flags = ", ".join(_FLAGS.get(n, f"--{n}") for n in sorted(unused))
            raise UsageError(f"%derivaml {args.command} does not take {flags}.")
        with _as_usage_errors():
            return getattr(self, f"_{args.command}")(args)

    def _run(self, args: Any) -> None:
        self._start(args.words, args.host, args.catalog)

    def _help(self, args: Any) -> None:
        """Both magics' usage, as ``%derivaml?`` and ``%%derivaml?`` would show it."""
        print(self.derivaml_line.__doc__)
        print(self.derivaml_cell.__doc__)

    def _status(self, args: Any) -> None:
        from .runs import namespace_run, status_summary

        display(status_summary(*namespace_run(self._ns)))

    def _upload(self, args: Any) -> None:
        from .runs import namespace_run, upload

        display(upload(namespace_run(self._ns)[1]))

    def _datasets(self, args: Any) -> Any:
        from .project import connect_ml

        return connect_ml(self._ns.get("ml"), args.host, args.catalog).find_datasets(
            ).to_dataframe()

    def _executions(self, args: Any) -> Any:
        from .project import connect_ml

        status = _parse_status(args.status)
        return connect_ml(self._ns.get("ml"), args.host, args.catalog).find_executions(
            status=status, sort=True).to_dataframe()

    def _compare(self, args: Any) -> Any:
        from .project import connect_ml

        if len(args.words) < 2:
            raise DerivaMLValidationError(
                "Give two or more execution RIDs: %derivaml compare 1-AB12 1-AB14 [--diff].")
        return connect_ml(self._ns.get("ml"), args.host, args.catalog).compare_executions(
            args.words, only_differences=args.diff)

    def _configs(self, args: Any) -> Any:
        import pandas as pd

        from .project import NOTEBOOK_CONFIG_GROUP, config_options, load_project, notebook_configs

        load_project()
        groups = {**config_options(), NOTEBOOK_CONFIG_GROUP: notebook_configs()}
        return pd.DataFrame(
            [{"Group": group, "Option": option, "Description": description}
             for group, options in groups.items() for option, description in options.items()],
            columns=["Group", "Option", "Description"])

    def _pick(self, args: Any) -> None:
        from .widgets import config_picker

        display(config_picker(args.config_name, namespace=self._ns))
