"""Checking configs against the catalog before a run, and suggesting configs from it —
deriva-ml's ``validate_execution_configuration``, ``validate_config_file``,
``validate_config_directory`` and ``bootstrap_config``. Only catalog metadata is read: no
bag is downloaded and no config file is run (see ``config_files``)."""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog.contract import Catalog
from .config_files import ConfigEntry, ConfigFileParseError, parse_config_file
from .core.errors import DerivaMLNotFound, DerivaMLValidationError
from .core.rid import normalize_rid
from .dataset.spec import DatasetSpec
from .execution.configuration import AssetSpec

if TYPE_CHECKING:
    from .execution.configuration import ExecutionConfiguration

#: Dataset types ``bootstrap_config`` suggests by default (deriva-ml's).
DEFAULT_DATASET_TYPE_FILTER = ("Training", "Testing", "Validation", "Complete", "Labeled")
#: Asset tables of the ML schema that runs write; reached through their executions instead.
EXECUTION_ASSET_TABLES = ("Execution_Metadata", "Execution_Asset")


@dataclass(frozen=True)
class RidCheck:
    """An asset or workflow RID checked: ``reasons`` (``rid_not_found``, ``not_an_asset``,
    ``not_a_workflow``) is empty when ``valid``; ``name`` is the file name or workflow name."""

    rid: str
    valid: bool
    reasons: list[str] = field(default_factory=list)
    actual_table: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class CrossSpecIssue:
    """``duplicate_rid`` or ``version_conflict`` among a configuration's inputs."""

    issue: str
    rids: list[str]
    detail: str


@dataclass(frozen=True)
class ExecutionConfigurationValidationReport:
    all_valid: bool
    dataset_results: list[Any]
    asset_results: list[RidCheck]
    workflow_result: RidCheck | None
    cross_spec_issues: list[CrossSpecIssue]


@dataclass(frozen=True)
class ConfigEntryResult:
    """One config entry checked; ``reasons`` as for specs, plus ``rid_unresolvable``,
    ``version_missing``, ``catalog_hostname_mismatch`` and ``catalog_id_mismatch``."""

    entry: ConfigEntry
    valid: bool
    reasons: list[str] = field(default_factory=list)
    actual_table: str | None = None
    available_versions: list[str] | None = None
    resolved_name: str | None = None


@dataclass(frozen=True)
class ConfigValidationReport:
    file_count: int
    entry_count: int
    all_valid: bool
    results: list[ConfigEntryResult]
    parse_errors: list[ConfigFileParseError]


@dataclass(frozen=True)
class BootstrapSuggestion:
    """A config entry to paste: ``spec_string`` is the Python expression."""

    kind: str
    config_name: str
    rid: str
    spec_string: str
    rationale: str
    version: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class BootstrapSkipped:
    kind: str
    rid: str
    reason: str


@dataclass(frozen=True)
class BootstrapReport:
    catalog: dict[str, str]
    suggestions: list[BootstrapSuggestion]
    skipped: list[BootstrapSkipped]


def config_name(text: str | None, fallback: str) -> str:
    """An identifier from a description: ``"Small CIFAR-10 split"`` -> ``small_cifar_10_split``."""
    name = re.sub(r"[^0-9a-z]+", "_", (text or "").lower()).strip("_")[:60].rstrip("_")
    return name if name and not name[0].isdigit() else fallback.replace("-", "_").lower()


