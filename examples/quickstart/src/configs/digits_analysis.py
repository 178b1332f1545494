"""Configuration of the notebook ``notebooks/digits_analysis.ipynb``."""

from dataclasses import dataclass

from derivaml.execution import BaseConfig, notebook_config


@dataclass
class DigitsAnalysisConfig(BaseConfig):
    examples_per_row: int = 10


notebook_config(
    "digits_analysis",
    config_class=DigitsAnalysisConfig,
    defaults={"datasets": "digits_testing"},
    description="Look at the test digits: label counts and examples.",
)
