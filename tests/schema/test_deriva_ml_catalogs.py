"""DerivaML on catalogs made by the released deriva-ml, on a real DERIVA server.

Needs ``DERIVAML_TEST_HOST``, and either
- ``DERIVAML_TEST_DERIVA_ML_PYTHON``: the Python of a deriva-ml installation (several, joined
  with ``os.pathsep``, run the module once per release). Each makes a fresh demo catalog with
  deriva-ml's own builder (``deriva_ml_helper.py demo``), deleted afterwards, and reads back
  what we wrote with deriva-ml; or
- ``DERIVAML_TEST_DML_CATALOG``: the id of an existing catalog deriva-ml made. Tests add rows
  to it (an execution, a dataset) but never change its schema: those that would are skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.core.definitions import Status
from derivaml_jupyter.core.errors import DerivaMLNeedsMigration
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML

HOST = os.environ.get("DERIVAML_TEST_HOST")
PYTHONS = [p for p in os.environ.get("DERIVAML_TEST_DERIVA_ML_PYTHON", "").split(os.pathsep)
           if p]
EXISTING = os.environ.get("DERIVAML_TEST_DML_CATALOG")
HELPER = Path(__file__).with_name("deriva_ml_helper.py")

pytestmark = pytest.mark.skipif(
    not HOST or not (PYTHONS or EXISTING),
    reason="set DERIVAML_TEST_HOST and DERIVAML_TEST_DERIVA_ML_PYTHON (a deriva-ml "
           "installation's python) or DERIVAML_TEST_DML_CATALOG (a catalog deriva-ml made)")


def helper(python: str, *args: str) -> dict:
    """Run ``deriva_ml_helper.py`` with deriva-ml's Python; its last output line is JSON."""
    done = subprocess.run([python, str(HELPER), *args], capture_output=True, text=True,
                          timeout=900, cwd=HELPER.parent)
    if done.returncode:
        sys.stderr.write(done.stdout[-3000:] + done.stderr[-6000:])
        raise AssertionError(f"deriva_ml_helper.py {' '.join(args)} failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module", params=PYTHONS or [None],
                ids=lambda p: "existing" if p is None else Path(p).parent.parent.name)
def dml(request) -> dict:
    """``{"catalog_id", "python", "fresh"}`` of a catalog deriva-ml made."""
    python = request.param
    if python is None:
        yield {"catalog_id": EXISTING, "python": None, "fresh": False}
        return
    made = helper(python, "demo", HOST)
    try:
        yield {**made, "python": python, "fresh": True}
    finally:
        from deriva.core import ErmrestCatalog, get_credential

        ErmrestCatalog("https", HOST, made["catalog_id"], get_credential(HOST)
                       ).delete_ermrest_catalog(really=True)


@pytest.fixture
def ml(dml, tmp_path, monkeypatch) -> DerivaML:
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    return DerivaML(HOST, dml["catalog_id"])


def model_doc(catalog_id: str) -> dict:
    catalog = connect_catalog(HOST, catalog_id)
    return {f"{t.schema}.{t.name}": t.to_dict() for t in catalog.model().tables()}


def test_connecting_and_reading_change_nothing(dml, tmp_path, monkeypatch):
    before = model_doc(dml["catalog_id"]), connect_catalog(HOST, dml["catalog_id"]).snapshot()
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    ml = DerivaML(HOST, dml["catalog_id"])
    assert ml.profile.name == "deriva-ml" and not ml.profile.status_terms
    ml.find_datasets(), ml.find_workflows(), ml.find_executions()
    after = model_doc(dml["catalog_id"]), connect_catalog(HOST, dml["catalog_id"]).snapshot()
    assert after == before
    assert "deriva-ml.Execution_Status" not in after[0]


def test_datasets_read_as_of_each_version(ml: DerivaML):
    datasets = ml.find_datasets().to_dataframe()
    assert len(datasets) and datasets["Version"].notna().all()
    for rid in datasets["RID"]:
        for entry in ml.dataset_history(rid):
            version = str(entry.dataset_version)
            counts = ml.count_dataset_members(rid, version=version)
            members = ml.list_dataset_members(rid, version=version)
            assert {t: len(rows) for t, rows in members.items() if rows} == counts
    top = datasets.loc[datasets["Dataset_Types"].map(lambda t: "Complete" in t)].iloc[0]
    nested = ml.list_dataset_members(top["RID"], recurse=True)
    assert nested.get("Dataset") and (nested.get("Image") or nested.get("Subject"))


