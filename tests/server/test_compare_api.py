"""Executions side by side over HTTP: each fact with every execution's value and whether
they differ; clear errors for too few or unknown RIDs."""

from __future__ import annotations

import pytest

from derivaml_jupyter.execution.configuration import ExecutionConfiguration

from .client import MISSING_RID, api, api_error

pytestmark = pytest.mark.real_server


def run_with_accuracy(ml, workflow, accuracy: float | None,
                      overrides: list[str] | None = None) -> str:
    """An execution that recorded ``accuracy`` (and 3 epochs) in its metrics.json (none when
    None) and, if given, the Hydra ``overrides`` it ran with, as deriva-ml-run records them."""
    with ml.create_execution(ExecutionConfiguration(workflow=workflow,
                                                    description="scored")) as exe:
        if accuracy is not None:
            exe.asset_file_path("Execution_Metadata", "metrics.json").write_text(
                f'{{"accuracy": {accuracy}, "epochs": 3}}')
        if overrides is not None:
            exe.asset_file_path("Execution_Metadata", "hydra-0-overrides.yaml").write_text(
                "".join(f"- {o}\n" for o in overrides))
    exe.upload_execution_outputs(progress=False)
    return exe.execution_rid


async def test_two_runs_side_by_side(fetch, catalog):
    ml = catalog["ml"]
    workflow = ml.lookup_workflow(catalog["workflow"])
    rids = [run_with_accuracy(ml, workflow, a) for a in (0.8, 0.9)]
    answer = await api(fetch, "compare", params={"rids": ",".join(rids)})
    assert answer["executions"] == rids
    rows = {(r["section"], r["name"]): r for r in answer["rows"]}
    assert rows[("metrics", "accuracy")]["values"] == [0.8, 0.9]
    assert rows[("metrics", "accuracy")]["differs"] is True
    assert rows[("metrics", "epochs")] == {"section": "metrics", "name": "epochs",
                                           "values": [3, 3], "differs": False}
    assert rows[("execution", "workflow")]["values"] == ["Server test", "Server test"]
    only = await api(fetch, "compare", params={"rids": ",".join(rids),
                                               "only_differences": "true"})
    assert {(r["section"], r["name"]) for r in only["rows"]} >= {("metrics", "accuracy")}
    assert all(r["differs"] for r in only["rows"])


async def test_too_few_or_unknown_rids_are_clear_errors(fetch, catalog):
    code, body = await api_error(fetch, "compare", params={"rids": catalog["execution"]})
    assert code == 400 and "two to twenty execution RIDs" in body["message"]
    code, body = await api_error(fetch, "compare", params={
        "rids": f"{catalog['execution']},{MISSING_RID}"})
    assert code == 404 and MISSING_RID in body["message"]
