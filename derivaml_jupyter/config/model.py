"""``create_model_config`` and ``run_model``: run a model function as a tracked execution."""

from __future__ import annotations

import functools
import inspect
import logging
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from hydra_zen import builds

from ..execution.configuration import ExecutionConfiguration
from .groups import STANDARD_GROUPS
from .groups import hydra_defaults as make_defaults
from .hydra_job import current_hydra_job, describe_run
from .sweep import join_sweep_parent

if TYPE_CHECKING:
    from ..execution.workflow import Workflow

ALLOW_DIRTY_ENV = "DERIVA_ML_ALLOW_DIRTY"
log = logging.getLogger("derivaml")


def run_model(
    deriva_ml: Any,
    datasets: Iterable[Any],
    assets: Iterable[Any],
    description: str,
    workflow: Workflow,
    model_config: Callable[..., Any],
    dry_run: bool = False,
    ml_class: type | None = None,
    script_config: Callable[..., Any] | None = None,
) -> str:
    """Run ``model_config(ml_instance=ml, execution=exe)`` inside a new execution.

    Connects with ``(ml_class or DerivaML).instantiate(deriva_ml)``, records the datasets,
    assets, description (with the command-line overrides) and config choices, runs the
    model, then uploads what it wrote with ``execution.asset_file_path`` (not in a dry run).
    ``script_config``, when set, runs instead of ``model_config``. In a dry run, as in
    deriva-ml, the model is not run and a script is called with ``execution=None`` (to print
    a preview). In a Hydra multirun every job's execution is nested under one parent
    execution. Returns the execution RID.
    """
    ml = (ml_class or _default_ml_class()).instantiate(deriva_ml)
    job = current_hydra_job()
    runner = model_config if script_config is None else script_config
    _point_workflow_at(workflow, runner)

    parent = None
    if job.multirun and not dry_run and job.sweep_dir is not None:
        parent = join_sweep_parent(job.sweep_dir, ml, deriva_ml, workflow, description)
    execution = ml.create_execution(
        ExecutionConfiguration(
            workflow=workflow,
            datasets=list(datasets or []),
            assets=list(assets or []),
            description=describe_run(description, job),
            config_choices=job.choices,
        ),
        dry_run=dry_run,
    )
    if parent is not None:
        _link(parent, execution, job.num)
    try:
        with execution as exe:
            if not dry_run:
                runner(ml_instance=ml, execution=exe)
            elif script_config is not None:
                script_config(ml_instance=ml, execution=None)
            else:
                print("Dry run: inputs downloaded, nothing recorded in the catalog; the model "
                      "is not run in a dry run.")
    except BaseException:
        if not dry_run:
            _upload_partial_outputs(execution)
        raise
    if not dry_run:
        _report_upload(ml, execution.execution_rid, execution.upload_execution_outputs())
    return execution.execution_rid


def create_model_config(
    ml_class: type | None = None,
    description: str = "Model execution",
    hydra_defaults: list | None = None,
) -> Any:
    """The top-level config of ``deriva-ml-run``: ``builds(run_model, ...)`` wired to the
    groups deriva_ml, datasets, assets, workflow and model_config.

    Example::

        store(create_model_config(DerivaML, description="My model"), name="deriva_model")
    """
    return builds(
        run_model,
        description=description,
        ml_class=ml_class,
        populate_full_signature=True,
        hydra_defaults=hydra_defaults or make_defaults(STANDARD_GROUPS),
        zen_dataclass={"cls_name": "DerivaModelConfig"},
    )


def _default_ml_class() -> type:
    from ..ml import DerivaML

    return DerivaML


def model_source_file(model: Any) -> str | None:
    """The source file of the function a model config wraps (through partials/decorators)."""
    target = model
    while isinstance(target, functools.partial):
        target = target.func
    target = inspect.unwrap(target)
    if not (inspect.isfunction(target) or inspect.isclass(target) or inspect.ismethod(target)):
        target = type(target)
    try:
        return inspect.getsourcefile(target)
    except TypeError:
        return None


def _point_workflow_at(workflow: Workflow, model: Any) -> None:
    """Provenance is the model's source file, not the CLI that resolved the config."""
    source = model_source_file(model)
    if source:
        workflow.source_path = source
    if os.environ.get(ALLOW_DIRTY_ENV, "").lower() in ("1", "true", "yes"):
        workflow.allow_dirty = True


def _link(parent: Any, child: Any, sequence: int) -> None:
    """Nest a sweep job under the sweep's parent; a failure to link does not stop the job."""
    try:
        parent.add_nested_execution(child, sequence=sequence)
    except Exception as e:  # the run itself matters more than its place in the sweep
        log.warning("Could not nest execution %s under %s: %s: %s", child.execution_rid,
                    parent.execution_rid, type(e).__name__, e)


def _upload_partial_outputs(execution: Any) -> None:
    """Upload what a failed model wrote; an upload error is logged, never masking the model's
    own error."""
    try:
        execution.upload_execution_outputs()
    except Exception as e:  # the model's failure is the one to report
        log.error("Uploading the outputs of failed execution %s failed too: %s: %s",
                  execution.execution_rid, type(e).__name__, e)


def _report_upload(ml: Any, execution_rid: str, uploaded: dict[str, list]) -> None:
    total = sum(len(files) for files in uploaded.values())
    print(f"Execution {execution_rid}: Uploaded (see it with: derivaml execution "
          f"{execution_rid} --host {ml.hostname} --catalog {ml.catalog_id})")
    print(f"Committed {total} asset(s) to catalog:")
    for table, files in uploaded.items():
        print(f"  {table}: {len(files)}")
