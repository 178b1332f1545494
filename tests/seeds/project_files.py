'''The files of the model project of "Running Models and Notebooks", as the guide shows them.

Changes to the guide's code: ``deriva_ml`` imports are ``derivaml`` ones; hosts and catalogs
are local catalogs (``my_project`` for development, ``production`` standing in for the
production server); example RIDs are ``$name`` placeholders filled with the RIDs of datasets
and assets the tests create; helpers the guide leaves undefined (``build_model``,
``train_epoch``, ``save_model``, ``save_metrics``) are small stand-ins writing JSON. Additions
the guide's commands need are marked "needed by".
'''

from __future__ import annotations

from string import Template

DEV_CATALOG = "my_project"
PRODUCTION_CATALOG = "production"

CONFIGS = {
    "__init__.py": "",
    "deriva.py": """
# configs/deriva.py
from hydra_zen import builds, store
from derivaml import DerivaMLConfig

DerivaMLConf = builds(DerivaMLConfig, populate_full_signature=True)
deriva_store = store(group="deriva_ml")

# Development catalog
deriva_store(
    DerivaMLConf(hostname="local", catalog_id="my_project"),
    name="default_deriva",
)

# Production catalog
deriva_store(
    DerivaMLConf(hostname="local", catalog_id="production"),
    name="production",
)
""",
    "datasets.py": """
# configs/datasets.py
from hydra_zen import store
from derivaml.dataset import DatasetSpecConfig
from derivaml.execution import with_description

datasets_store = store(group="datasets")

# Required: default (used when no override is specified)
datasets_store([], name="default_dataset")

# A named dataset collection
datasets_store(
    with_description(
        [DatasetSpecConfig(rid="$training", version="1.0.0")],
        "Training dataset with 1000 labeled images.",
    ),
    name="training_data",
)
""",
    "assets.py": """
# configs/assets.py
from hydra_zen import store
from derivaml.execution import with_description

asset_store = store(group="assets")

# Required: default
asset_store([], name="default_asset")

# Model weights
asset_store(
    with_description(
        ["$resnet_weights"],
        "ResNet50 pretrained weights from MAE pre-training.",
    ),
    name="resnet_weights",
)

# Needed by the notebook examples, which name these two.
asset_store(
    with_description(["$comparison_weights"], "Weights to compare against."),
    name="comparison_weights",
)
asset_store(
    with_description(["$different_weights"], "Weights in the production catalog."),
    name="different_weights",
)
""",
    "workflow.py": """
# configs/workflow.py
from hydra_zen import builds, store
from derivaml.execution import Workflow

workflow_store = store(group="workflow")

workflow_store(
    builds(Workflow, name="default", workflow_type="Training",
           populate_full_signature=True),
    name="default_workflow",
)

workflow_store(
    builds(Workflow, name="Feature Extraction", workflow_type="Preprocessing",
           description="Extract features from raw data",
           populate_full_signature=True),
    name="feature_extraction",
)
""",
    "my_model.py": """
# configs/my_model.py
from hydra_zen import builds, store
from models.my_model import train_classifier

model_store = store(group="model_config")

# Base config: partially applied, waits for ml_instance and execution
ModelConfig = builds(
    train_classifier,
    learning_rate=1e-3,
    epochs=10,
    batch_size=32,
    populate_full_signature=True,
    zen_partial=True,
)

model_store(ModelConfig, name="default_model")
model_store(ModelConfig, name="quick", epochs=3, learning_rate=1e-2)
model_store(ModelConfig, name="long_training", epochs=100, learning_rate=1e-4)
""",
    "base.py": """
# configs/base.py
from hydra_zen import store
from derivaml import DerivaML
from derivaml.execution import create_model_config

DerivaModelConfig = create_model_config(
    DerivaML,                         # or your DerivaML subclass
    description="My project model run",
    hydra_defaults=[
        "_self_",
        {"deriva_ml": "default_deriva"},
        {"datasets": "default_dataset"},
        {"assets": "default_asset"},
        {"workflow": "default_workflow"},
        {"model_config": "default_model"},
    ],
)

store(DerivaModelConfig, name="deriva_model")
""",
    "experiments.py": """
# configs/experiments.py
from hydra_zen import make_config, store
from configs.base import DerivaModelConfig

experiment_store = store(group="experiment", package="_global_")

experiment_store(
    make_config(
        hydra_defaults=[
            "_self_",
            {"override /model_config": "quick"},
            {"override /datasets": "training_data"},
            {"override /assets": "resnet_weights"},
            {"override /workflow": "default_workflow"},
        ],
        description="Quick training with ResNet weights on training data.",
        bases=(DerivaModelConfig,),
    ),
    name="quick_training",
)

# Needed by the sweep `--multirun +experiment=quick_training,long_training`.
experiment_store(
    make_config(
        hydra_defaults=[
            "_self_",
            {"override /model_config": "long_training"},
            {"override /datasets": "training_data"},
        ],
        description="Long training on training data.",
        bases=(DerivaModelConfig,),
    ),
    name="long_training",
)
""",
    "multiruns.py": """
# configs/multiruns.py
from derivaml.execution import multirun_config

multirun_config(
    "lr_sweep",
    overrides=[
        "+experiment=quick_training",
        "model_config.learning_rate=0.0001,0.001,0.01,0.1",
    ],
    description='''## Learning Rate Sweep

    Exploring optimal learning rates for quick training config.

    | Learning Rate | Expected Behavior |
    |--------------|-------------------|
    | 0.0001 | Slow convergence |
    | 0.001 | Standard baseline |
    | 0.01 | Fast, may overshoot |
    | 0.1 | Likely unstable |
    ''',
)
""",
    "my_analysis.py": """
# configs/my_analysis.py
from dataclasses import dataclass
from derivaml.execution import BaseConfig, notebook_config

@dataclass
class MyAnalysisConfig(BaseConfig):
    threshold: float = 0.5
    num_samples: int = 100

notebook_config(
    "my_analysis",
    config_class=MyAnalysisConfig,
    defaults={"assets": "comparison_weights"},
)
""",
}

