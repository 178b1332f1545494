"""A small project written the way deriva-ml's current release and its model template write
configs (only ``deriva_ml`` spelled ``derivaml``): ``store(DerivaMLConfig, ...)`` with
deriva-ml's connection fields, ``base_defaults`` plus an optional ``script_config`` group,
``DerivaMLModel``, ``DescribedList``, ``MultirunSpec`` and ``get_notebook_configuration``."""

CONFIGS = {
    "__init__.py": '''
from derivaml.execution import load_configs

load_all_configs = lambda: load_configs("configs")  # noqa: E731
''',
    "deriva.py": '''
from hydra_zen import store
from derivaml.core.config import DerivaMLConfig

deriva_store = store(group="deriva_ml")
deriva_store(DerivaMLConfig, name="default_deriva", hostname="local", catalog_id="compat",
             default_schema="compat", use_minid=False,
             zen_meta={"description": "The embedded catalog, new tables in schema compat."})
deriva_store(DerivaMLConfig, name="deriva_ml_only", hostname="local", catalog_id="compat",
             domain_schemas=["compat", "other"], default_schema="compat",
             s3_bucket="s3://bucket", use_minid=True, mode="offline", ml_schema="deriva-ml",
             deriva_logging_level=10)
''',
    "datasets.py": '''
from hydra_zen import store

store([], group="datasets", name="default_dataset")
''',
    "assets.py": '''
from hydra_zen import store
from derivaml.execution import with_description

asset_store = store(group="assets")
asset_store([], name="default_asset")
asset_store(with_description(["6-EPNR"], "Pretrained weights."), name="weights")
''',
    "workflow.py": '''
from hydra_zen import builds, store
from derivaml.execution import Workflow

store(builds(Workflow, name="Compat", workflow_type=["Training", "Analysis"],
             populate_full_signature=True), group="workflow", name="default_workflow")
''',
    "model.py": '''
from hydra_zen import builds, store
from models.train import train

store(builds(train, populate_full_signature=True, zen_partial=True),
      group="model_config", name="default_model")
''',
    "scripts.py": '''
from hydra_zen import builds, store
from models.report import make_report

script_store = store(group="script_config")
script_store(builds(make_report, title="Compat report", populate_full_signature=True,
                    zen_partial=True), name="report")
''',
    "base.py": '''
from hydra_zen import store
from derivaml import DerivaML
from derivaml.execution import BaseConfig, DerivaBaseConfig, base_defaults, create_model_config

DerivaModelConfig = create_model_config(
    DerivaML, description="Compat run",
    hydra_defaults=[*base_defaults, {"optional script_config": "none"}])
store(DerivaModelConfig, name="deriva_model")

__all__ = ["BaseConfig", "DerivaBaseConfig", "DerivaModelConfig", "base_defaults"]
''',
    "experiments.py": '''
from hydra_zen import MISSING, make_config, store
from configs.base import DerivaModelConfig

store(
    make_config(hydra_defaults=["_self_", {"override /script_config": "report"}],
                script_config=MISSING, description="Write the report.",
                bases=(DerivaModelConfig,)),
    group="experiment", package="_global_", name="report",
)
''',
    "analysis.py": '''
from dataclasses import dataclass
from derivaml.execution import BaseConfig, notebook_config


@dataclass
class AnalysisConfig(BaseConfig):
    threshold: float = 0.5


AnalysisConfigBuilds = notebook_config("analysis", config_class=AnalysisConfig,
                                       description="Compat analysis")
''',
    "multiruns.py": '''
from derivaml.execution import MultirunSpec, multirun_config

SWEEP = multirun_config("epochs", overrides=["model_config.epochs=1,2"],
                        description="## Epochs")
assert isinstance(SWEEP, MultirunSpec)
''',
}

MODELS = {
    "__init__.py": "",
    "train.py": '''
from derivaml.execution import DerivaMLModel


def train(epochs: int = 1, ml_instance=None, execution=None) -> None:
    """Write one output file."""
    execution.asset_file_path("Execution_Asset", "model.txt").write_text(f"epochs={epochs}")


assert isinstance(train, DerivaMLModel)
''',
    "report.py": '''
def make_report(title: str = "Report", ml_instance=None, execution=None) -> None:
    """A script config: previews in a dry run (execution=None), else writes report.txt."""
    text = f"{title} in schema {ml_instance.domain_schema}"
    if execution is None:
        print(f"preview: {text}")
        return
    execution.asset_file_path("Execution_Asset", "report.txt").write_text(text)
''',
}

# Run from the project folder: resolve the notebook config with get_notebook_configuration.
GET_NOTEBOOK_CONFIGURATION = '''
import json, sys
sys.path.insert(0, "src")
from derivaml.execution import DescribedList, get_notebook_configuration, load_configs
from configs.analysis import AnalysisConfigBuilds
load_configs("configs")
config = get_notebook_configuration(AnalysisConfigBuilds, config_name="analysis",
                                    overrides=sys.argv[1:])
print(json.dumps({"type": type(config).__name__, "threshold": config.threshold,
                  "assets": list(config.assets),
                  "described": isinstance(config.assets, DescribedList),
                  "assets_description": getattr(config.assets, "description", None),
                  "schema": config.deriva_ml.domain_schema,
                  "choices": config.config_choices}))
'''