class ConfigValidationAPI:
    """The ``DerivaML`` methods of this module."""

    catalog: Catalog

    # -- one RID -------------------------------------------------------------------------------
    def _check_rid(self, rid: str, wanted: str) -> RidCheck:
        """Whether ``rid`` is a row of an asset table (``wanted="asset"``) or a Workflow."""
        try:
            found = self.catalog.resolve_rid(rid)
        except (DerivaMLNotFound, DerivaMLValidationError):  # none, or not a RID at all
            return RidCheck(rid, False, ["rid_not_found"])
        table = self.find_table(f"{found.schema}.{found.table}")
        if wanted == "asset" and table.kind != "asset":
            return RidCheck(rid, False, ["not_an_asset"], table.name)
        if wanted == "workflow" and (table.schema, table.name) != (self.ml_schema, "Workflow"):
            return RidCheck(rid, False, ["not_a_workflow"], table.name)
        return RidCheck(rid, True, name=found.row.get("Filename" if wanted == "asset" else "Name"))

    # -- an execution configuration ------------------------------------------------------------
    def validate_execution_configuration(self, config: ExecutionConfiguration
                                         ) -> ExecutionConfigurationValidationReport:
        """Check a configuration's datasets (as ``validate_dataset_specs``), assets, workflow
        RID (when it has one) and duplicates among them, without running anything."""
        datasets = self.validate_dataset_specs(list(config.datasets))
        specs = [a for a in config.assets if isinstance(a, AssetSpec)]  # not LocalFile paths
        assets = [self._check_rid(a.rid, "asset") for a in specs]
        rid = config.workflow.workflow_rid if config.workflow else None
        workflow = self._check_rid(rid, "workflow") if rid else None
        issues = []
        versions: dict[str, list[str]] = {}
        for spec in config.datasets:
            versions.setdefault(spec.rid, []).append(str(spec.version))
        for rid, listed in versions.items():
            if len(set(listed)) > 1:
                issues.append(CrossSpecIssue("version_conflict", [rid], f"Dataset {rid} listed "
                                             f"with conflicting versions: {sorted(set(listed))}."))
            elif len(listed) > 1:
                issues.append(CrossSpecIssue("duplicate_rid", [rid], f"Dataset {rid} listed "
                                             f"{len(listed)} times with version {listed[0]!r}."))
        issues += [CrossSpecIssue("duplicate_rid", [rid], f"Asset {rid} listed {n} times.")
                   for rid, n in Counter(a.rid for a in specs).items() if n > 1]
        valid = (datasets.all_valid and all(a.valid for a in assets)
                 and (workflow is None or workflow.valid) and not issues)
        return ExecutionConfigurationValidationReport(valid, datasets.results, assets, workflow,
                                                      issues)

    # -- config files --------------------------------------------------------------------------
    def validate_config_file(self, path: str | os.PathLike[str]) -> ConfigValidationReport:
        """Check every dataset, asset, workflow and connection entry of one config file
        against this catalog (the file is parsed, not run; a file that does not parse is a
        ``parse_errors`` entry, not an exception)."""
        entries, error = parse_config_file(path)
        return self._config_report(entries, [error] if error else [], 0 if error else 1)

    def validate_config_directory(self, configs_dir: str | os.PathLike[str], *,
                                  recursive: bool = True) -> ConfigValidationReport:
        """``validate_config_file`` over every ``*.py`` under ``configs_dir`` (also in its
        subdirectories unless ``recursive=False``; ``__pycache__`` and hidden ones skipped)."""
        root = Path(configs_dir)
        if not root.exists():
            return ConfigValidationReport(0, 0, False, [], [ConfigFileParseError(
                str(root), None, f"directory not found: {root}")])
        files = [root] if root.is_file() else sorted(
            p for p in (root.rglob("*.py") if recursive else root.glob("*.py"))
            if not any(part == "__pycache__" or part.startswith(".")
                       for part in p.relative_to(root).parts))
        entries, errors = [], []
        for file in files:
            found, error = parse_config_file(file)
            entries += found
            errors += [error] if error else []
        return self._config_report(entries, errors, len(files) - len(errors))

    def _config_report(self, entries: list[ConfigEntry], errors: list[ConfigFileParseError],
                       file_count: int) -> ConfigValidationReport:
        results = [self._check_entry(e) for e in entries]
        return ConfigValidationReport(file_count, len(entries),
                                      not errors and all(r.valid for r in results),
                                      results, errors)

    def _check_entry(self, entry: ConfigEntry) -> ConfigEntryResult:
        if entry.entry_kind == "DerivaMLConfig":
            reasons = []
            if entry.hostname and entry.hostname != self.hostname:
                reasons.append("catalog_hostname_mismatch")
            if entry.catalog_id and entry.catalog_id != str(self.catalog_id):
                reasons.append("catalog_id_mismatch")
            return ConfigEntryResult(entry, not reasons, reasons, resolved_name=None if reasons
                                     else f"{self.hostname}/{self.catalog_id}")
        if entry.rid is None:
            return ConfigEntryResult(entry, False, ["rid_unresolvable"])
        if entry.entry_kind == "DatasetSpecConfig":
            try:
                normalize_rid(entry.rid)
            except DerivaMLValidationError:  # not even a RID's spelling
                return ConfigEntryResult(entry, False, ["rid_not_found"])
            try:
                spec = DatasetSpec(rid=entry.rid, version=entry.version)
            except DerivaMLValidationError:  # not a version's spelling
                return ConfigEntryResult(entry, False, ["version_not_found"])
            spec = self.validate_dataset_specs([spec]).results[0]
            reasons = list(spec.reasons) + ([] if entry.version else ["version_missing"])
            return ConfigEntryResult(entry, not reasons, reasons, spec.actual_table,
                                     spec.available_versions, spec.dataset_name)
        check = self._check_rid(entry.rid,
                                "asset" if entry.entry_kind == "AssetSpecConfig" else "workflow")
        return ConfigEntryResult(entry, check.valid, check.reasons, check.actual_table,
                                 resolved_name=check.name)

    # -- suggestions ---------------------------------------------------------------------------
    def bootstrap_config(self, *, kinds: list[str] | None = None,
                         dataset_type_filter: list[str] | None = None) -> BootstrapReport:
        """Config entries this catalog suggests, not written anywhere: the connection
        (``deriva_ml``), the released versions of datasets of ``dataset_type_filter`` (None:
        Training, Testing, Validation, Complete, Labeled; ``[]``: every type), the assets of
        the project's asset tables and the recorded workflows. ``kinds`` picks among
        ``deriva_ml``, ``datasets``, ``assets``, ``workflow`` (None: all)."""
        kinds = set(kinds if kinds is not None else ("deriva_ml", "datasets", "assets",
                                                     "workflow"))
        types = set(DEFAULT_DATASET_TYPE_FILTER if dataset_type_filter is None
                    else dataset_type_filter)
        out: list[BootstrapSuggestion] = []
        skipped: list[BootstrapSkipped] = []
        if "deriva_ml" in kinds:
            out.append(BootstrapSuggestion(
                "deriva_ml", "default_deriva", "",
                f"DerivaMLConfig(hostname={self.hostname!r}, catalog_id={self.catalog_id!r})",
                "Connection group; pin this DerivaML instance.",
                description=f"Connection to {self.hostname} catalog {self.catalog_id}"))
        if "datasets" in kinds:
            for ds in self.find_datasets():
                rid, dataset_types = ds.dataset_rid, list(ds.dataset_types)
                version = str(ds.current_version)
                if types and not types & set(dataset_types):
                    skipped.append(BootstrapSkipped("datasets", rid, f"dataset_types="
                                                    f"{dataset_types} -- not in filter "
                                                    f"{sorted(types)}"))
                elif ".dev" in version or ".post" in version:
                    skipped.append(BootstrapSkipped("datasets", rid, f"current_version="
                                                    f"{version!r} is not a released version"))
                else:
                    kind = next(iter(sorted(types & set(dataset_types))), None) if types \
                        else (dataset_types[0] if dataset_types else "Dataset")
                    out.append(BootstrapSuggestion(
                        "datasets", config_name(ds.description, rid), rid,
                        f"DatasetSpecConfig(rid={rid!r}, version={version!r})",
                        f"Dataset type {kind}; latest released version {version}.",
                        version, ds.description or None))
        if "assets" in kinds:
            for table in self.list_asset_tables():
                if table.name in EXECUTION_ASSET_TABLES:
                    skipped.append(BootstrapSkipped("assets", table.name, "written by runs; "
                                                    "reach them through their execution"))
                    continue
                out += [BootstrapSuggestion(
                    "assets", config_name(a.filename, a.asset_rid), a.asset_rid,
                    f"AssetSpecConfig(rid={a.asset_rid!r})",
                    f"Asset in {table.name}" + (f" ({a.filename})" if a.filename else ""),
                    description=a.filename or None) for a in self.list_assets(table)]
        if "workflow" in kinds:
            out += [BootstrapSuggestion(
                "workflow", config_name(w.name, w.workflow_rid), w.workflow_rid,
                f"Workflow(workflow_rid={w.workflow_rid!r})",
                "Recorded workflow; pin by RID to reuse across executions.",
                description=w.name or None) for w in self.find_workflows()]
        return BootstrapReport({"hostname": self.hostname, "catalog_id": str(self.catalog_id)},
                               out, skipped)