def test_bag_of_the_current_version_is_materialized(ml: DerivaML):
    datasets = ml.find_datasets().to_dataframe()
    top = datasets.loc[datasets["Dataset_Types"].map(lambda t: "Complete" in t)].iloc[0]
    bag = ml.download_dataset_bag(f"{top['RID']}@{top['Version']}")
    images = bag.list_dataset_members(recurse=True).get("Image", [])
    files = list((bag.path / "data" / "asset").rglob("*")) if images else []
    assert len([f for f in files if f.is_file()]) == len(images)


def test_workflows_and_executions_read(ml: DerivaML):
    executions = ml.find_executions()
    assert len(executions) and {e.status for e in executions} <= set(Status)
    assert all(e.duration for e in executions)
    record = ml.lookup_execution(executions[-1].execution_rid)
    assert record.workflow is not None and record.workflow.workflow_type
    assert record.outputs["assets"].get("Execution_Metadata")


def test_what_we_write_reads_back_in_deriva_ml(dml, ml: DerivaML):
    datasets = ml.find_datasets().to_dataframe()
    top = datasets.loc[datasets["Dataset_Types"].map(lambda t: "Complete" in t)].iloc[0]
    subjects = ml.list_dataset_members(top["RID"], recurse=True)["Subject"]
    ml.add_term("Workflow_Type", "Training", description="Model training.")  # 1.17 lacks it
    wf = ml.create_workflow("derivaml compatibility", "Training", description="by derivaml")
    wf.url, wf.checksum = "https://example.org/derivaml-compat.py", "c0ffee" * 7
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=wf, datasets=[f"{top['RID']}@{top['Version']}"],
        description="derivaml on a deriva-ml catalog"))
    with exe:
        exe.update_status(Status.running, "working")
        exe.asset_file_path("Execution_Asset", "result.txt").write_text("42")
        made = exe.create_dataset(["Testing"], description="made by derivaml")
        made.add_dataset_members({"Subject": [s["RID"] for s in subjects[:2]]})
    uploaded = exe.upload_execution_outputs(progress=False)
    record = ml.lookup_execution(exe.execution_rid)
    assert (record.status, exe.status) == ("Uploaded", Status.uploaded)
    assert record.inputs["datasets"][0]["rid"] == top["RID"]
    child = ml.create_execution(ExecutionConfiguration(workflow=wf))
    if ml.profile.has_table("Execution_Execution"):
        exe.add_nested_execution(child)
        assert [r.execution_rid for r in exe.list_nested_executions()] == [child.execution_rid]
    else:
        with pytest.raises(DerivaMLNeedsMigration, match="derivaml migrate"):
            exe.add_nested_execution(child)
    if dml["python"] is None:
        return
    seen = helper(dml["python"], "read", HOST, dml["catalog_id"], exe.execution_rid,
                  made.dataset_rid)
    execution = seen["execution"]
    assert (execution["status"], execution["workflow"]) == ("Completed", wf.name)
    assert execution["status_detail"].startswith("Uploaded")
    assert execution["duration"].endswith("sec")
    assert execution["inputs"] == [top["RID"]]
    ours = {p.asset_rid for paths in uploaded.values() for p in paths}
    assert ours <= set(execution["outputs"])
    assert execution.get("lookup_status", "Completed") == "Completed"
    history = seen["datasets"][made.dataset_rid]["history"]
    assert [(h["version"], h["execution"]) for h in history] == [
        ("0.1.0", exe.execution_rid), ("0.2.0", exe.execution_rid)]
    assert all(h["snapshot"] for h in history)
    assert seen["datasets"][made.dataset_rid]["members"] == {
        "Subject": sorted(s["RID"] for s in subjects[:2])}


