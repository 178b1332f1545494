"""Execution names, as ``deriva_ml.execution`` offers them."""

from ._lazy import lazy_exports

__all__ = ["ExecutionConfiguration", "AssetSpec", "AssetSpecConfig", "Workflow", "Execution",
           "with_description", "create_model_config", "run_model", "BaseConfig",
           "notebook_config", "multirun_config", "load_configs", "run_notebook"]
__getattr__, __dir__ = lazy_exports(__all__)
