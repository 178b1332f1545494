"""The top-level model configuration (``deriva_model``)."""

from hydra_zen import store

from derivaml import DerivaML
from derivaml.execution import create_model_config

DerivaModelConfig = create_model_config(
    DerivaML,
    description="Digits classifier run",
    hydra_defaults=[
        "_self_",
        {"deriva_ml": "default_deriva"},
        {"datasets": "digits_split"},
        {"assets": "default_asset"},
        {"workflow": "default_workflow"},
        {"model_config": "default_model"},
    ],
)

store(DerivaModelConfig, name="deriva_model")
