"""Executions over HTTP: filtered, paged listings and detail with inputs, outputs, nesting."""

from __future__ import annotations

import json
import sqlite3

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


async def test_executions_searched_by_text_date_and_dataset(fetch, catalog):
    ml = catalog["ml"]
    created = add_executions(ml, 2)  # "run 0", "run 1"
    found = await api(fetch, "executions", params={"q": "RUN 1"})
    assert [e["RID"] for e in found["executions"]] == [created[1]] and found["total"] == 1
    since = ml.lookup_execution(created[0]).start_time or \
        ml.catalog.select("deriva-ml", "Execution", where={"RID": created[0]})[0]["RCT"]
    recent = await api(fetch, "executions", params={"since": since[:10]})
    assert {catalog["execution"], *created} <= {e["RID"] for e in recent["executions"]}
    assert (await api(fetch, "executions", params={"since": "2999-01-01"}))["total"] == 0
    read = await api(fetch, "executions", params={"dataset": catalog["training"]})
    assert [e["RID"] for e in read["executions"]] == [catalog["execution"]]
    code, body = await api_error(fetch, "executions", params={"since": "yesterday"})
    assert code == 400 and "ISO 8601" in body["message"]


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
    assert code == 404 and body["error"] == "DerivaMLRidsNotFound"
    assert MISSING_RID in body["message"]
    code, body = await api_error(fetch, "executions", catalog["training"])
    assert code == 400 and "not an execution" in body["message"]


async def pages(fetch, params: dict) -> list[dict]:
    """Every page of the executions listing with ``params``, following ``next``."""
    found = [await api(fetch, "executions", params=params)]
    while found[-1]["next"]:
        found.append(await api(fetch, "executions",
                               params={**params, "after": found[-1]["next"]}))
    return found


async def test_next_cursors_walk_every_execution_once_newest_first(fetch, catalog):
    created = add_executions(catalog["ml"], 4)
    everything = [*reversed(created), catalog["execution"]]
    walked = await pages(fetch, {"limit": "2"})
    assert [[e["RID"] for e in p["executions"]] for p in walked] == [
        everything[:2], everything[2:4], everything[4:]]
    assert [p["total"] for p in walked] == [5, 5, 5] and walked[-1]["next"] is None
    assert walked[0]["executions"][0]["Workflow"] == "Other"
    assert walked[0]["executions"][0]["Workflow_RID"] == catalog["ml"].lookup_execution(
        created[-1]).workflow_rid
    skipped = await api(fetch, "executions", params={
        "limit": "1", "offset": "1", "after": walked[0]["next"]})
    assert [e["RID"] for e in skipped["executions"]] == [everything[3]]


async def test_filtered_pages_count_and_walk_only_matching_executions(fetch, catalog):
    ml = catalog["ml"]
    created = add_executions(ml, 3)
    ml.restore_execution(created[1]).update_status("Failed", "broke")
    walked = await pages(fetch, {"limit": "1", "status": "Created"})
    assert [e["RID"] for p in walked for e in p["executions"]] == [created[2], created[0]]
    assert {p["total"] for p in walked} == {2}
    failed = await api(fetch, "executions", params={"status": "Failed", "workflow": "Other"})
    assert [(e["RID"], e["Status"], e["Status_Detail"]) for e in failed["executions"]] == [
        (created[1], "Failed", "broke")]
    by_rid = await api(fetch, "executions", params={"workflow": catalog["workflow"]})
    assert [e["RID"] for e in by_rid["executions"]] == [catalog["execution"]]
    nothing = await api(fetch, "executions", params={"workflow": "No such workflow"})
    assert (nothing["total"], nothing["executions"], nothing["next"]) == (0, [], None)


