"""Split a dataset into Training/Testing(/Validation) datasets, or draw a subsample of it,
with provenance: the new datasets are outputs of an execution that read the source.

``split_dataset`` makes a ``Split`` dataset whose nested children are the partitions::

    Split (type Split)
    +-- Training   (Training, Split_Partition, + training_types)
    +-- Validation (Validation, Split_Partition, + validation_types)   # with val_size
    +-- Testing    (Testing, Split_Partition, + testing_types)

The source is not nested anywhere: it is recorded as an input of the execution (at the
version current when it was read), the new datasets as its outputs, and the parameters as a
``split_config_*.json`` ``Execution_Config`` file of that execution. Members (and the columns
stratification reads) are read as they are now and ordered by RID, so a seed gives the same
split on any catalog.

Example::

    from derivaml.dataset.split import split_dataset

    with ml.create_execution(ExecutionConfiguration(workflow=workflow)) as exe:
        result = split_dataset(ml, "1-ABCD", exe, test_size=0.2, seed=42)
    exe.upload_execution_outputs()
    result.training.rid, result.testing.count
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..core.definitions import ML_SCHEMA, MLVocab
from ..core.errors import DerivaMLValidationError
from .selection import SelectionFunction, _resolve_sizes, random_split, stratified_split
from .split_plan import Plan, check_options, plan_partitions

if TYPE_CHECKING:
    from ..execution.execution import Execution
    from ..ml import DerivaML

__all__ = ["PartitionInfo", "SelectionFunction", "SplitResult", "SubsampleResult",
           "random_split", "split_dataset", "stratified_split", "subsample"]

log = logging.getLogger("derivaml")

DRY_RUN = "(dry run)"
SPLIT_WORKFLOW_TYPE = "Dataset_Split"
DATASET_TYPES = {
    "Training": "Data to train on.",
    "Testing": "Data to test on.",
    "Validation": "Data to validate on.",
    "Split": "A dataset whose children partition it.",
    "Labeled": "Elements carry labels.",
    "Unlabeled": "Elements carry no labels.",
    "Split_Partition": "A child of a Split dataset, made by split_dataset.",
    "Subsample": "A sample of another dataset, made by subsample.",
}


# -- results --------------------------------------------------------------------------------
class _Result:
    def model_dump(self) -> dict[str, Any]:
        """The result as a dict (as deriva-ml's pydantic result models give it)."""
        return asdict(self)

    def model_dump_json(self, indent: int | None = None) -> str:
        return json.dumps(self.model_dump(), indent=indent)


@dataclass(kw_only=True)
class PartitionInfo(_Result):
    """One created dataset: RID, version and number of members (``"(dry run)"`` RID and
    version in a dry run)."""

    rid: str
    version: str
    count: int


@dataclass(kw_only=True)
class SplitResult(_Result):
    """What ``split_dataset`` made (or, with ``dry_run``, would make)."""

    source: str
    split: PartitionInfo
    training: PartitionInfo
    testing: PartitionInfo
    validation: PartitionInfo | None = None
    strategy: str
    element_table: str
    seed: int
    dry_run: bool = False


@dataclass(kw_only=True)
class SubsampleResult(_Result):
    """What ``subsample`` made (or, with ``dry_run``, would make)."""

    source: str
    subsample: PartitionInfo
    strategy: str
    element_table: str
    seed: int
    dry_run: bool = False


# -- writing --------------------------------------------------------------------------------
def _check_terms(ml: DerivaML, dataset_types: list[str], execution: Execution | None,
                 workflow_type: str) -> None:
    """Raise before anything is written if a type the caller named does not exist."""
    for term in dataset_types:
        if term not in DATASET_TYPES:
            ml.lookup_term(MLVocab.dataset_type, term)
    if execution is None and workflow_type != SPLIT_WORKFLOW_TYPE:
        ml.lookup_term(MLVocab.workflow_type, workflow_type)
    if execution is not None and execution.dry_run:
        raise DerivaMLValidationError(
            "The execution is a dry run, which writes nothing to the catalog; pass "
            "dry_run=True to preview, or use an execution made without dry_run.")


def _ensure_dataset_types(ml: DerivaML) -> None:
    for name, description in DATASET_TYPES.items():
        ml.add_term(MLVocab.dataset_type, name, description=description)


def _in_execution(ml: DerivaML, execution: Execution | None, write: Callable[[Execution], Any],
                  *, workflow: str, workflow_type: str, description: str) -> Any:
    """``write(execution)`` in the caller's execution, or in one of its own (recorded,
    stopped and uploaded here) when ``execution`` is None."""
    if execution is not None:
        return write(execution)
    from ..execution.configuration import ExecutionConfiguration

    if workflow_type == SPLIT_WORKFLOW_TYPE:
        ml.add_term(MLVocab.workflow_type, SPLIT_WORKFLOW_TYPE,
                    description="Splitting or sampling datasets.")
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow(name=workflow, workflow_type=workflow_type,
                                    description=f"{workflow} (derivaml.dataset.split)"),
        description=description))
    with exe:
        result = write(exe)
    exe.upload_execution_outputs(progress=False)
    return result


