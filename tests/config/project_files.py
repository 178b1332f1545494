"""Source files of a small throwaway DerivaML model project used by the CLI tests."""

CONFIGS = {
    "__init__.py": "",
    "deriva.py": '''
from hydra_zen import builds, store
from derivaml import DerivaMLConfig

DerivaMLConf = builds(DerivaMLConfig, populate_full_signature=True)
deriva_store = store(group="deriva_ml")
deriva_store(DerivaMLConf(hostname="local", catalog_id="projcat"), name="default_deriva")
deriva_store(DerivaMLConf(hostname="local", catalog_id="othercat"), name="other_catalog")
''',
    "datasets.py": '''
from hydra_zen import store
from derivaml.dataset import DatasetSpecConfig
from derivaml.execution import with_description

datasets_store = store(group="datasets")
datasets_store([], name="default_dataset")
datasets_store(
    with_description([DatasetSpecConfig(rid="1-ABCD", version="1.0.0")],
                     "Training dataset with 1000 labeled images."),
    name="training_data",
)
''',
    "assets.py": '''
from hydra_zen import store
from derivaml import AssetSpecConfig
from derivaml.execution import with_description

asset_store = store(group="assets")
asset_store([], name="default_asset")
asset_store(with_description(["6-EPNR", AssetSpecConfig(rid="6-EPNS", cache=True)],
                             "ResNet50 pretrained weights."), name="resnet_weights")
''',
    "workflow.py": '''
from hydra_zen import builds, store
from derivaml.execution import Workflow

store(builds(Workflow, name="Tiny model", workflow_type="Training",
             populate_full_signature=True), group="workflow", name="default_workflow")
''',
    "my_model.py": '''
from hydra_zen import builds, store
from models.my_model import train

model_store = store(group="model_config")
ModelConfig = builds(train, learning_rate=1e-3, epochs=10, populate_full_signature=True,
                     zen_partial=True)
model_store(ModelConfig, name="default_model")
model_store(ModelConfig, name="quick", epochs=3, learning_rate=1e-2)
''',
    "base.py": '''
from hydra_zen import store
from derivaml import DerivaML, create_model_config

DerivaModelConfig = create_model_config(DerivaML, description="Tiny model run")
store(DerivaModelConfig, name="deriva_model")
''',
    "experiments.py": '''
from hydra_zen import make_config, store
from configs.base import DerivaModelConfig

store(
    make_config(hydra_defaults=["_self_", {"override /model_config": "quick"}],
                description="Quick training preset.", bases=(DerivaModelConfig,)),
    group="experiment", package="_global_", name="quick_training",
)
''',
    "my_analysis.py": '''
from dataclasses import dataclass
from derivaml.execution import BaseConfig, notebook_config


@dataclass
class MyAnalysisConfig(BaseConfig):
    threshold: float = 0.5
    num_samples: int = 100


notebook_config("my_analysis", config_class=MyAnalysisConfig,
                defaults={"datasets": "training_data"}, description="Analysis of things",
                num_samples=7)
''',
    "multiruns.py": '''
from derivaml.execution import multirun_config

multirun_config(
    "lr_sweep",
    overrides=["+experiment=quick_training", "model_config.learning_rate=0.1,0.2"],
    description="""## Learning Rate Sweep

| lr | expectation |
|----|-------------|
| 0.1 | fine |
""",
)
''',
}

MODELS = {
    "__init__.py": "",
    "my_model.py": '''
import os


def train(learning_rate: float = 1e-3, epochs: int = 10, ml_instance=None, execution=None):
    """Write the hyper-parameters to an output file of the execution."""
    path = execution.asset_file_path("Execution_Asset", f"result-{os.getpid()}.txt")
    path.write_text(f"lr={learning_rate} epochs={epochs}\\n")
    if epochs < 0:
        raise ValueError("epochs must not be negative")
    print(f"trained lr={learning_rate} epochs={epochs}")
''',
}

# A stand-in for DerivaML that records what run_model asks of it, one JSON line per event in
# $DERIVAML_HOME/events.jsonl (appends from several processes stay whole lines).
FAKE_ML = '''
import json
import os
import uuid
from pathlib import Path

EVENTS = Path(os.environ["DERIVAML_HOME"]) / "events.jsonl"


def record(event, **fields):
    EVENTS.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({"event": event, "pid": os.getpid(), **fields}) + "\\n"
    fd = os.open(EVENTS, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


class FakeExecution:
    def __init__(self, rid):
        self.execution_rid = rid
        self.files = []

    def __enter__(self):
        record("enter", rid=self.execution_rid)
        return self

    def __exit__(self, *exc):
        record("exit", rid=self.execution_rid, failed=exc[0] is not None)
        return False

    def asset_file_path(self, asset_name, file_name):
        path = EVENTS.parent / "files" / self.execution_rid / asset_name / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(str(path))
        return path

    def execution_start(self):
        record("start", rid=self.execution_rid)

    def upload_execution_outputs(self):
        record("upload", rid=self.execution_rid)
        return {"Execution_Asset": list(self.files)}

    def add_nested_execution(self, child, sequence=None):
        record("nest", parent=self.execution_rid, child=child.execution_rid, sequence=sequence)

    def list_nested_executions(self):
        return []


class FakeML:
    def __init__(self, config):
        self.config = config
        self.hostname, self.catalog_id = config.hostname, config.catalog_id

    @classmethod
    def instantiate(cls, config):
        record("instantiate", catalog_id=config.catalog_id)
        return cls(config)

    def create_execution(self, config, dry_run=False):
        rid = uuid.uuid4().hex[:8]
        record("create", rid=rid, description=config.description, dry_run=dry_run,
               choices=config.config_choices, datasets=[d.rid for d in config.datasets],
               assets=[a.rid for a in config.assets],
               source_path=config.workflow.source_path if config.workflow else None,
               allow_dirty=config.workflow.allow_dirty if config.workflow else None)
        return FakeExecution(rid)

    def restore_execution(self, rid):
        record("restore", rid=rid)
        return FakeExecution(rid)
'''

FAKE_CONFIG = '''
from hydra_zen import store
from derivaml import create_model_config
from derivaml.execution import multirun_config
from models.fake_ml import FakeML

store(create_model_config(FakeML, description="Fake run"), name="fake_model")
multirun_config("fake_sweep", overrides=["model_config=quick", "model_config.epochs=1,2"],
                description="## Fake sweep\\n\\nTwo jobs.")
'''
