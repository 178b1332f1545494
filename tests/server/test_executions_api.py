"""Executions over HTTP: filtered, paged listings and detail with inputs, outputs, nesting."""

from __future__ import annotations

import pytest

from derivaml_jupyter.execution.configuration import ExecutionConfiguration

from .client import MISSING_RID, api, api_error

pytestmark = pytest.mark.real_server


def add_executions(ml, count: int, name: str = "Other") -> list[str]:
    """``count`` executions of workflow ``name``, left in status Created; their RIDs."""
    workflow = ml.create_workflow(name, "Training")
    return [ml.create_execution(ExecutionConfiguration(workflow=workflow,
                                                       description=f"run {i}")).execution_rid
            for i in range(count)]


async def test_executions_are_listed_newest_first_in_pages(fetch, catalog):
    created = add_executions(catalog["ml"], 3)
    everything = [*reversed(created), catalog["execution"]]
    first = await api(fetch, "executions", params={"limit": "3"})
    assert first["total"] == 4 and (first["offset"], first["limit"]) == (0, 3)
    assert [e["RID"] for e in first["executions"]] == everything[:3]
    rest = await api(fetch, "executions", params={"limit": "3", "offset": "3"})
    assert [e["RID"] for e in rest["executions"]] == everything[3:]
    assert rest["executions"][0]["Workflow"] == "Server test"
    assert rest["executions"][0]["Status"] == "Uploaded"


async def test_executions_filtered_by_status_and_workflow(fetch, catalog):
    created = add_executions(catalog["ml"], 2)
    by_status = await api(fetch, "executions", params={"status": "Created"})
    assert sorted(e["RID"] for e in by_status["executions"]) == sorted(created)
    by_workflow = await api(fetch, "executions", params={"workflow": "Server test"})
    assert [e["RID"] for e in by_workflow["executions"]] == [catalog["execution"]]
    none = await api(fetch, "executions", params={"status": "Failed"})
    assert none["total"] == 0 and none["executions"] == []
    code, body = await api_error(fetch, "executions", params={"status": "Done"})
    assert code == 400 and "Unknown execution status 'Done'" in body["message"]
    code, body = await api_error(fetch, "executions", params={"offset": "-1"})
    assert code == 400 and "offset" in body["message"]


async def test_execution_detail_has_inputs_outputs_and_workflow(fetch, catalog):
    ml = catalog["ml"]
    detail = await api(fetch, "executions", catalog["execution"])
    assert detail["rid"] == catalog["execution"] and detail["status"] == "Uploaded"
    assert detail["description"] == "A test run" and detail["start_time"]
    assert detail["duration"] and detail["stop_time"]
    assert detail["workflow"]["rid"] == catalog["workflow"]
    assert detail["workflow"]["workflow_type"] == ["Training"]
    assert [(d["rid"], d["version"]) for d in detail["inputs"]["datasets"]] == [
        (catalog["training"], "0.2.0")]
    outputs = detail["outputs"]["assets"]["Execution_Asset"]
    assert [o["filename"] for o in outputs] == ["metrics.txt"]
    row = ml.resolve_rid(outputs[0]["rid"]).row
    assert outputs[0]["url"] == row["URL"] and outputs[0]["md5"] == row["MD5"]
    metadata = {a["filename"] for a in detail["outputs"]["assets"]["Execution_Metadata"]}
    assert {"configuration.json", "environment.json"} <= metadata
    assert detail["children"] == [] and detail["parents"] == []


async def test_execution_detail_shows_nesting(fetch, catalog):
    ml = catalog["ml"]
    child = add_executions(ml, 1, name="Child")[0]
    ml.restore_execution(catalog["execution"]).add_nested_execution(child, sequence=0)
    parent = await api(fetch, "executions", catalog["execution"])
    assert [(c["rid"], c["workflow"]) for c in parent["children"]] == [(child, "Child")]
    nested = await api(fetch, "executions", child)
    assert [p["rid"] for p in nested["parents"]] == [catalog["execution"]]


async def test_unknown_execution_is_404_and_a_non_execution_rid_400(fetch, catalog):
    code, body = await api_error(fetch, "executions", MISSING_RID)
    assert code == 404 and body["error"] == "DerivaMLNotFound" and MISSING_RID in body["message"]
    code, body = await api_error(fetch, "executions", catalog["training"])
    assert code == 400 and "not an execution" in body["message"]