async def test_unchanged_page_is_304_and_a_change_gives_a_new_etag(fetch, catalog):
    first = await fetch("derivaml", "api", "executions", params={"limit": "2"})
    etag = first.headers["ETag"]
    assert json.loads(first.body)["etag"] == etag
    again = await fetch("derivaml", "api", "executions", params={"limit": "2"},
                        headers={"If-None-Match": etag}, raise_error=False)
    assert again.code == 304 and again.body == b"" and again.headers["ETag"] == etag
    other_page = await fetch("derivaml", "api", "executions", params={"limit": "1"},
                             headers={"If-None-Match": etag}, raise_error=False)
    assert other_page.code == 200
    catalog["ml"].restore_execution(catalog["execution"]).update_status("Failed", "redo")
    changed = await fetch("derivaml", "api", "executions", params={"limit": "2"},
                          headers={"If-None-Match": etag}, raise_error=False)
    assert changed.code == 200 and changed.headers["ETag"] != etag
    assert json.loads(changed.body)["executions"][0]["Status"] == "Failed"


async def test_a_cursor_that_is_not_one_is_400(fetch, catalog):
    code, body = await api_error(fetch, "executions", params={"after": "bm90LWEtY3Vyc29y"})
    assert code == 400 and "not a cursor of the executions listing" in body["message"]
    code, body = await api_error(fetch, "executions", params={"after": "a/b"})
    assert code == 400 and "after" in body["message"]


async def test_a_poll_is_at_most_three_requests_to_a_deriva_server(fetch, catalog, backend,
                                                                   monkeypatch):
    if backend == "local":
        pytest.skip("counts HTTP requests to a DERIVA server (DERIVAML_TEST_HOST)")
    import requests

    await api(fetch, "executions", params={"limit": "50"})  # the connection is made
    add_executions(catalog["ml"], 1)
    sent = []
    send = requests.Session.send
    monkeypatch.setattr(requests.Session, "send",
                        lambda session, request, **kw: sent.append(request.url) or
                        send(session, request, **kw))
    changed = await api(fetch, "executions", params={"limit": "50"})
    assert changed["total"] == 2 and len(sent) <= 3, sent
    sent.clear()
    unchanged = await fetch("derivaml", "api", "executions", params={"limit": "50"},
                            headers={"If-None-Match": changed["etag"]}, raise_error=False)
    assert unchanged.code == 304 and len(sent) <= 3, sent


@pytest.mark.local_only
def test_pages_read_through_indexes_which_an_older_catalog_gains_when_opened(ml):
    from derivaml_jupyter.catalog.local.catalog import LocalCatalog

    path, table = ml.catalog.path, '"deriva-ml:Execution"'
    ml.catalog.close()
    with sqlite3.connect(path / "catalog.db") as db:
        db.execute('DROP INDEX "deriva-ml:Execution@rct"')
    reopened = LocalCatalog(path)
    plans = {query: " ".join(row[-1] for row in reopened._conn.execute(
        f"EXPLAIN QUERY PLAN SELECT RID FROM {table} {query} LIMIT 51", params))
        for query, params in [("ORDER BY RCT DESC, RID", []),
                              ("WHERE Status = ? ORDER BY RCT DESC, RID", ["Failed"])]}
    newest, failed = plans.values()
    assert "INDEX deriva-ml:Execution@rct" in newest and "TEMP B-TREE" not in newest
    assert "INDEX deriva-ml:Execution@fk_Status" in failed and "TEMP B-TREE" not in failed
    reopened.close()


async def test_an_execution_left_running_is_marked_abandoned(fetch, catalog):
    ml = catalog["ml"]
    [rid] = add_executions(ml, 1)
    ml.lookup_execution(rid).update_status("Running", "working")
    answer = await api(fetch, "executions", rid, "abandon", method="POST",
                       body=json.dumps({"reason": "kernel died"}))
    assert answer["status"] == "Aborted"
    record = ml.lookup_execution(rid)
    assert (record.status, record.status_detail) == ("Aborted", "Abandoned: kernel died")
    code, body = await api_error(fetch, "executions", catalog["execution"], "abandon",
                                 method="POST", body=json.dumps({"reason": "x"}))
    assert code == 409 and "is Uploaded, not Running" in body["message"]
    assert ml.lookup_execution(catalog["execution"]).status == "Uploaded"
