"""Catalog info, datasets (versions, members in pages) and workflows over HTTP."""

from __future__ import annotations

import pytest

from derivaml_jupyter.catalog.connect import local_catalog_path
from derivaml_jupyter.ml import DerivaML

from .client import MISSING_RID, api, api_error
from .conftest import MEMBERS

pytestmark = pytest.mark.real_server


@pytest.mark.local_only
async def test_info_names_the_catalog_and_counts_its_contents(fetch, catalog, tmp_path):
    info = await api(fetch, "info")
    assert info["host"] == "local" and info["catalog"] == "default"
    assert info["home"] == str(tmp_path)
    assert info["ml_schema"] == "deriva-ml" and info["domain_schema"] == "domain"
    assert info["counts"] == {"datasets": 2, "executions": 1}


@pytest.mark.local_only
async def test_other_catalog_is_chosen_by_query_arguments(fetch, catalog):
    DerivaML("local", "other")
    info = await api(fetch, "info", params={"host": "local", "catalog": "other"})
    assert (info["host"], info["catalog"]) == ("local", "other")
    assert info["counts"] == {"datasets": 0, "executions": 0}


@pytest.mark.local_only
async def test_reading_an_unknown_local_catalog_does_not_create_it(fetch, catalog):
    for route in ("datasets", "executions", "workflows"):
        code, body = await api_error(fetch, route, params={"catalog": "nosuch"})
        assert code == 404 and "derivaml init --catalog nosuch" in body["message"], route
        assert body["scope"] == "catalog", route  # the catalog failed, not the route
    assert not local_catalog_path("nosuch").exists()


async def test_datasets_lists_each_with_version_and_types(fetch, catalog):
    listed = {d["RID"]: d for d in await api(fetch, "datasets")}
    assert listed[catalog["training"]] == {
        "RID": catalog["training"], "Description": "All subjects", "Version": "0.2.0",
        "Dataset_Types": ["Training"]}
    assert listed[catalog["complete"]]["Dataset_Types"] == ["Complete"]
    assert len(listed) == 2


async def test_dataset_detail_has_history_nesting_and_member_counts(fetch, catalog):
    ml = catalog["ml"]
    detail = await api(fetch, "datasets", catalog["training"])
    assert detail["current_version"] == detail["version"] == "0.2.0"
    assert detail["dataset_types"] == ["Training"]
    assert [v["Version"] for v in detail["history"]] == ["0.1.0", "0.2.0"]
    record = ml.dataset_version_record(catalog["training"], "0.2.0")
    assert detail["snapshot"] == detail["history"][1]["Snapshot"] == record["Snapshot"]
    assert detail["parents"] == [catalog["complete"]] and detail["children"] == []
    assert detail["member_counts"] == {"Subject": MEMBERS}
    parent = await api(fetch, "datasets", catalog["complete"])
    assert parent["children"] == [catalog["training"]]
    assert parent["member_counts"] == {"Dataset": 1}


async def test_dataset_detail_as_of_an_old_version(fetch, catalog):
    old = await api(fetch, "datasets", catalog["training"], params={"version": "0.1.0"})
    assert old["version"] == "0.1.0" and old["current_version"] == "0.2.0"
    assert old["snapshot"] == old["history"][0]["Snapshot"]
    assert old["member_counts"] == {} and old["parents"] == []


async def test_members_come_in_pages_with_a_next_cursor(fetch, catalog):
    pages, after = [], None
    while True:
        params = {"table": "Subject", "limit": "100", **({"after": after} if after else {})}
        page = await api(fetch, "datasets", catalog["training"], "members", params=params)
        pages.append(page["rows"])
        after = page["next"]
        if after is None:
            break
        assert after == page["rows"][-1]["RID"]
    assert [len(p) for p in pages] == [100, 100, MEMBERS - 200]
    rids = [row["RID"] for p in pages for row in p]
    assert rids == sorted(catalog["subjects"])
    assert {row["Name"] for p in pages for row in p} == {f"s{i}" for i in range(MEMBERS)}


async def test_members_as_of_a_version(fetch, catalog):
    page = await api(fetch, "datasets", catalog["training"], "members",
                     params={"table": "Subject", "version": "0.1.0"})
    assert page == {"table": "Subject", "rows": [], "next": None}
    nested = await api(fetch, "datasets", catalog["complete"], "members",
                       params={"table": "Dataset"})
    assert [r["RID"] for r in nested["rows"]] == [catalog["training"]]


async def test_unknown_dataset_rid_is_404_with_a_json_message(fetch, catalog):
    code, body = await api_error(fetch, "datasets", MISSING_RID)
    assert code == 404
    assert body == {"error": "DerivaMLDatasetNotFound",
                    "message": f"Dataset {MISSING_RID} does not exist. find_datasets() lists the "
                                "datasets."}
    code, body = await api_error(fetch, "datasets", MISSING_RID, "members",
                                 params={"table": "Subject"})
    assert code == 404 and MISSING_RID in body["message"]


async def test_bad_version_is_400_and_a_missing_version_404(fetch, catalog):
    code, body = await api_error(fetch, "datasets", catalog["training"],
                                 params={"version": "latest"})
    assert code == 400 and body["error"] == "DerivaMLValidationError"
    assert "'latest' is not a dataset version" in body["message"]
    code, body = await api_error(fetch, "datasets", catalog["training"], "members",
                                 params={"table": "Subject", "version": "9.0.0"})
    assert code == 404 and "Available versions: 0.1.0, 0.2.0" in body["message"]


async def test_bad_member_queries_are_400(fetch, catalog):
    training = catalog["training"]
    for params, words in [({}, "?table=<name>"), ({"table": "Subject", "limit": "0"}, "limit"),
                          ({"table": "Subject", "limit": "ten"}, "limit"),
                          ({"table": "Workflow"}, "not a dataset element type")]:
        code, body = await api_error(fetch, "datasets", training, "members", params=params)
        assert code == 400 and words in body["message"], params
    code, body = await api_error(fetch, "datasets", training, "members",
                                 params={"table": "Subject", "after": catalog["training"]})
    assert code == 404 and "'next' cursor" in body["message"]


async def test_workflows_lists_the_recorded_workflows(fetch, catalog):
    workflows = await api(fetch, "workflows")
    assert [(w["RID"], w["Name"], w["Workflow_Type"]) for w in workflows] == [
        (catalog["workflow"], "Server test", ["Training"])]
