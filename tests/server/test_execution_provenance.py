"""An execution's provenance over HTTP: what it ran on, from its environment.json, and the
metrics its metrics files hold."""

from __future__ import annotations

import platform

import pytest

from derivaml_jupyter.execution.configuration import ExecutionConfiguration

from .client import MISSING_RID, api, api_error

pytestmark = pytest.mark.real_server


async def test_environment_and_metrics_of_a_run(fetch, catalog):
    ml = catalog["ml"]
    workflow = ml.lookup_workflow(catalog["workflow"])
    with ml.create_execution(ExecutionConfiguration(workflow=workflow)) as exe:
        exe.asset_file_path("Execution_Metadata", "metrics.json").write_text(
            '{"accuracy": 0.93, "eval": {"loss": 0.2}}')
    exe.upload_execution_outputs(progress=False)
    answer = await api(fetch, "executions", exe.execution_rid, "provenance")
    environment = answer["environment"]
    assert environment["python"] == platform.python_version()
    assert environment["packages"] > 10 and environment["platform"]
    assert environment["git"] is None or {"commit", "remote", "dirty"} <= set(environment["git"])
    assert answer["metrics"] == {"accuracy": 0.93, "eval.loss": 0.2}


async def test_an_unknown_execution_is_404(fetch, catalog):
    code, body = await api_error(fetch, "executions", MISSING_RID, "provenance")
    assert code == 404 and MISSING_RID in body["message"]
