"""POST push over HTTP: executions of the request's local catalog copied to another local
catalog or to a catalog of the DERIVA server; clear 4xx answers for a bad target."""

from __future__ import annotations

import json

import pytest
from backends import TEST_HOST, new_deriva_catalog

from derivaml_jupyter.ml import DerivaML

from .client import MISSING_RID, api, api_error


def target_catalog(host: str = "local", catalog: str = "target") -> DerivaML:
    """A catalog to push to, with the domain table the ``catalog`` fixture's rows need."""
    ml = DerivaML(host, catalog)
    ml.create_table("Subject", {"Name": "text"})
    ml.add_dataset_element_type("Subject")
    return ml


def push(to: str, rids: list[str] | None = None) -> dict:
    body = {"to": to} if rids is None else {"to": to, "rids": rids}
    return {"method": "POST", "body": json.dumps(body)}


async def test_push_to_another_local_catalog(fetch, catalog):
    rid = catalog["execution"]
    target_catalog()
    answer = await api(fetch, "push", **push("target", [rid]))
    assert (answer["host"], answer["catalog"]) == ("local", "target")
    pushed = answer["executions"][rid]
    assert answer["rows_inserted"] > 0 and answer["files_uploaded"] >= 1
    copy = DerivaML("local", "target").lookup_execution(pushed)
    assert copy.description == "A test run"
    assert [r["Filename"] for r in copy.outputs["assets"]["Execution_Asset"]] == ["metrics.txt"]
    again = await api(fetch, "push", **push("target"))  # every execution not pushed yet
    assert again["executions"] == {} and again["rows_inserted"] == 0


@pytest.mark.skipif(not TEST_HOST, reason="set DERIVAML_TEST_HOST to a DERIVA server")
async def test_push_to_the_deriva_server(fetch, catalog):
    rid = catalog["execution"]
    with new_deriva_catalog() as catalog_id:
        target_catalog(TEST_HOST, catalog_id)
        answer = await api(fetch, "push", **push(f"{TEST_HOST}/{catalog_id}", [rid]))
        pushed = answer["executions"][rid]
        remote = DerivaML(TEST_HOST, catalog_id).lookup_execution(pushed)
        assert remote.description == "A test run"


async def test_a_bad_target_or_rid_is_a_clear_4xx(fetch, catalog):
    rid = catalog["execution"]
    target_catalog()
    code, body = await api_error(fetch, "push", **push("not a target"))
    assert code == 400 and "HOST/CATALOG" in body["message"]
    code, body = await api_error(fetch, "push", **push("deriva.example.org/1", [rid]))
    assert code == 403 and "allowed_hosts" in body["message"]
    code, body = await api_error(fetch, "push", **push("nosuch", [rid]))
    assert code == 404 and "derivaml init --catalog nosuch" in body["message"]
    code, body = await api_error(fetch, "push", **push("default", [rid]))
    assert code == 400 and "to itself" in body["message"]
    code, body = await api_error(fetch, "push", **push("target", [MISSING_RID]))
    assert code == 404 and MISSING_RID in body["message"]
