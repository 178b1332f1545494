"""``DerivaML``'s own constructor and methods with deriva-ml's names and parameters, on the
local catalog and (``real_server``) a fresh catalog of DERIVAML_TEST_HOST."""

from __future__ import annotations

import json
import logging
import os
import time
import warnings
from datetime import timedelta

import pytest

from derivaml import ConnectionMode, DerivaML, ExecutionConfiguration, Workflow
from derivaml.core import DerivaMLConfig
from derivaml.execution import DescribedList, reset_multirun_state
from derivaml_jupyter.annotations.tags import TAG_CHAISE_CONFIG
from derivaml_jupyter.catalog.contract import Column
from derivaml_jupyter.core import connection_mode
from derivaml_jupyter.core.errors import (
    DerivaMLConflict,
    DerivaMLNotFound,
    DerivaMLNotImplemented,
    DerivaMLReadOnlyError,
    DerivaMLRidsNotFound,
    DerivaMLSchemaPinned,
    DerivaMLSchemaRefreshBlocked,
    DerivaMLTableTypeError,
    DerivaMLValidationError,
)

pytestmark = pytest.mark.real_server


@pytest.fixture
def fresh_warnings(monkeypatch):
    monkeypatch.setattr(connection_mode, "_WARNED", set())


def test_constructor_takes_deriva_mls_parameters_in_order(tmp_path, monkeypatch,
                                                          fresh_warnings):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ml = DerivaML("local", "c1", None, "lab", "Proj", tmp_path / "cache", tmp_path / "work",
                      None, "deriva-ml", logging.INFO, logging.ERROR, None, "s3://bags", True,
                      False, ConnectionMode.offline, {"schemas": {}})
        assert logging.getLogger("deriva").level == logging.ERROR
        DerivaML("local", "c1", s3_bucket="s3://bags", mode="offline")
    assert [str(w.message).split(" is ignored")[0] for w in caught] == [
        "DerivaML.s3_bucket", "DerivaML.use_minid", "DerivaML.mode",
        "DerivaML.reuse_schema_json"]
    assert all(w.filename == __file__ for w in caught)
    assert (ml.default_schema, ml.domain_schema, ml.domain_schemas) == ("lab", "lab", ("lab",))
    assert (ml.project_name, ml.cache_dir, ml.working_dir) == (
        "Proj", tmp_path / "cache", tmp_path / "work")
    assert (ml.mode, ml.clean_execution_dir, ml.use_minid, ml.host_name) == (
        ConnectionMode.online, False, False, "local")
    with pytest.raises(ValueError):
        DerivaML("local", "c1", mode="remote")
    # Our own spellings keep working.
    assert DerivaML("local", "c1", domain_schema="lab").default_schema == "lab"
    assert DerivaML("local", "c1", domain_schemas="lab").domain_schema == "lab"
    other = DerivaML(catalog=ml.catalog)
    assert (other.catalog, other.catalog_id) == (ml.catalog, "c1")


def test_instantiate_and_config(tmp_path, monkeypatch, fresh_warnings):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    ml = DerivaML.instantiate(DerivaMLConfig(hostname="local", catalog_id="c2",
                                             default_schema="lab"))
    assert (ml.catalog_id, ml.domain_schema) == ("c2", "lab")
    assert DerivaMLConfig.compute_workdir(None, "c2", "local") == tmp_path / "work/local/c2"
    shared = DerivaMLConfig.compute_workdir("/shared", 52, "ml.example.org")
    assert str(shared).startswith("/shared/") and str(shared).endswith(
        "/deriva-ml/ml.example.org/52")
    assert DerivaML("local", "c2").working_dir == tmp_path / "work/local/c2"
    assert DescribedList() == [] and DescribedList(None, "d").description == "d"

    class Lab(DerivaML):
        def __init__(self, lab_name: str = "eye", **kwargs):
            super().__init__(**kwargs)
            self.lab_name = lab_name

    lab = Lab.instantiate(DerivaMLConfig(hostname="local", catalog_id="c2"))
    assert (lab.lab_name, lab.catalog_id) == ("eye", "c2")


