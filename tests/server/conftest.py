"""Fixtures of the server-extension tests: a real Jupyter server with the extension enabled
(token auth required) over a local catalog holding datasets and an uploaded execution."""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import TEST_HOST

# pytest_jupyter's server fixtures (jp_fetch, jp_serverapp, ...) for these tests only: pytest
# refuses ``pytest_plugins`` outside the top conftest, and loading the plugin there would put
# its autouse event-loop and server-cleanup fixtures around every test of the suite.
from pytest_jupyter.jupyter_server import *  # noqa: F403

from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML

MEMBERS = 250


@pytest.fixture
def jp_server_config() -> dict:
    """The extension on, token auth required, and DERIVAML_TEST_HOST allowed (the tests'
    HOME, which pytest-jupyter moves, has no credential file naming it)."""
    config = {"ServerApp": {"jpserver_extensions": {"derivaml_jupyter": True},
                            "allow_unauthenticated_access": False}}
    if TEST_HOST:
        config["DerivaMLServer"] = {"allowed_hosts": ["local", TEST_HOST]}
    return config


@pytest.fixture
def fetch(jp_fetch, ml: DerivaML):
    """``jp_fetch`` aimed at ``ml``'s catalog: its ``host`` and ``catalog`` query arguments
    are added unless a request gives its own."""

    async def fetch(*parts: str, params: dict | None = None, **kwargs):
        params = {"host": ml.hostname, "catalog": ml.catalog_id, **(params or {})}
        return await jp_fetch(*parts, params=params, **kwargs)

    return fetch


@pytest.fixture
def catalog(ml: DerivaML, tmp_path: Path) -> dict:
    """``ml`` with a 250-subject Training dataset (0.1.0 empty, 0.2.0 full) nested in a
    Complete dataset, and an execution of a workflow that read the Training dataset and
    uploaded one output file."""
    ml.create_table("Subject", {"Name": "text"})
    ml.add_dataset_element_type("Subject")
    subjects = [r["RID"] for r in ml.insert_rows(
        "Subject", [{"Name": f"s{i}"} for i in range(MEMBERS)])]
    training = ml.create_dataset("Training", description="All subjects")
    training.add_dataset_members(subjects)
    complete = ml.create_dataset("Complete", description="Parent")
    complete.add_dataset_members([training.rid])
    workflow = ml.create_workflow("Server test", "Training", description="Test workflow")
    config = ExecutionConfiguration(workflow=workflow, datasets=[f"{training.rid}@0.2.0"],
                                    description="A test run")
    with ml.create_execution(config) as exe:
        exe.asset_file_path("Execution_Asset", "metrics.txt").write_text("accuracy 0.9\n")
    exe.upload_execution_outputs(progress=False)
    return {"ml": ml, "subjects": subjects, "training": training.rid,
            "complete": complete.rid, "execution": exe.execution_rid,
            "workflow": exe.workflow_rid}
