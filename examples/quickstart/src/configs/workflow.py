"""Workflows (``workflow`` group)."""

from hydra_zen import builds, store

from derivaml.execution import Workflow

workflow_store = store(group="workflow")
workflow_store(
    builds(Workflow, name="Digits classifier", workflow_type="Training",
           description="Logistic regression on the demo digit images",
           populate_full_signature=True),
    name="default_workflow",
)
