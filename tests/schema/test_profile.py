"""The schema adapter on local catalogs shaped like deriva-ml 1.24's and 1.17's: connecting
changes nothing, everything reads, and new executions are recorded in the catalog's own words
and columns."""

from __future__ import annotations

import pytest

from derivaml_jupyter.catalog import Column, Table, connect_catalog
from derivaml_jupyter.core.definitions import Status
from derivaml_jupyter.core.errors import (
    DerivaMLNeedsMigration,
    DerivaMLNotFound,
    DerivaMLValidationError,
)
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML
from derivaml_jupyter.schema.profile import SchemaProfile

from .dml_shapes import DOMAIN, ML, DemoCatalog


def open_dml(**kwargs) -> DerivaML:
    return DerivaML("local", "dml", **kwargs)


def workflow(ml: DerivaML, name: str = "compat", types: str | list[str] = "Training"):
    wf = ml.create_workflow(name, types, description="written by derivaml")
    wf.url, wf.checksum = f"https://example.org/{name}.py", name * 4
    return wf


# -- the profile --------------------------------------------------------------------------------
def test_profile_of_a_deriva_ml_catalog(dml: DemoCatalog):
    profile = SchemaProfile.read(connect_catalog("local", "dml"))
    assert (profile.name, profile.complete, profile.status_terms) == ("deriva-ml", False, False)
    assert profile.domain_schemas == (DOMAIN,)
    assert "Duration" in profile.execution_columns
    assert profile.workflow_type_column is (dml.release == "1.17")
    assert profile.has_table("Execution_Execution") is (dml.release != "1.17")