# The tests below change the catalog's schema, so they come last and need a fresh catalog.
def test_migrate_prints_then_adds_and_deriva_ml_still_reads(dml, ml: DerivaML, capsys):
    if not dml["fresh"]:
        pytest.skip("migrates: only on a catalog made for this test")
    from derivaml_jupyter.cli.main import main

    catalog = connect_catalog(HOST, dml["catalog_id"])
    snapshot = catalog.snapshot()
    assert main(["migrate", "--host", HOST, "--catalog", dml["catalog_id"]]) == 0
    assert "Dataset_Execution.Dataset_Version" in capsys.readouterr().out
    assert connect_catalog(HOST, dml["catalog_id"]).snapshot() == snapshot
    assert main(["migrate", "--host", HOST, "--catalog", dml["catalog_id"], "--yes"]) == 0
    assert main(["migrate", "--host", HOST, "--catalog", dml["catalog_id"]]) == 0
    assert "Nothing to change" in capsys.readouterr().out
    ml = DerivaML(HOST, dml["catalog_id"])
    assert ml.profile.has_table("Execution_Execution") and not ml.profile.status_terms
    datasets = ml.find_datasets().to_dataframe()
    top = datasets.loc[datasets["Dataset_Types"].map(lambda t: "Complete" in t)].iloc[0]
    wf = ml.create_workflow("after migrate", "Training")
    wf.url, wf.checksum = "https://example.org/after-migrate.py", "a1" * 20
    version = ml.increment_dataset_version(top["RID"], description="after migrate")
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=wf, datasets=[f"{top['RID']}@{version}"]))
    with exe:
        exe.asset_file_path("Execution_Asset", "after.txt").write_text("after")
    exe.upload_execution_outputs(progress=False)
    record = ml.lookup_execution(exe.execution_rid)
    assert record.start_time and record.stop_time and record.upload_duration
    assert record.inputs["datasets"][0]["version"] == str(version)
    for rid, version in zip(datasets["RID"], datasets["Version"]):  # reads at old snapshots
        ml.count_dataset_members(rid, version=version)
    if dml["python"]:
        seen = helper(dml["python"], "read", HOST, dml["catalog_id"], exe.execution_rid,
                      top["RID"])
        assert seen["execution"]["status"] == "Completed"
        assert seen["execution"]["inputs"] == [top["RID"]]
        assert seen["datasets"][top["RID"]]["history"]


def test_bag_of_a_version_made_before_migrate(dml, ml: DerivaML):
    """Dataset_Execution.Dataset_Version, added by the migration, is not in rows read as of
    an earlier snapshot: the bag walks that snapshot's model."""
    if not dml["fresh"]:
        pytest.skip("needs the migration the test above makes")
    top = next(d for d in ml.find_datasets() if "Complete" in d.dataset_types)
    before = str(top.dataset_history()[-2].dataset_version)  # the last before migrating
    bag = ml.download_dataset_bag(f"{top.dataset_rid}@{before}")
    expected = ml.list_dataset_members(top, recurse=True, version=before)
    assert {t: sorted(r["RID"] for r in rows)
            for t, rows in bag.list_dataset_members(recurse=True).items() if rows} == \
        {t: sorted(r["RID"] for r in rows) for t, rows in expected.items() if rows}


def test_member_reads_at_a_version_use_that_versions_model(dml, ml: DerivaML):
    if not dml["fresh"]:
        pytest.skip("adds a table: only on a catalog made for this test")
    first = ml.find_datasets()[0]
    rid, version = first.rid, str(first.current_version)
    before = ml.count_dataset_members(rid, version=version)
    ml.create_table("Later", {"Name": "text"})
    ml.add_dataset_element_type("Later")  # a table the version's snapshot does not have
    assert ml.count_dataset_members(rid, version=version) == before
    assert {t: len(r) for t, r in ml.list_dataset_members(rid, version=version).items()
            if r} == before
    assert ml.list_dataset_members_page(rid, "Subject", version=version)[0] is not None


def test_bag_of_a_version_older_than_a_new_table(dml, ml: DerivaML):
    if not dml["fresh"]:
        pytest.skip("needs the table the test above adds")
    first = ml.find_datasets()[0]
    ml.download_dataset_bag(f"{first.rid}@{first.current_version}")