def test_from_context(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    (tmp_path / ".deriva-context.json").write_text(json.dumps(
        {"hostname": "local", "catalog_id": "ctx", "default_schema": "lab"}))
    (tmp_path / "a" / "b").mkdir(parents=True)
    ml = DerivaML.from_context(tmp_path / "a" / "b")
    assert (ml.catalog_id, ml.domain_schema) == ("ctx", "lab")
    with pytest.raises(FileNotFoundError, match="No .deriva-context.json"):
        DerivaML.from_context("/")


def test_identity(ml):
    who = ml.whoami()
    assert who["id"] == ml.catalog.whoami() and ml.is_authenticated()
    assert set(who) == {"id", "display_name", "full_name", "email"} and who["display_name"]
    assert who["id"] in {u["ID"] for u in ml.user_list()}


def test_rows_rids_and_citations(ml):
    ml.create_table("Subject", {"Name": "text"})
    rows = ml.insert_rows("Subject", [{"Name": "a"}, {"Name": "b"}])
    assert [r["Name"] for r in ml.get_table_as_dict("Subject")] == ["a", "b"]
    rids = [r["RID"] for r in rows]
    found = ml.resolve_rids(rids)
    assert {r: (f.schema_name, f.table_name) for r, f in found.items()} == {
        r: (ml.domain_schema, "Subject") for r in rids}
    assert ml.resolve_rids(set(rids), candidate_tables=["Subject"]).keys() == set(rids)
    with pytest.raises(DerivaMLRidsNotFound) as missing:
        ml.resolve_rids([rids[0], "ZZZZ"])
    assert missing.value.missing_rids == {"ZZZZ"}
    cited = ml.cite(rows[0])
    assert cited.endswith(f"{rids[0]}@{ml.catalog.snapshot()}")
    assert ml.cite(cited) == cited and ml.cite(rids[0], current=True) == cited.split("@")[0]
    assert ml.cite("0000") == "dry-run (rid=0000)"


def test_path_builder(ml):
    ml.create_table("Subject", {"Name": "text", "Age": "int4"})
    pb = ml.pathBuilder()
    subject = pb.schemas[ml.domain_schema].Subject
    assert subject is pb.schemas[ml.domain_schema].tables["Subject"] or \
        subject.name == "Subject"
    inserted = subject.insert([{"Name": "a", "Age": 3}, {"Name": "b", "Age": 5},
                               {"Name": "c", "Age": None}])
    a, b, c = (r["RID"] for r in inserted)
    assert [r["Name"] for r in subject.entities().fetch()] == ["a", "b", "c"]
    assert [r["RID"] for r in subject.filter(subject.Name == "b").entities()] == [b]
    assert subject.filter((subject.Name == ["a", "b"]) & (subject.Age == 5)).attributes(
        subject.RID, "Name").fetch() == [{"RID": b, "Name": "b"}]
    either = subject.filter((subject.Name == "a") | (subject.Name == "c"))
    assert len(either.entities()) == 2 and either.entities()[0]["RID"] == a
    assert subject.filter(subject.Age == None).entities().fetch()[0]["RID"] == c  # noqa: E711
    assert subject.update([{"RID": c, "Age": 1}])[0]["Age"] == 1
    assert [r["Name"] for r in subject.entities().sort(subject.Age).fetch(limit=2)] == ["c", "a"]
    assert subject.filter(subject.RID == a).delete() == 1
    with pytest.raises(DerivaMLValidationError, match="filter the path first"):
        subject.delete()
    with pytest.raises(DerivaMLNotImplemented, match="not <"):
        subject.filter(subject.Age < 4)
    with pytest.raises(DerivaMLNotImplemented, match="link"):
        subject.link(pb.schemas[ml.ml_schema].Dataset)
    with pytest.raises(AttributeError, match="no column 'Nmae'"):
        subject.Nmae  # noqa: B018
    links = pb.schemas["deriva-ml"].tables["Dataset_Execution"]
    assert links.filter(links.Execution == "ZZZZ").entities().fetch() == []


def test_catalog_snapshot_is_read_only(ml):
    ml.create_table("Subject", {"Name": "text"})
    ml.insert_rows("Subject", [{"Name": "a"}])
    snap = ml.catalog.snapshot()
    ml.insert_rows("Subject", [{"Name": "b"}])
    old = ml.catalog_snapshot(snap)
    assert old.is_snapshot() and not ml.is_snapshot() and old is ml.catalog_snapshot(snap)
    assert [r["Name"] for r in old.get_table_as_dict("Subject")] == ["a"]
    assert len(old.pathBuilder().schemas[ml.domain_schema].Subject.entities()) == 1
    assert old.working_dir == ml.working_dir and old.domain_schema == ml.domain_schema
    with pytest.raises(DerivaMLReadOnlyError, match="read-only"):
        old.insert_rows("Subject", [{"Name": "c"}])
    with pytest.raises(DerivaMLNotFound):  # older than the catalog or its DerivaML schema
        ml.catalog_snapshot("2")


def test_vocabulary_and_association(ml):
    ml.create_vocabulary("Color", "colors", update_navbar=False)
    ml.add_term("Color", "Red", "red")
    ml.add_term("Color", "Blue", "blue")
    ml.create_table("Subject", None, True, {"Name": "text"})
    assoc = ml.define_association(["Subject", ("Hue", "Color")], metadata=[("Weight", "float4")],
                                  comment="colors of subjects")
    assert (assoc.name, assoc.schema, assoc.comment) == (
        "Subject_Color", ml.domain_schema, "colors of subjects")
    ml.create_table(assoc)
    subject = ml.insert_rows("Subject", [{"Name": "s"}])[0]["RID"]
    ml.insert_rows("Subject_Color", [{"Subject": subject, "Hue": "Blue"}])
    with pytest.raises(DerivaMLConflict, match="1 row\\(s\\) of Subject_Color"):
        ml.delete_term("Color", "Blue")
    ml.delete_term("Color", "red")
    assert [t.name for t in ml.list_vocabulary_terms("Color")] == ["Blue"]
    # Another client's term is seen once the cache is cleared.
    other = DerivaML(catalog=ml.catalog)
    ml.lookup_term("Color", "Blue")
    other.add_term("Color", "Green", "green")
    ml.clear_vocabulary_cache("Color")
    ml.clear_vocabulary_cache()
    assert ml.lookup_term("Color", "Green")["Name"] == "Green"


def test_new_tables_are_listed_in_the_navbar(ml):
    def menu() -> str:
        return json.dumps(ml.catalog.annotations()[TAG_CHAISE_CONFIG]["navbarMenu"])

    ml.apply_catalog_annotations(navbar_brand_text="Eye AI", head_title="Eye")
    ml.create_table("Subject", {"Name": "text"})
    ml.create_vocabulary("Color", "colors")
    ml.create_asset("Scan")
    assert all(f"{ml.domain_schema}:{t}" in menu() for t in ("Subject", "Color", "Scan"))
    config = ml.catalog.annotations()[TAG_CHAISE_CONFIG]
    assert (config["navbarBrandText"], config["headTitle"]) == ("Eye AI", "Eye")
    ml.create_table("Quiet", {"X": "int4"}, update_navbar=False)
    assert f"{ml.domain_schema}:Quiet" not in menu()


def test_schema_pinning(ml):
    assert not ml.pin_status().pinned and ml.diff_schema().is_empty()
    ml.create_table("Later", {"X": "int4"})
    drift = ml.pin_schema("paper run")
    assert drift.added_tables == [f"{ml.domain_schema}.Later"]
    status = ml.pin_status()
    assert (status.pinned, status.pin_reason) == (True, "paper run")
    with pytest.raises(DerivaMLSchemaPinned, match="paper run"):
        ml.refresh_schema(force=True)
    assert ml.diff_schema().render() == f"+ table {ml.domain_schema}.Later"
    ml.unpin_schema()
    ml.refresh_schema()
    assert ml.diff_schema().is_empty() and ml.pin_schema() is None
    ml.catalog.add_column(ml.domain_schema, "Later", Column("Y", "text"))
    assert ml.diff_schema().render() == f"+ column {ml.domain_schema}.Later.Y (text)"


def test_execution_dirs_and_pending_uploads(ml):
    url = "https://github.com/lab/models/blob/0123abc/train.py"
    workflow = Workflow(name="Train", workflow_type="Training", url=url, checksum="c" * 40)
    done = ml.create_execution(workflow=workflow, description="done")
    with done.execute():
        done.asset_file_path("Execution_Asset", "a.txt").write_text("a")
    done.upload_execution_outputs(clean_folder=False)
    by_url = ml.create_execution(workflow=url, description="by url", dry_run=True)
    assert by_url.workflow_rid == done.workflow_rid
    pending = ml.create_execution(workflow=done.workflow_rid, description="pending")
    assert ml.lookup_execution(pending.execution_rid).workflow.workflow_rid == done.workflow_rid
    with pending.execute():
        pending.asset_file_path("Execution_Asset", "b.txt").write_text("bb")
    with pytest.raises(TypeError, match="not both"):
        ml.create_execution(ExecutionConfiguration(workflow=workflow), description="x")

    dirs = {d["execution_rid"]: d for d in ml.list_execution_dirs()}
    assert set(dirs) == {done.execution_rid, pending.execution_rid, "0000"}  # 0000: dry run
    assert dirs[pending.execution_rid]["size_bytes"] > 0
    assert [r.execution_rid for r in ml.find_incomplete_executions()] == [pending.execution_rid]
    summary = {s.execution_rid: s for s in ml.pending_summary().per_execution}
    assert summary[pending.execution_rid].total_pending_files == 1
    assert not summary[done.execution_rid].has_pending
    with pytest.raises(DerivaMLSchemaRefreshBlocked):
        ml.refresh_schema()
    assert ml.multirun_status_summary(done.workflow_rid).counts == {
        "Uploaded": 1, "Stopped": 1}

    report = ml.commit_pending_executions()
    assert (report.execution_rids, report.total_uploaded, report.total_failed) == (
        [pending.execution_rid], 1, 0)
    assert report.per_table == {"deriva-ml:Execution_Asset": {"uploaded": 1, "failed": 0}}
    assert not ml.pending_summary().has_pending and not ml.find_incomplete_executions()
    failed = ml.commit_pending_executions(execution_rids=["ZZZZ"])
    assert failed.total_failed == 1 and failed.errors[0].startswith("execution ZZZZ: ")

    assert ml.gc_executions(status="Uploaded", older_than=timedelta(days=1)) == 0
    assert ml.gc_executions(status=["Uploaded"]) == 2
    assert not (ml.working_dir / "execution" / done.execution_rid / "manifest.jsonl").exists()
    old = ml.working_dir / "execution" / done.execution_rid
    os.utime(old, (time.time() - 3 * 86400,) * 2)
    size = {d["execution_rid"]: d["size_bytes"] for d in ml.list_execution_dirs()}
    assert ml.clean_execution_dirs(older_than_days=2) == {
        "dirs_removed": 1, "bytes_freed": size[done.execution_rid], "errors": 0}
    assert not old.exists()
    assert ml.clean_execution_dirs(exclude_rids=[pending.execution_rid, "0000"]) == {
        "dirs_removed": 0, "bytes_freed": 0, "errors": 0}
    assert ml.gc_executions(delete_working_dir=True) == 1
    assert [d["execution_rid"] for d in ml.list_execution_dirs()] == ["0000"]


def test_staged_feature_records_are_pending_rows(ml):
    ml.create_table("Subject", {"Name": "text"}, update_navbar=False)
    subject = ml.insert_rows("Subject", [{"Name": "s"}])[0]["RID"]
    ml.create_vocabulary("Grade", "grades", update_navbar=False)
    ml.add_term("Grade", "High", "high")
    Quality = ml.create_feature("Subject", "Quality", terms=["Grade"])
    table = ml.lookup_feature("Subject", "Quality").feature_table
    exe = ml.create_execution(workflow=Workflow(name="Label", workflow_type="Training"),
                              description="label")
    with exe.execute():
        exe.add_features([Quality(Subject=subject, Grade="High")])

    def rows() -> list[tuple]:
        (summary,) = ml.pending_summary().per_execution
        return [(r.table, r.pending, r.uploaded) for r in summary.rows]

    assert rows() == [(f"{table.schema}:{table.name}", 1, 0)]
    assert "1 pending" in ml.pending_summary().render()
    assert ml.commit_pending_executions().total_failed == 0
    assert rows() == [(f"{table.schema}:{table.name}", 0, 1)]
    assert not ml.pending_summary().has_pending
    assert [r["Subject"] for r in ml.get_table_as_dict(table)] == [subject]


def test_strict_preallocated_rid_is_an_applied_annotation(ml):
    ml.create_asset("Scan")
    assert not ml.is_strict_preallocated_rid("Scan")
    assert ml.set_strict_preallocated_rid("Scan") == "Scan"
    assert ml.is_strict_preallocated_rid("Scan")
    assert not DerivaML(catalog=ml.catalog).is_strict_preallocated_rid("Scan")  # staged only
    ml.apply_annotations()
    assert DerivaML(catalog=ml.catalog).is_strict_preallocated_rid("Scan")
    ml.set_strict_preallocated_rid("Scan", strict=False)
    ml.apply_annotations()
    assert not DerivaML(catalog=ml.catalog).is_strict_preallocated_rid("Scan")
    with pytest.raises(DerivaMLTableTypeError, match="asset table"):
        ml.set_strict_preallocated_rid("Dataset")


def test_provenance_sentinels_of_deriva_ml_catalogs_only(ml):
    with pytest.raises(DerivaMLNotFound, match="deriva-ml 1.54 seeds it"):
        ml.unknown_provenance_execution_rid()
    with pytest.raises(DerivaMLNotFound, match="File sentinel"):
        ml.unknown_provenance_file_rid()


def test_reset_multirun_state_forgets_sweeps_to_finalize(monkeypatch):
    import atexit

    from derivaml_jupyter.config import sweep

    calls = []
    monkeypatch.setattr(atexit, "register", lambda f, *a: calls.append(("register", a)))
    monkeypatch.setattr(atexit, "unregister", lambda f: calls.append(("unregister", f)))
    sweep._FINALIZE_AT_EXIT.add("dir")
    reset_multirun_state()
    assert calls == [("unregister", sweep.finalize_sweep_parent)]
    assert not sweep._FINALIZE_AT_EXIT