def test_profile_of_our_catalog(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    ml = DerivaML()
    assert (ml.profile.name, ml.profile.complete, ml.profile.status_terms) == \
        ("derivaml", True, True)
    assert ml.profile.status_word(Status.stopped) == "Stopped"
    assert ml.profile.status_words(Status.uploaded) == ["Uploaded"]


def test_status_words_of_deriva_ml(dml: DemoCatalog):
    profile = SchemaProfile.read(connect_catalog("local", "dml"))
    assert [profile.status_word(s) for s in (Status.created, Status.running, Status.stopped,
                                            Status.failed, Status.pending_upload,
                                            Status.uploaded, Status.aborted)] == \
        ["Created", "Running", "Completed", "Failed", "Pending", "Completed", "Aborted"]
    assert profile.status_of("Completed") is Status.uploaded
    assert profile.status_of("Initializing") is Status.running
    assert profile.status_of("Pending") is Status.pending_upload
    assert profile.status_of("Exploded") is None
    assert profile.parse_status("completed") is Status.stopped  # our alias of its word
    assert profile.status_words(Status.running) == ["Running", "Initializing"]
    assert profile.status_words(Status.stopped) == ["Completed"]
    assert profile.status_words("Initializing") == ["Initializing"]  # its own word, as is
    with pytest.raises(DerivaMLValidationError, match="'Exploded' is not an execution status"):
        profile.status_words("Exploded")


def test_execution_values_map_timing_onto_duration(dml: DemoCatalog):
    profile = SchemaProfile.read(connect_catalog("local", "dml"))
    assert profile.execution_values(
        Status=Status.stopped, Status_Detail="done", Start_Time="t0", Stop_Time="t1",
        Execution_Duration="0H 0min 1.00sec", Download_Duration="x", Upload_Duration="y") == {
        "Status": "Completed", "Status_Detail": "done", "Duration": "0H 0min 1.00sec"}
    view = profile.execution_view({"RID": "1", "Status": "Completed", "Duration": "5sec"})
    assert view["Status"] == "Uploaded" and view["Execution_Duration"] == "5sec"
    assert view["Start_Time"] is None and view["Upload_Duration"] is None


# -- connecting changes nothing -----------------------------------------------------------------
def test_connecting_writes_nothing(dml: DemoCatalog):
    catalog = connect_catalog("local", "dml")
    before = ({(t.schema, t.name): t.to_dict() for t in catalog.model().tables()},
              catalog.snapshot())
    ml = open_dml()
    ml.find_datasets(), ml.find_executions(), ml.find_workflows()
    after = connect_catalog("local", "dml")
    assert ({(t.schema, t.name): t.to_dict() for t in after.model().tables()},
            after.snapshot()) == before
    assert not after.model().has_table(ML, "Execution_Status")
    assert ml.domain_schema == DOMAIN


def test_a_missing_required_table_names_migrate(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    catalog = connect_catalog("local", "bare")
    catalog.create_schema(ML)
    catalog.create_table(Table(ML, "Dataset", [Column("Description", "markdown")]))
    with pytest.raises(DerivaMLNeedsMigration,
                       match=r"no table deriva-ml.Dataset_Version .* `derivaml migrate "
                             r"--catalog bare`"):
        DerivaML("local", "bare")


def test_domain_schema_must_exist_in_a_deriva_ml_catalog(dml: DemoCatalog):
    with pytest.raises(DerivaMLNotFound, match="no schema 'mine'; its domain schemas are: "
                                               "demo-schema"):
        open_dml(domain_schema="mine")
    catalog = connect_catalog("local", "dml")
    catalog.create_schema("other-schema")
    with pytest.raises(DerivaMLValidationError, match="several domain schemas"):
        open_dml()
    assert open_dml(domain_schema="other-schema").search_schemas == (
        "other-schema", DOMAIN, ML)


# -- reading ------------------------------------------------------------------------------------
def test_datasets_versions_and_members_read_as_of_each_version(dml: DemoCatalog):
    ml = open_dml()
    found = ml.find_datasets().to_dataframe().set_index("RID")
    assert found.loc[dml.parent, "Version"] == "1.1.0"
    assert found.loc[dml.child, "Dataset_Types"] == ["Training"]
    assert [str(h.dataset_version) for h in ml.dataset_history(dml.parent)] == ["1.0.0", "1.1.0"]
    assert ml.list_dataset_members(dml.parent, version="1.0.0") == {}
    members = ml.list_dataset_members(dml.parent, version="1.1.0", recurse=True)
    assert sorted(r["RID"] for r in members["Subject"]) == sorted(dml.subjects[2:])
    assert sorted(r["RID"] for r in members["Image"]) == sorted(dml.images)
    assert [d.rid for d in ml.list_dataset_children(dml.parent)] == [dml.child]
    assert {t.name for t in ml.list_dataset_element_types()} >= {"Subject", "Image", "Dataset"}


def test_workflows_and_executions_read_through_the_profile(dml: DemoCatalog):
    ml = open_dml()
    workflows = ml.find_workflows()
    assert [w.workflow_type for w in workflows] == [["Demo Catalog Creation"]]
    assert ml.lookup_workflow(dml.workflow).workflow_type == ["Demo Catalog Creation"]
    executions = ml.find_executions()
    assert [(e.execution_rid, e.status, e.duration) for e in executions] == [
        (dml.execution, Status.uploaded, "0.0H 0.0min 21.5046sec")]
    assert [e.execution_rid for e in ml.find_executions(status="Completed")] == [dml.execution]
    assert ml.find_executions(status=Status.failed) == []
    record = ml.lookup_execution(dml.execution)
    assert (record.status, record.start_time) == ("Uploaded", None)
    # deriva-ml linked the datasets the execution made in Dataset_Execution: outputs
    assert record.inputs["datasets"] == []
    assert {d["rid"] for d in record.outputs["datasets"]} == {dml.parent, dml.child}
    assert {r["RID"] for r in record.outputs["assets"]["Image"]} == set(dml.images)
    assert ml.find_executions(dataset=dml.parent, dataset_role="input") == []
    assert [e.execution_rid for e in ml.find_executions(dataset=dml.parent)] == [dml.execution]
    assert record.list_nested_executions() == []


def test_bag_of_a_deriva_ml_dataset_version(dml: DemoCatalog):
    ml = open_dml()
    bag = ml.download_dataset_bag(f"{dml.parent}@1.1.0")
    members = bag.list_dataset_members(recurse=True)
    assert sorted(r["RID"] for r in members["Image"]) == sorted(dml.images)
    assert sorted(p.name for p in (bag.path / "data" / "asset").rglob("*.txt")) == \
        ["test_0.txt", "test_1.txt"]


# -- writing ------------------------------------------------------------------------------------
def test_an_execution_is_recorded_in_the_catalogs_words(dml: DemoCatalog):
    ml = open_dml()
    catalog = ml.catalog
    config = ExecutionConfiguration(workflow=workflow(ml), datasets=[f"{dml.parent}@1.0.0"],
                                    description="derivaml on deriva-ml")
    exe = ml.create_execution(config)

    def stored() -> dict:
        return catalog.select(ML, "Execution", where={"RID": exe.execution_rid})[0]

    assert stored()["Status"] == "Created" and exe.status is Status.created
    with exe:
        assert stored()["Status"] == "Running"
        exe.asset_file_path("Execution_Asset", "result.txt").write_text("42")
        made = exe.create_dataset(["Testing"], description="made by derivaml")
        made.add_dataset_members({"Subject": dml.subjects[:1]})
    row = stored()
    assert row["Status"] == "Completed"
    assert row["Status_Detail"].startswith("Execution completed in")
    assert row["Duration"].endswith("sec")
    exe.upload_execution_outputs(progress=False)
    assert (stored()["Status"], exe.status) == ("Completed", Status.uploaded)
    assert catalog.select(ML, "Dataset_Execution", where={"Execution": exe.execution_rid},
                          columns=["Dataset"]) == [{"Dataset": dml.parent}]
    record = ml.lookup_execution(exe.execution_rid)
    assert record.inputs["datasets"] == [{"rid": dml.parent, "version": None,
                                          "version_rid": None}]
    assert [f["Filename"] for f in record.outputs["assets"]["Execution_Asset"]] == ["result.txt"]
    assert [d["version"] for d in record.outputs["datasets"]] == ["0.1.0", "0.2.0"]
    assert [e.execution_rid for e in ml.find_executions(dataset=dml.parent, dataset_role="input")
            ] == [exe.execution_rid]
    assert not catalog.model().has_table(ML, "Execution_Status")


def test_a_failed_run_and_status_updates_use_its_words(dml: DemoCatalog):
    ml = open_dml()
    exe = ml.create_execution(ExecutionConfiguration(workflow=workflow(ml)))
    exe.update_status("Initializing", "warming up")  # one of deriva-ml's words
    assert exe.status is Status.created  # Initializing is deriva-ml's spelling of our Created
    with pytest.raises(RuntimeError), exe:
        raise RuntimeError("boom")
    row = ml.catalog.select(ML, "Execution", where={"RID": exe.execution_rid})[0]
    assert (row["Status"], row["Status_Detail"]) == ("Failed", "RuntimeError: boom")


def test_framework_terms_are_added_when_recording(dml: DemoCatalog):
    ml = open_dml()
    ml.create_execution(ExecutionConfiguration(workflow=workflow(ml)))
    names = {r["Name"] for r in ml.catalog.select(ML, "Asset_Type")}
    assert {"Deriva_Config", "Runtime_Env", "Output_File"} <= names
    assert ml.catalog.select(ML, "Execution_Metadata_Asset_Type", where={
        "Asset_Type": "Deriva_Config"})


def test_workflow_types_where_a_column_holds_them(dml: DemoCatalog):
    ml = open_dml()
    exe = ml.create_execution(ExecutionConfiguration(workflow=workflow(ml)))
    assert ml.lookup_workflow(exe.workflow_rid).workflow_type == ["Training"]
    two = workflow(ml, "two", ["Training", "Demo Catalog Creation"])
    if dml.release != "1.17":
        exe = ml.create_execution(ExecutionConfiguration(workflow=two))
        assert ml.lookup_workflow(exe.workflow_rid).workflow_type == [
            "Demo Catalog Creation", "Training"]
        return
    assert ml.catalog.select(ML, "Workflow", where={"RID": exe.workflow_rid})[0][
        "Workflow_Type"] == "Training"
    with pytest.raises(DerivaMLNeedsMigration, match="one type per workflow.*derivaml migrate"):
        ml.create_execution(ExecutionConfiguration(workflow=two))


def test_nesting_needs_the_nesting_table(dml: DemoCatalog):
    ml = open_dml()
    parent = ml.create_execution(ExecutionConfiguration(workflow=workflow(ml)))
    child = ml.create_execution(ExecutionConfiguration(workflow=workflow(ml)))
    if dml.release != "1.17":
        parent.add_nested_execution(child, sequence=0)
        assert [r.execution_rid for r in parent.list_nested_executions()] == \
            [child.execution_rid]
        return
    with pytest.raises(DerivaMLNeedsMigration,
                       match=r"no table deriva-ml.Execution_Execution.*cannot nest executions"):
        parent.add_nested_execution(child)
    assert parent.list_nested_executions() == []
