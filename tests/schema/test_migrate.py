"""``derivaml migrate`` on local catalogs shaped like deriva-ml 1.24's and 1.17's: it prints
what it would add, adds only that with --yes, is idempotent, and leaves deriva-ml's words."""

from __future__ import annotations

import pytest

from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.cli.main import main
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML
from derivaml_jupyter.schema.migrate import apply_migration, plan_migration

from .dml_shapes import ML, DemoCatalog

ADDED_BY_BOTH = [
    "add column deriva-ml.Execution.Download_Duration (text)",
    "add column deriva-ml.Execution.Upload_Duration (text)",
    "add column deriva-ml.Execution.Start_Time (timestamptz)",
    "add column deriva-ml.Execution.Stop_Time (timestamptz)",
    "add column deriva-ml.Dataset_Execution.Dataset_Version (text, referencing "
    "deriva-ml.Dataset_Version)",
]


def test_the_plan_lists_only_additions(dml: DemoCatalog):
    catalog = connect_catalog("local", "dml")
    snapshot = catalog.snapshot()
    planned = [c.description for c in plan_migration(catalog)]
    assert catalog.snapshot() == snapshot  # planning writes nothing
    if dml.release == "1.24":
        assert planned == [*ADDED_BY_BOTH, "add Asset_Type terms Metrics_File"]
        return
    assert planned == [
        *ADDED_BY_BOTH[:4],
        "add column deriva-ml.Dataset_Version.Minid_Spec_Hash (text)",
        ADDED_BY_BOTH[4],
        "create table deriva-ml.Execution_Execution (Execution, Nested_Execution, Sequence)",
        "create table deriva-ml.Workflow_Workflow_Type (Workflow, Workflow_Type)",
        "copy the Workflow_Type of 1 workflow(s) into Workflow_Workflow_Type",
        "add Asset_Type terms Hydra_Config, Deriva_Config, Metrics_File",
    ]


def test_migrating_is_idempotent_and_keeps_deriva_mls_words(dml: DemoCatalog):
    catalog = connect_catalog("local", "dml")
    apply_migration(catalog, plan_migration(catalog))
    assert plan_migration(catalog) == []
    model = catalog.model()
    assert not model.has_table(ML, "Execution_Status")
    assert "Duration" in model.table(ML, "Execution").column_names
    assert "Execution_Duration" not in model.table(ML, "Execution").column_names
    ml = DerivaML("local", "dml")
    assert (ml.profile.name, ml.profile.status_terms) == ("deriva-ml", False)
    assert ml.lookup_workflow(dml.workflow).workflow_type == ["Demo Catalog Creation"]
    assert [e.status for e in ml.find_executions()] == ["Uploaded"]


def test_a_migrated_catalog_records_what_it_lacked(dml: DemoCatalog):
    catalog = connect_catalog("local", "dml")
    apply_migration(catalog, plan_migration(catalog))
    ml = DerivaML("local", "dml")
    wf = ml.create_workflow("both", ["Training", "Demo Catalog Creation"])
    wf.url, wf.checksum = "https://example.org/both.py", "b0" * 20
    parent = ml.create_execution(ExecutionConfiguration(
        workflow=wf, datasets=[f"{dml.parent}@1.0.0"]))
    with parent:
        parent.asset_file_path("Execution_Asset", "out.txt").write_text("out")
    parent.upload_execution_outputs(progress=False)
    child = ml.create_execution(ExecutionConfiguration(workflow=wf))
    parent.add_nested_execution(child, sequence=1)
    row = catalog.select(ML, "Execution", where={"RID": parent.execution_rid})[0]
    assert row["Status"] == "Completed" and row["Duration"] and row["Start_Time"]
    assert row["Stop_Time"] and row["Upload_Duration"] and row["Download_Duration"]
    record = ml.lookup_execution(parent.execution_rid)
    assert record.inputs["datasets"][0]["version"] == "1.0.0"
    assert [r.execution_rid for r in record.list_nested_executions()] == [child.execution_rid]
    assert ml.lookup_workflow(parent.workflow_rid).workflow_type == [
        "Demo Catalog Creation", "Training"]
    if dml.release == "1.17":  # deriva-ml 1.17 still reads the first type from its column
        assert catalog.select(ML, "Workflow", where={"RID": parent.workflow_rid})[0][
            "Workflow_Type"] == "Training"


def test_cli_prints_the_plan_then_applies_it_with_yes(dml: DemoCatalog, capsys):
    catalog = connect_catalog("local", "dml")
    snapshot = catalog.snapshot()
    assert main(["migrate", "--catalog", "dml"]) == 0
    out = capsys.readouterr().out
    assert "derivaml migrate would make" in out and ADDED_BY_BOTH[0] in out
    assert "Nothing was changed; to apply: derivaml migrate --catalog dml --yes" in out
    assert catalog.snapshot() == snapshot
    assert main(["migrate", "--catalog", "dml", "--yes"]) == 0
    assert f"done: {ADDED_BY_BOTH[0]}" in capsys.readouterr().out
    assert main(["migrate", "--catalog", "dml", "--yes"]) == 0
    assert "Nothing to change: catalog dml on local" in capsys.readouterr().out


def test_our_catalog_needs_nothing_and_an_empty_one_gets_our_schema(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    DerivaML("local", "ours")
    assert plan_migration(connect_catalog("local", "ours")) == []
    empty = connect_catalog("local", "empty")
    changes = plan_migration(empty)
    assert [c.description for c in changes] == [
        "create the deriva-ml schema and the domain schema 'domain' (a new DerivaML catalog)"]
    apply_migration(empty, changes)
    assert DerivaML("local", "empty").profile.complete


def test_cli_migrate_does_not_create_a_local_catalog(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    assert main(["migrate", "--catalog", "nowhere"]) == 1
    assert "There is no local catalog 'nowhere'" in capsys.readouterr().err
    assert not (tmp_path / "catalogs" / "nowhere").exists()


@pytest.mark.parametrize("dml", ["1.17"], indirect=True)
def test_a_1_17_catalog_needs_migrate_for_nesting_then_has_it(dml: DemoCatalog, capsys):
    ml = DerivaML("local", "dml")
    assert not ml.profile.has_table("Execution_Execution")
    assert main(["migrate", "--catalog", "dml", "--yes"]) == 0
    assert DerivaML("local", "dml").profile.has_table("Execution_Execution")