def _record_input(ml: DerivaML, execution: Execution, plan: Plan) -> None:
    """The source, at the version read, as an input of ``execution``."""
    version_rid = ml.dataset_version_record(plan.source, plan.version)["RID"]
    ml.catalog.insert(ML_SCHEMA, "Dataset_Execution", [ml.profile.dataset_execution_row(
        plan.source, execution.execution_rid, version_rid)], on_conflict_skip=True)


def _save_config(execution: Execution, file_name: str, params: dict[str, Any]) -> None:
    path = execution.asset_file_path("Execution_Metadata", file_name,
                                     asset_types="Execution_Config",
                                     description="Parameters of a dataset split.")
    path.write_text(json.dumps(params, indent=2))


def _info(dataset: Any, count: int) -> PartitionInfo:
    return PartitionInfo(rid=dataset.dataset_rid, version=str(dataset.current_version),
                         count=count)


# -- split ----------------------------------------------------------------------------------
def split_dataset(
    ml: DerivaML,
    source_dataset_rid: str,
    execution: Execution | None = None,
    *,
    test_size: float | int = 0.2,
    train_size: float | int | None = None,
    val_size: float | int | None = None,
    shuffle: bool = True,
    seed: int = 42,
    stratify_by_column: str | None = None,
    stratify_missing: str = "error",
    split_description: str = "",
    training_types: list[str] | None = None,
    testing_types: list[str] | None = None,
    validation_types: list[str] | None = None,
    element_table: str | None = None,
    include_tables: list[str] | None = None,
    selection_fn: SelectionFunction | None = None,
    dry_run: bool = False,
    row_per: str | None = None,
    via: list[str] | None = None,
    ignore_unrelated_anchors: bool = False,
    partition_by: Literal["element", "row"] | None = None,
    workflow_type: str = SPLIT_WORKFLOW_TYPE,
) -> SplitResult:
    """Split a dataset into Training and Testing (and Validation, with ``val_size``) datasets
    nested in a new ``Split`` dataset, made by ``execution``.

    Sizes follow scikit-learn: a float in (0, 1) is a fraction, a number >= 1 a count;
    ``train_size`` defaults to the rest. The members of ``element_table`` (default: the one
    table the source has members in) are shuffled with ``seed`` (``shuffle=False``: kept in
    RID order), stratified by ``stratify_by_column`` (a ``Table.column`` of the element table
    or of a table it references, named in ``include_tables``; nulls per
    ``stratify_missing``: ``"error"``, ``"drop"``, ``"include"``), or chosen by
    ``selection_fn(df, partition_sizes, seed)``. ``training_types`` (etc.) add dataset types
    to the partitions. ``dry_run`` returns the sizes without writing anything.

    ``execution`` is the caller's open execution; without one, the split runs in an
    execution of its own (of a ``workflow_type`` workflow), uploaded when done. Everything is
    checked before the first write, so bad input leaves the catalog unchanged.
    ``ignore_unrelated_anchors`` has no effect here (no denormalization joins); ``via`` and a
    ``row_per`` other than the element table raise ``DerivaMLNotImplemented``.

    Example::

        result = split_dataset(ml, "1-ABCD", exe, test_size=0.2, val_size=0.1,
                               stratify_by_column="Image.Label", include_tables=["Image"])
        result.split.rid, result.validation.count
    """
    unit = check_options(stratify_by_column=stratify_by_column, selection_fn=selection_fn,
                          include_tables=include_tables, row_per=row_per,
                          element_table=element_table, partition_by=partition_by, via=via)
    plan = plan_partitions(
        ml, source_dataset_rid, lambda total: _resolve_sizes(total, test_size, train_size,
                                                             val_size),
        element_table=element_table, shuffle=shuffle, seed=seed,
        stratify_by_column=stratify_by_column, stratify_missing=stratify_missing,
        include_tables=include_tables, selection_fn=selection_fn, row_per=row_per)
    sizes = {name: len(rids) for name, rids in plan.partitions.items()}
    types = {name: [name, "Split_Partition", *(extra or [])] for name, extra in
             [("Training", training_types), ("Testing", testing_types),
              ("Validation", validation_types)] if name in sizes}
    _check_terms(ml, [t for ts in types.values() for t in ts], execution, workflow_type)
    if dry_run:
        planned = {name: PartitionInfo(rid=DRY_RUN, version=DRY_RUN, count=n)
                   for name, n in sizes.items()}
        return SplitResult(
            source=plan.source, split=PartitionInfo(rid=DRY_RUN, version=DRY_RUN, count=0),
            training=planned["Training"], testing=planned["Testing"],
            validation=planned.get("Validation"), strategy=plan.strategy,
            element_table=plan.element_table, seed=seed, dry_run=True)
    params = {
        "source_dataset_rid": plan.source, "source_version": plan.version,
        "test_size": test_size, "train_size": train_size, "val_size": val_size,
        "partition_sizes": sizes, "shuffle": shuffle, "seed": seed,
        "stratify_by_column": stratify_by_column, "stratify_missing": stratify_missing,
        "element_table": plan.element_table, "include_tables": include_tables,
        "row_per": row_per, "partition_by": unit,
        "training_types": types["Training"], "testing_types": types["Testing"],
        "validation_types": types.get("Validation"), "strategy": plan.strategy,
    }
    description = split_description or (
        f"Split of dataset {plan.source} ({plan.strategy}, "
        f"{', '.join(f'{k}={v}' for k, v in sizes.items())}, seed={seed})")

    def write(exe: Execution) -> SplitResult:
        split = exe.create_dataset(dataset_types=["Split"], description=description)
        children = {name: exe.create_dataset(
            dataset_types=types[name],
            description=f"{name} subset ({sizes[name]} samples) of {plan.source} "
                        f"({plan.strategy}, seed={seed})")
            for name in ("Training", "Validation", "Testing") if name in sizes}
        split.add_dataset_members([ds.dataset_rid for ds in children.values()])
        _record_input(ml, exe, plan)
        for name, ds in children.items():
            ds.add_dataset_members({plan.element_table: plan.partitions[name]}, validate=False)
        _save_config(exe, f"split_config_{split.dataset_rid}.json", params)
        log.info("Split %s into %s", plan.source,
                 ", ".join(f"{n} {ds.dataset_rid}" for n, ds in children.items()))
        info = {name: _info(ds, sizes[name]) for name, ds in children.items()}
        return SplitResult(
            source=plan.source, split=_info(split, 0), training=info["Training"],
            testing=info["Testing"], validation=info.get("Validation"),
            strategy=plan.strategy, element_table=plan.element_table, seed=seed)

    _ensure_dataset_types(ml)
    return _in_execution(ml, execution, write, workflow=f"Dataset Split: {plan.source}",
                         workflow_type=workflow_type, description=description)


