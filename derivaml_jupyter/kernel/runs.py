"""What a ``%%derivaml`` cell and the picker's Run button do, and the summaries the
magics display."""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field
from html import escape
from typing import Any

from ..core.errors import DerivaMLException, DerivaMLValidationError

NO_EXECUTION = ("No execution in the notebook's namespace: run a %%derivaml cell (or "
                "ml, execution, config = run_notebook(...)) first.")


@dataclass
class Summary:
    """A title and ``(label, value)`` rows: an HTML table in Jupyter, plain text elsewhere."""

    title: str
    rows: list[tuple[str, str]] = field(default_factory=list)

    def __repr__(self) -> str:
        width = max((len(label) for label, _ in self.rows), default=0)
        return "\n".join([self.title, *(f"  {k:<{width}}  {v}" for k, v in self.rows)])

    def _repr_html_(self) -> str:
        cells = "".join(f"<tr><th style='text-align:left'>{escape(k)}</th>"
                        f"<td style='text-align:left'>{escape(v)}</td></tr>"
                        for k, v in self.rows)
        return f"<b>{escape(self.title)}</b><table>{cells}</table>"


def parse_overrides(text: str) -> list[str]:
    """Overrides written in a cell body: separated by white space or new lines, quoted like
    in a shell, ``#`` starting a comment."""
    try:
        return shlex.split(text, comments=True)
    except ValueError as exc:
        raise DerivaMLValidationError(f"Cannot read the overrides {text!r}: {exc}.") from None


def connection_overrides(host: str | None, catalog: str | None) -> list[str]:
    """``--host`` / ``--catalog`` as ``deriva_ml`` overrides."""
    return ([f"deriva_ml.hostname={host}"] if host else []) + \
        ([f"deriva_ml.catalog_id={catalog}"] if catalog else [])


def start_run(namespace: dict[str, Any], config_name: str | None,
              overrides: list[str]) -> Summary:
    """``run_notebook(config_name, overrides=overrides)``, then ``ml``, ``execution`` and
    ``config`` go into ``namespace``; returns the run's summary.

    Configuration errors, Hydra's included, raise ``DerivaMLException``; so do a config
    name that is not registered and a local catalog that does not exist (nothing is made).
    """
    from ..config.run_notebook import names_must_exist, run_notebook
    from ..core.definitions import Status
    from ..execution.execution import Execution

    previous = namespace.get("execution")
    try:
        with names_must_exist():
            ml, execution, config = run_notebook(config_name, overrides=overrides)
    except DerivaMLException:
        raise
    except Exception as exc:
        if _is_config_error(exc):
            name = config_name or "of this notebook"
            raise DerivaMLValidationError(f"Cannot compose config {name}: {exc}") from exc
        raise
    namespace.update(ml=ml, execution=execution, config=config)
    summary = run_summary(ml, execution, config)
    if isinstance(previous, Execution) and not previous.dry_run and \
            previous.status is Status.running:
        previous.update_status(Status.aborted, f"Replaced by execution "
                               f"{execution.execution_rid} (the cell was run again)")
        staged = len(previous.manifest.pending())
        summary.rows.append(("Note", f"the previous execution {previous.execution_rid} was "
                                     "still Running: it is now Aborted" + (
            f"; its {staged} staged file(s) stay in {previous.working_dir} (upload them with "
            f"ml.restore_execution({previous.execution_rid!r}).upload_execution_outputs())"
            if staged else "")))
    return summary


def _is_config_error(exc: Exception) -> bool:
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    return isinstance(exc, HydraException | OmegaConfBaseException)


def _inputs(ml: Any, execution: Any) -> tuple[list[str], list[str]]:
    """``(datasets, assets)`` of an execution as recorded in the catalog (configured, for a
    dry run)."""
    if execution.dry_run:
        config = execution.configuration
        return ([f"{d.rid} ({d.version or 'current'})" for d in config.datasets],
                [getattr(a, "rid", None) or f"{a.path} (local file)" for a in config.assets])
    inputs = ml.lookup_execution(execution.execution_rid).inputs
    return ([f"{d['rid']} ({d['version']})" for d in inputs["datasets"]],
            [f"{row['RID']} ({table})" for table, rows in inputs["assets"].items()
             for row in rows])


def run_summary(ml: Any, execution: Any, config: Any) -> Summary:
    """Execution RID and status, catalog, config choices and inputs of a started run."""
    datasets, assets = _inputs(ml, execution)
    choices = getattr(config, "config_choices", None) or {}
    workflow = execution.configuration.workflow
    if execution.workflow_rid:  # the recorded one: the same code reuses its first name
        workflow = ml.lookup_workflow(execution.workflow_rid)
    return Summary(f"Execution {execution.execution_rid}", [
        ("Status", execution.status.value + (" (dry run)" if execution.dry_run else "")),
        ("Workflow", f"{getattr(workflow, 'name', '') or ''}" + (
            f" ({execution.workflow_rid})" if execution.workflow_rid else "")),
        ("Catalog", f"{ml.hostname} / {ml.catalog_id}"),
        ("Config", ", ".join(f"{k}={v}" for k, v in choices.items())),
        ("Datasets", ", ".join(datasets) or "none"),
        ("Assets", ", ".join(assets) or "none"),
    ])


def namespace_run(namespace: dict[str, Any]) -> tuple[Any, Any]:
    """``(ml, execution)`` of the namespace; a clear error without them."""
    from ..execution.execution import Execution
    from ..ml import DerivaML

    ml, execution = namespace.get("ml"), namespace.get("execution")
    if not isinstance(execution, Execution) or not isinstance(ml, DerivaML):
        raise DerivaMLValidationError(NO_EXECUTION)
    return ml, execution


def status_summary(ml: Any, execution: Any) -> Summary:
    """Status, progress message and staged output files of ``execution``."""
    detail = "" if execution.dry_run else \
        ml.lookup_execution(execution.execution_rid).status_detail or ""
    pending = [f"{e.table}: {e.path} ({e.state})" for e in execution.manifest.pending()]
    done = len(execution.manifest.entries) - len(pending)
    return Summary(f"Execution {execution.execution_rid}", [
        ("Status", execution.status.value), ("Detail", detail),
        ("Staged outputs", "; ".join(pending) or "none"),
        ("Uploaded outputs", f"{done} file(s)"),
    ])


def upload(execution: Any) -> Summary:
    """``execution.upload_execution_outputs()`` and what it uploaded."""
    result = execution.upload_execution_outputs(progress=False)
    files = [f"{table}: {path.name}" for table, paths in result.items() for path in paths]
    return Summary(f"Execution {execution.execution_rid}", [
        ("Status", execution.status.value),
        ("Uploaded", f"{len(files)} file(s)" + (": " + "; ".join(files) if files else "")),
    ])
