"""The executions of a workflow, found by its RID or by its type, in a catalog or a bag."""

from __future__ import annotations

from ..catalog.contract import Catalog
from ..core.errors import DerivaMLNotFound, DerivaMLValidationError


def workflow_execution_rids(catalog: Catalog, ml_schema: str, workflow: str) -> list[str]:
    """RIDs of the executions of ``workflow``: every workflow of that ``Workflow_Type``
    name, else the workflow with that RID."""
    workflows = [r["Workflow"] for r in catalog.select(
        ml_schema, "Workflow_Workflow_Type", where={"Workflow_Type": workflow})]
    if not workflows and _is_workflow(catalog, ml_schema, workflow):
        workflows = [workflow]
    if not workflows:
        raise DerivaMLNotFound(
            f"There is no workflow {workflow!r}: it is neither a Workflow RID nor a "
            "Workflow_Type of a workflow here.")
    return [r["RID"] for r in catalog.select(ml_schema, "Execution",
                                             where={"Workflow": workflows})]


def _is_workflow(catalog: Catalog, ml_schema: str, rid: str) -> bool:
    try:
        return bool(catalog.count(ml_schema, "Workflow", where={"RID": rid}))
    except DerivaMLValidationError:  # not even RID-shaped
        return False