# -- subsample ------------------------------------------------------------------------------
def _subsample_sizes(size: int | float) -> Callable[[int], dict[str, int]]:
    """Sizes for a subsample of ``size`` as the "Testing" part of a two-way selection."""
    if isinstance(size, bool) or not isinstance(size, int | float) or size <= 0 or (
            isinstance(size, float) and size >= 1):
        raise DerivaMLValidationError(
            f"size must be a float in (0, 1) or an int >= 1, got {size!r}")

    def sizes(total: int) -> dict[str, int]:
        n = int(round(total * size)) if isinstance(size, float) else size
        if not 0 < n < total:
            raise DerivaMLValidationError(
                f"size={size} asks for {n} of {total} records; a subsample takes at least 1 "
                "and fewer than all of them")
        return {"Training": total - n, "Testing": n}

    return sizes


def subsample(
    ml: DerivaML,
    source_dataset_rid: str,
    execution: Execution | None = None,
    *,
    size: int | float,
    seed: int = 42,
    stratify_by_column: str | None = None,
    stratify_missing: Literal["error", "drop", "include"] = "error",
    element_table: str | None = None,
    include_tables: list[str] | None = None,
    via: list[str] | None = None,
    row_per: str | None = None,
    ignore_unrelated_anchors: bool = False,
    partition_by: Literal["element", "row"] | None = None,
    dataset_types: list[str] | None = None,
    description: str | None = None,
    dry_run: bool = False,
) -> SubsampleResult:
    """A new ``Subsample`` dataset holding ``size`` (a count, or a fraction in (0, 1)) of the
    source's members, drawn at random with ``seed`` or stratified by ``stratify_by_column``
    (see ``split_dataset``). ``dataset_types`` are added to ``Subsample``. The source is an
    input of ``execution`` (or of an execution of its own when None), not a parent.

    Example::

        small = subsample(ml, "1-ABCD", exe, size=100, stratify_by_column="Image.Label",
                          include_tables=["Image"], dataset_types=["Training"])
    """
    sizes_of = _subsample_sizes(size)
    unit = check_options(stratify_by_column=stratify_by_column, selection_fn=None,
                          include_tables=include_tables, row_per=row_per,
                          element_table=element_table, partition_by=partition_by, via=via)
    plan = plan_partitions(
        ml, source_dataset_rid, sizes_of, element_table=element_table, shuffle=True, seed=seed,
        stratify_by_column=stratify_by_column, stratify_missing=stratify_missing,
        include_tables=include_tables, selection_fn=None, row_per=row_per)
    rids = plan.partitions["Testing"]
    types = list(dict.fromkeys(["Subsample", *(dataset_types or [])]))
    _check_terms(ml, types, execution, SPLIT_WORKFLOW_TYPE)
    result = {"source": plan.source, "strategy": plan.strategy,
              "element_table": plan.element_table, "seed": seed}
    if dry_run:
        return SubsampleResult(
            subsample=PartitionInfo(rid=DRY_RUN, version=DRY_RUN, count=len(rids)),
            dry_run=True, **result)
    description = description or (f"Subsample of dataset {plan.source} ({plan.strategy}, "
                                  f"n={len(rids)}, seed={seed})")
    params = {"source_dataset_rid": plan.source, "source_version": plan.version, "size": size,
              "sample_size": len(rids), "seed": seed, "stratify_by_column": stratify_by_column,
              "stratify_missing": stratify_missing, "element_table": plan.element_table,
              "include_tables": include_tables, "row_per": row_per,
              "partition_by": unit, "dataset_types": types,
              "strategy": plan.strategy}

    def write(exe: Execution) -> SubsampleResult:
        dataset = exe.create_dataset(dataset_types=types, description=description)
        _record_input(ml, exe, plan)
        dataset.add_dataset_members({plan.element_table: rids}, validate=False)
        _save_config(exe, f"subsample_config_{dataset.dataset_rid}.json", params)
        return SubsampleResult(subsample=_info(dataset, len(rids)), **result)

    _ensure_dataset_types(ml)
    return _in_execution(ml, execution, write, workflow=f"Dataset Subsample: {plan.source}",
                         workflow_type=SPLIT_WORKFLOW_TYPE, description=description)