# The guide's first, simpler version of configs/my_analysis.py.
SIMPLE_MY_ANALYSIS = """
# configs/my_analysis.py
from derivaml.execution import notebook_config

notebook_config(
    "my_analysis",
    defaults={"assets": "comparison_weights", "datasets": "training_data"},
)
"""

MODELS = {
    "my_model.py": '''
# models/my_model.py
import json

from derivaml import DerivaML
from derivaml.execution import Execution

def train_classifier(
    learning_rate: float,
    epochs: int,
    batch_size: int,
    ml_instance: DerivaML,
    execution: Execution | None = None,
) -> None:
    """Train a classifier using DerivaML execution context."""
    # Access downloaded datasets
    for dataset in execution.datasets:
        bag = execution.download_dataset_bag(dataset)
        # Process data from the bag...
        images = bag.list_dataset_members()["Image"]
        print(f"Dataset {bag.dataset_rid} {bag.version}: {len(images)} images")

    # Access downloaded input assets (model weights, etc.)
    for table_name, asset_paths in execution.asset_paths.items():
        for asset_path in asset_paths:
            print(f"Loaded {table_name}: {asset_path}")

    # Your training code here
    model = build_model()
    for epoch in range(epochs):
        train_epoch(model, learning_rate, batch_size)

    # Register output files for upload
    model_path = execution.asset_file_path("Model", "best_model.pt")
    save_model(model, model_path)

    metrics_path = execution.asset_file_path("Execution_Metadata", "metrics.json")
    save_metrics(metrics_path)


# Stand-ins for the helpers the guide leaves to you: the "model" is a dict.
def build_model():
    return {"epochs": 0, "learning_rate": None, "batch_size": None}


def train_epoch(model, learning_rate, batch_size):
    model.update(epochs=model["epochs"] + 1, learning_rate=learning_rate,
                 batch_size=batch_size)


def save_model(model, path):
    path.write_text(json.dumps(model))


def save_metrics(path):
    path.write_text(json.dumps({"accuracy": 0.9}))
''',
}

