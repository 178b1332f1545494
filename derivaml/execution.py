"""Execution names, as ``deriva_ml.execution`` offers them."""

from ._lazy import lazy_exports

__all__ = ["ExecutionConfiguration", "AssetSpec", "AssetSpecConfig", "Workflow", "Execution",
           "AssetSummary", "DatasetSummary", "ExecutionSummary", "LineageNode",
           "LineageResult", "RootDescriptor", "WorkflowSummary",
           "with_description", "create_model_config", "run_model", "BaseConfig",
           "notebook_config", "multirun_config", "load_configs", "run_notebook",
           "DerivaBaseConfig", "base_defaults", "DerivaMLModel", "DescribedList",
           "get_notebook_configuration", "MultirunSpec", "get_multirun_config",
           "list_multirun_configs", "get_all_multirun_configs", "reset_multirun_state",
           "LocalFile", "LocalFileConfig"]
__getattr__, __dir__ = lazy_exports(__all__)
