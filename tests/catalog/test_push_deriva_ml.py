"""deriva-ml reads back what we pushed: pull a dataset of a catalog the released deriva-ml
made (its own demo builder), record an execution on it offline, push it back, and list the
execution, its output and its input dataset with deriva-ml's Python.

Needs ``DERIVAML_TEST_HOST`` and ``DERIVAML_TEST_DERIVA_ML_PYTHON`` (see
tests/schema/test_deriva_ml_catalogs.py)."""

from __future__ import annotations

import pytest
from schema.test_deriva_ml_catalogs import HOST, PYTHONS, helper

from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.catalog.clone.pull import pull_dataset
from derivaml_jupyter.catalog.push import push_executions
from derivaml_jupyter.catalog.push.history import history_files
from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML

pytestmark = pytest.mark.skipif(
    not HOST or not PYTHONS,
    reason="set DERIVAML_TEST_HOST and DERIVAML_TEST_DERIVA_ML_PYTHON (a deriva-ml "
           "installation's python)")


@pytest.fixture(scope="module", params=PYTHONS)
def dml_catalog(request):
    """``(python, catalog id)`` of a fresh demo catalog made by deriva-ml (each test adds
    its own rows); deleted after the module."""
    made = helper(request.param, "demo", HOST)
    try:
        yield request.param, made["catalog_id"]
    finally:
        helper(request.param, "delete", HOST, made["catalog_id"])


def test_deriva_ml_lists_a_pushed_execution(dml_catalog, tmp_path, monkeypatch):
    python, catalog_id = dml_catalog
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    target = connect_catalog(HOST, catalog_id)
    dataset = next(r for r in target.select(ML_SCHEMA, "Dataset", sort=["RID"]) if r["Version"])
    pull = pull_dataset(HOST, catalog_id, dataset["RID"], catalog_id="offline").pull

    offline = DerivaML("local", "offline")
    workflow = offline.create_workflow(name="pushed from offline", workflow_type="Training")
    config = ExecutionConfiguration(workflow=workflow, description="ran offline",
                                    datasets=[DatasetSpec(rid=pull.dataset,
                                                          version=pull.version)])
    with offline.create_execution(config) as exe:
        exe.asset_file_path("Execution_Asset", "predictions.csv").write_text("id,label\n1,a\n")
    exe.upload_execution_outputs()
    output = offline.catalog.select(ML_SCHEMA, "Execution_Asset_Execution",
                                    where={"Execution": exe.execution_rid})[0]

    result = push_executions(offline, HOST, catalog_id, [exe.execution_rid],
                             progress=lambda *_: None)
    pushed = result.executions[exe.execution_rid]
    read = helper(python, "read", HOST, catalog_id, pushed, pull.dataset)["execution"]
    assert read["status"] == "Completed"
    assert read["description"] == "ran offline"
    assert read["duration"]
    assert read["workflow"] == "pushed from offline"
    assert read["inputs"] == [pull.dataset]
    assert result.mapping[output["Execution_Asset"]] in read["outputs"]
    again = push_executions(offline, HOST, catalog_id, [exe.execution_rid],
                            progress=lambda *_: None)  # rows in deriva-ml's words: the same
    assert (again.rows_inserted, again.rows_updated) == (0, 0)
    assert again.already_pushed == [exe.execution_rid]


def test_deriva_ml_lists_an_execution_made_on_a_new_local_catalog(dml_catalog, tmp_path,
                                                                  monkeypatch):
    """Our schema's status words, timing columns and workflow types become the target's;
    the status history file is among the execution's outputs there."""
    python, catalog_id = dml_catalog
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    local = DerivaML()
    workflow = local.create_workflow(name="made here", workflow_type="Training")
    with local.create_execution(ExecutionConfiguration(workflow=workflow,
                                                       description="new here")) as exe:
        exe.asset_file_path("Execution_Asset", "scores.csv").write_text("id,score\n1,0.5\n")
    exe.upload_execution_outputs()

    result = push_executions(local, HOST, catalog_id, progress=lambda *_: None)
    read = helper(python, "read", HOST, catalog_id, result.executions[exe.execution_rid]
                  )["execution"]
    assert (read["status"], read["description"]) == ("Completed", "new here")
    assert read["workflow"] == "made here" and read["duration"]
    (asset,) = local.catalog.select(ML_SCHEMA, "Execution_Asset_Execution",
                                    where={"Execution": exe.execution_rid})
    assert result.mapping[asset["Execution_Asset"]] in read["outputs"]
    (history,) = history_files(local.catalog, [exe.execution_rid]).values()
    assert result.mapping[history["RID"]] in read["outputs"]  # its status history
    assert read["inputs"] == []