# Notebook cells: (tag, source). run_notebook() loads src/configs/.
NOTEBOOKS = {
    "my_analysis.ipynb": [
        (None, """\
from derivaml.execution import run_notebook

ml, execution, config = run_notebook("my_analysis")"""),
        (None, """\
# Access resolved config values
print(config.threshold)  # 0.5

# Access downloaded assets
for table, paths in execution.asset_paths.items():
    for path in paths:
        print(f"Asset: {path}")"""),
        (None, """\
# At the end of the notebook
execution.upload_execution_outputs()"""),
    ],
    "train.ipynb": [
        ("parameters", "learning_rate = 0.01\nepochs = 10"),
        (None, """\
from derivaml.execution import run_notebook

ml, execution, config = run_notebook("train")"""),
        (None, """\
import json

metrics = {"learning_rate": learning_rate, "epochs": epochs, "loss": 1 / (1 + epochs)}
path = execution.asset_file_path("Execution_Metadata", "train_metrics.json")
path.write_text(json.dumps(metrics))
print(f"trained {epochs} epochs at lr={learning_rate}")"""),
        (None, "execution.upload_execution_outputs()"),
    ],
}

TOP_LEVEL = {
    "pyproject.toml": """
[project]
name = "my-project"
version = "0.1.0"
requires-python = ">=3.11"
""",
    "params.yaml": """
learning_rate: 0.005
epochs: 7
""",
    ".gitignore": "__pycache__/\n",
}

# The project of the guide's "Complete Walkthrough".
WALKTHROUGH_CONFIGS = {
    "__init__.py": "",
    "deriva.py": """
from hydra_zen import builds, store
from derivaml import DerivaMLConfig

DerivaMLConf = builds(DerivaMLConfig, populate_full_signature=True)
store(DerivaMLConf(hostname="local", catalog_id="my_project"),
      group="deriva_ml", name="default_deriva")
""",
    "datasets.py": """
from hydra_zen import store
from derivaml.dataset import DatasetSpecConfig

store([], group="datasets", name="default_dataset")
store([DatasetSpecConfig(rid="$training", version="1.0.0")],
      group="datasets", name="training")
""",
    "assets.py": """
from hydra_zen import store
store([], group="assets", name="default_asset")
""",
    "workflow.py": """
from hydra_zen import builds, store
from derivaml.execution import Workflow

store(builds(Workflow, name="default", workflow_type="Training",
             populate_full_signature=True),
      group="workflow", name="default_workflow")
""",
    "classifier.py": """
from hydra_zen import builds, store
from models.classifier import train

store(builds(train, populate_full_signature=True, zen_partial=True),
      group="model_config", name="default_model")
store(builds(train, epochs=3, populate_full_signature=True, zen_partial=True),
      group="model_config", name="quick")
""",
    "base.py": """
from hydra_zen import store
from derivaml import DerivaML
from derivaml.execution import create_model_config

store(create_model_config(DerivaML), name="deriva_model")
""",
}

WALKTHROUGH_MODELS = {
    "classifier.py": """
from derivaml import DerivaML
from derivaml.execution import Execution

def train(
    learning_rate: float = 0.001,
    epochs: int = 10,
    ml_instance: DerivaML = None,
    execution: Execution | None = None,
) -> None:
    print(f"Training for {epochs} epochs at lr={learning_rate}")
    # Your training code here...
""",
}


def filled(files: dict[str, str], rids: dict[str, str]) -> dict[str, str]:
    """``files`` with their ``$name`` placeholders replaced by ``rids[name]``."""
    return {name: Template(text).substitute(rids).lstrip("\n") for name, text in files.items()}
