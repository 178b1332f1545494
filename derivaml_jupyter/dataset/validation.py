"""Checking dataset specs against the catalog before a run: ``ml.validate_dataset_specs``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core.errors import DerivaMLNotFound
from .spec import DatasetSpec, DatasetVersion

if TYPE_CHECKING:
    from ..ml import DerivaML

MAX_VERSIONS_SHOWN = 20


@dataclass(kw_only=True)
class DatasetSpecResult:
    """One spec checked: ``valid`` when ``reasons`` (``rid_not_found``, ``not_a_dataset``,
    ``version_not_found``) is empty; ``warnings`` (``dataset_deleted``) do not invalidate."""

    spec: DatasetSpec
    valid: bool
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    actual_table: str | None = None
    available_versions: list[str] | None = None
    resolved_version: str | None = None
    dataset_name: str | None = None


@dataclass(kw_only=True)
class DatasetSpecValidationReport:
    """The result of each spec, in order, and whether all are valid."""

    all_valid: bool
    results: list[DatasetSpecResult]


def validate_dataset_specs(ml: DerivaML, specs: list[Any]) -> DatasetSpecValidationReport:
    """Check each spec (a ``DatasetSpec``, ``"RID@version"`` or a dict) names a dataset and
    one of its versions (none: the current one); every problem of a spec is reported."""
    from .bag import as_spec

    results = [_check(ml, as_spec(s)) for s in specs]
    return DatasetSpecValidationReport(all_valid=all(r.valid for r in results),
                                       results=results)


def _check(ml: DerivaML, spec: DatasetSpec) -> DatasetSpecResult:
    try:
        found = ml.catalog.resolve_rid(spec.rid)
    except DerivaMLNotFound:
        return DatasetSpecResult(spec=spec, valid=False, reasons=["rid_not_found"])
    if (found.schema, found.table) != (ml.ml_schema, "Dataset"):
        return DatasetSpecResult(spec=spec, valid=False, reasons=["not_a_dataset"],
                                 actual_table=found.table)
    row = found.row
    warnings = ["dataset_deleted"] if row["Deleted"] else []
    versions = [r["Version"] for r in reversed(ml._version_rows(spec.rid))]
    wanted = versions[0] if spec.version is None else str(spec.version)
    if all(DatasetVersion.parse(v) != DatasetVersion.parse(wanted) for v in versions):
        return DatasetSpecResult(spec=spec, valid=False, reasons=["version_not_found"],
                                 warnings=warnings,
                                 available_versions=versions[:MAX_VERSIONS_SHOWN])
    return DatasetSpecResult(spec=spec, valid=True, warnings=warnings,
                             resolved_version=wanted, dataset_name=row["Description"])
