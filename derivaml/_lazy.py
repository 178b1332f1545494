"""Lazy re-exports: names resolve to their implementation module on first use, so
``import derivaml`` stays fast."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

# Public name -> implementation module, or "module:attribute" where deriva-ml's name for it
# differs from ours.
EXPORTS: dict[str, str] = {
    "DerivaML": "derivaml_jupyter.ml",
    "DerivaMLConfig": "derivaml_jupyter.config",
    "ConnectionMode": "derivaml_jupyter.core.connection_mode",
    "reset_multirun_state": "derivaml_jupyter.config",
    "DatasetSpec": "derivaml_jupyter.dataset.spec",
    "DatasetVersion": "derivaml_jupyter.dataset.spec",
    "Dataset": "derivaml_jupyter.dataset.dataset",
    "DatasetBag": "derivaml_jupyter.dataset.dataset_bag",
    "DatasetHistory": "derivaml_jupyter.dataset.history",
    "VocabularyTerm": "derivaml_jupyter.core.vocabulary_term",
    "Feature": "derivaml_jupyter.feature.record",
    "FeatureRecord": "derivaml_jupyter.feature.record",
    "reduce_with_selector": "derivaml_jupyter.feature.record",
    "PartitionInfo": "derivaml_jupyter.dataset.split",
    "SelectionFunction": "derivaml_jupyter.dataset.split",
    "SplitResult": "derivaml_jupyter.dataset.split",
    "SubsampleResult": "derivaml_jupyter.dataset.split",
    "random_split": "derivaml_jupyter.dataset.split",
    "split_dataset": "derivaml_jupyter.dataset.split",
    "stratified_split": "derivaml_jupyter.dataset.split",
    "subsample": "derivaml_jupyter.dataset.split",
    "DatasetSpecConfig": "derivaml_jupyter.config",
    "AssetSpecConfig": "derivaml_jupyter.config",
    "ExecutionConfiguration": "derivaml_jupyter.execution.configuration",
    "AssetSpec": "derivaml_jupyter.execution.configuration",
    "Workflow": "derivaml_jupyter.execution.workflow",
    "Execution": "derivaml_jupyter.execution.execution",
    "Status": "derivaml_jupyter.core.definitions",
    "ExecutionStatus": "derivaml_jupyter.core.definitions",
    "ExecAssetType": "derivaml_jupyter.core.definitions",
    "MLVocab": "derivaml_jupyter.core.definitions",
    "VersionPart": "derivaml_jupyter.core.definitions",
    "ML_SCHEMA": "derivaml_jupyter.core.definitions",
    "DRY_RUN_RID": "derivaml_jupyter.core.definitions",
    "DerivaMLException": "derivaml_jupyter.core.errors",
    "DerivaMLNotFound": "derivaml_jupyter.core.errors",
    "DerivaMLInvalidTerm": "derivaml_jupyter.core.errors",
    "DerivaMLValidationError": "derivaml_jupyter.core.errors",
    "DerivaMLConflict": "derivaml_jupyter.core.errors",
    "DerivaMLCycleError": "derivaml_jupyter.core.errors",
    "DerivaMLUploadError": "derivaml_jupyter.core.errors",
    "with_description": "derivaml_jupyter.config",
    "create_model_config": "derivaml_jupyter.config",
    "run_model": "derivaml_jupyter.config",
    "BaseConfig": "derivaml_jupyter.config",
    "DerivaBaseConfig": "derivaml_jupyter.config",
    "base_defaults": "derivaml_jupyter.config",
    "DerivaMLModel": "derivaml_jupyter.config",
    "DescribedList": "derivaml_jupyter.config",
    "get_notebook_configuration": "derivaml_jupyter.config",
    "MultirunSpec": "derivaml_jupyter.config",
    "get_multirun_config": "derivaml_jupyter.config",
    "list_multirun_configs": "derivaml_jupyter.config",
    "get_all_multirun_configs": "derivaml_jupyter.config",
    "notebook_config": "derivaml_jupyter.config",
    "multirun_config": "derivaml_jupyter.config",
    "load_configs": "derivaml_jupyter.config",
    "run_notebook": "derivaml_jupyter.config.run_notebook",
    "Column": "derivaml_jupyter.catalog.contract",
    "ForeignKey": "derivaml_jupyter.catalog.contract",
    "config_picker": "derivaml_jupyter.kernel.widgets",
    "AssetFilePath": "derivaml_jupyter.execution.asset_path",
    "DerivaMLMaterializeLimitExceeded": "derivaml_jupyter.feature.discovery",
    "DerivaMLNotFoundError": "derivaml_jupyter.core.errors:DerivaMLNotFound",
    "DerivaMLReadOnlyError": "derivaml_jupyter.core.errors:DerivaMLReadOnly",
    "DerivaSystemColumns": "derivaml_jupyter.catalog.contract:SYSTEM_COLUMNS",
    "Asset": "derivaml_jupyter.asset.record",
    "MLAsset": "derivaml_jupyter.core.definitions",
    "ExecMetadataType": "derivaml_jupyter.core.definitions",
    "BuiltinTypes": "derivaml_jupyter.schema.definitions",
    "ColumnDefinition": "derivaml_jupyter.schema.definitions",
    "KeyDefinition": "derivaml_jupyter.schema.definitions",
    "ForeignKeyDefinition": "derivaml_jupyter.schema.definitions",
    "TableDefinition": "derivaml_jupyter.schema.definitions",
    "UploadProgress": "derivaml_jupyter.execution.progress",
    "create_ml_catalog": "derivaml_jupyter.schema.create",
    "CATALOG_PROVENANCE_URL": "derivaml_jupyter.catalog.provenance",
    "CatalogCreationMethod": "derivaml_jupyter.catalog.provenance",
    "CatalogProvenance": "derivaml_jupyter.catalog.provenance",
    "CloneDetails": "derivaml_jupyter.catalog.provenance",
    "get_catalog_provenance": "derivaml_jupyter.catalog.provenance",
    "set_catalog_provenance": "derivaml_jupyter.catalog.provenance",
    "Denormalizer": "derivaml_jupyter.dataset.denormalize",
    "DerivaMLDenormalizeError": "derivaml_jupyter.dataset.denormalize_errors",
    "DerivaMLDenormalizeAmbiguousPath": "derivaml_jupyter.dataset.denormalize_errors",
    "DerivaMLDenormalizeDownstreamLeaf": "derivaml_jupyter.dataset.denormalize_errors",
    "DerivaMLDenormalizeMultiLeaf": "derivaml_jupyter.dataset.denormalize_errors",
    "DerivaMLDenormalizeNoSink": "derivaml_jupyter.dataset.denormalize_errors",
    "DerivaMLDenormalizeUnrelatedAnchor": "derivaml_jupyter.dataset.denormalize_errors",
}


def lazy_exports(names: list[str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for a module re-exporting ``names`` lazily."""
    table: Mapping[str, str] = {n: EXPORTS[n] for n in names}

    def __getattr__(name: str) -> object:
        if name not in table:
            raise AttributeError(f"module has no attribute {name!r}")
        module, _, attribute = table[name].partition(":")
        return getattr(importlib.import_module(module), attribute or name)

    def __dir__() -> list[str]:
        return sorted(table)

    return __getattr__, __dir__
