"""Experiment presets (loaded last)."""

from hydra_zen import make_config, store

from configs.base import DerivaModelConfig

experiment_store = store(group="experiment", package="_global_")

experiment_store(
    make_config(
        hydra_defaults=[
            "_self_",
            {"override /model_config": "quick"},
            {"override /datasets": "digits_split"},
        ],
        description="Quick training on the digits split.",
        bases=(DerivaModelConfig,),
    ),
    name="quick_training",
)

experiment_store(
    make_config(
        hydra_defaults=[
            "_self_",
            {"override /model_config": "long_training"},
            {"override /datasets": "digits_split"},
        ],
        description="Long training on the digits split.",
        bases=(DerivaModelConfig,),
    ),
    name="long_training",
)
