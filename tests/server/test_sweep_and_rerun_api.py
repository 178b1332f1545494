"""A sweep's jobs as a table over HTTP (each job's overrides and metrics), and what running an
execution again needs: its recorded overrides, kind, and the project it ran from."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.execution.workflow import Workflow

from .client import MISSING_RID, api, api_error
from .test_compare_api import run_with_accuracy

pytestmark = pytest.mark.real_server


async def test_a_sweep_lists_its_jobs_with_parameters_and_metrics(fetch, catalog):
    ml = catalog["ml"]
    workflow = ml.lookup_workflow(catalog["workflow"])
    jobs = [run_with_accuracy(ml, workflow, a, ["model_config=quick", f"model_config.lr={lr}"])
            for lr, a in ((0.1, 0.8), (1.0, 0.95))]
    jobs.append(run_with_accuracy(ml, workflow, None, ["+extra=on", "~model_config.seed"]))
    parent = ml.create_execution(ExecutionConfiguration(workflow=workflow,
                                                        description="## Sweep"))
    for i, job in enumerate(jobs):
        parent.add_nested_execution(job, sequence=i)
    answer = await api(fetch, "executions", parent.execution_rid, "sweep")
    assert answer["rid"] == parent.execution_rid
    assert answer["parameters"] == ["model_config", "model_config.lr", "extra",
                                    "model_config.seed"]
    assert answer["metrics"] == ["accuracy", "epochs"]
    assert [j["rid"] for j in answer["jobs"]] == jobs
    assert answer["jobs"][0]["parameters"] == {"model_config": "quick",
                                               "model_config.lr": "0.1"}
    assert answer["jobs"][1]["metrics"] == {"accuracy": 0.95, "epochs": 3}
    assert answer["jobs"][2] == {
        "rid": jobs[2], "status": "Uploaded", "description": "scored",
        "parameters": {"extra": "on", "model_config.seed": "(deleted)"}, "metrics": {}}
    code, body = await api_error(fetch, "executions", parent.execution_rid, "overrides")
    assert code == 404 and "re-run its jobs one by one" in body["message"]  # keys differ
    lone = await api(fetch, "executions", catalog["execution"], "sweep")
    assert lone == {"rid": catalog["execution"], "parameters": [], "metrics": [], "jobs": []}


async def test_a_sweep_runs_again_as_one_multirun_of_its_jobs_overrides(fetch, catalog):
    ml = catalog["ml"]
    workflow = ml.lookup_workflow(catalog["workflow"])
    parent = ml.create_execution(ExecutionConfiguration(workflow=workflow))
    for i, lr in enumerate((0.1, 1.0, 0.1)):
        parent.add_nested_execution(run_with_accuracy(
            ml, workflow, None, ["model_config=quick", f"model_config.lr={lr}", "~seed"]), i)
    answer = await api(fetch, "executions", parent.execution_rid, "overrides")
    assert answer["multirun"] is True
    assert answer["overrides"] == ["model_config=quick", "model_config.lr=0.1,1.0", "~seed"]


async def test_the_overrides_of_a_run_and_of_one_that_recorded_none(fetch, catalog):
    ml = catalog["ml"]
    workflow = ml.lookup_workflow(catalog["workflow"])
    rid = run_with_accuracy(ml, workflow, 0.5, ["model_config=quick", "datasets=small"])
    answer = await api(fetch, "executions", rid, "overrides")
    assert answer == {"rid": rid, "overrides": ["model_config=quick", "datasets=small"],
                      "kind": "model", "multirun": False, "source": None, "project": None,
                      "config_name": None}
    code, body = await api_error(fetch, "executions", catalog["execution"], "overrides")
    assert code == 404 and "recorded no Hydra overrides" in body["message"]
    code, body = await api_error(fetch, "executions", MISSING_RID, "overrides")
    assert code == 404 and MISSING_RID in body["message"]


async def test_a_run_from_a_project_under_the_root_names_its_source_and_project(
        fetch, catalog, jp_root_dir: Path):
    ml = catalog["ml"]
    project = jp_root_dir / "work" / "digits"
    (project / "src" / "configs").mkdir(parents=True)
    (project / "src" / "configs" / "__init__.py").write_text("")
    (project / "notebooks").mkdir()
    notebook = project / "notebooks" / "analysis.ipynb"
    notebook.write_text("{}")
    workflow = Workflow(name="Analysis", workflow_type=["Training"],
                        url=notebook.resolve().as_uri())
    rid = run_with_accuracy(ml, workflow, None, ["datasets=small"])
    answer = await api(fetch, "executions", rid, "overrides")
    assert answer["kind"] == "notebook"
    assert answer["source"] == "work/digits/notebooks/analysis.ipynb"
    assert answer["project"] == "work/digits"
    workflow = Workflow(name="In a repository", workflow_type=["Training"],
                        url=f"file://{jp_root_dir.resolve()}@{'0a1b2c3' * 5}a/work/digits/"
                            "notebooks/analysis.ipynb")
    rid = run_with_accuracy(ml, workflow, None, [])
    answer = await api(fetch, "executions", rid, "overrides")
    assert answer["source"] == "work/digits/notebooks/analysis.ipynb"  # in its working tree
    assert answer["overrides"] == []
    workflow = Workflow(name="Pushed repository", workflow_type=["Training"],
                        url=f"https://example.org/lab/digits/blob/{'0a1b2c3' * 5}a/work/digits/"
                            "notebooks/analysis.ipynb")
    with ml.create_execution(ExecutionConfiguration(workflow=workflow)) as exe:
        exe.asset_file_path("Execution_Metadata", "hydra-0-overrides.yaml").write_text("[]")
        exe.asset_file_path("Execution_Metadata", "environment.json").write_text(
            json.dumps({"git": {"root": str(jp_root_dir.resolve())}}))
    exe.upload_execution_outputs(progress=False)
    answer = await api(fetch, "executions", exe.execution_rid, "overrides")
    assert answer["source"] == "work/digits/notebooks/analysis.ipynb"  # its recorded checkout
    notebook.unlink()  # moved away since: nothing to run it from
    answer = await api(fetch, "executions", rid, "overrides")
    assert (answer["source"], answer["project"]) == (None, None)
