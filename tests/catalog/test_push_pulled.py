"""Pull, work offline, push back: rows that came from the target by ``derivaml pull`` (the
dataset, its version, its members) keep their RIDs there; rows made offline are new there,
even where their local RID is one the target uses for another row. Against a local origin
always, and a fresh catalog of DERIVAML_TEST_HOST when set."""

from __future__ import annotations

import pytest
from backends import BACKENDS, TEST_HOST, new_deriva_catalog
from execution.conftest import store_images

from catalog.test_push import make_domain
from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.catalog.clone.pull import pull_dataset
from derivaml_jupyter.catalog.push import push_executions
from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML


@pytest.fixture(params=BACKENDS)
def origin(request, tmp_path, monkeypatch) -> dict:
    """A catalog (``host``, ``catalog``) holding dataset ``dataset`` of 3 images at version
    0.2.0, pulled into local catalog ``offline``."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    if request.param == "local":
        yield _fill("local", "origin", tmp_path)
        return
    with new_deriva_catalog() as catalog_id:
        yield _fill(TEST_HOST, catalog_id, tmp_path)


def _fill(host: str, catalog: str, tmp_path) -> dict:
    ml = DerivaML(host, catalog)
    make_domain(ml)
    images = store_images(ml, tmp_path / "sources", 3)
    dataset = ml.create_dataset(["Training"], description="on the server")
    dataset.add_dataset_members(images)
    pull_dataset(host, catalog, dataset.dataset_rid, "0.2.0", catalog_id="offline")
    return {"host": host, "catalog": catalog, "dataset": dataset.dataset_rid,
            "images": images}


def test_pulled_rows_keep_their_rids_and_offline_rows_are_new(origin):
    offline = DerivaML("local", "offline")
    workflow = offline.create_workflow(name="offline", workflow_type="Training")
    config = ExecutionConfiguration(workflow=workflow, description="worked offline",
                                    datasets=[DatasetSpec(rid=origin["dataset"],
                                                          version="0.2.0")])
    with offline.create_execution(config) as exe:
        exe.asset_file_path("Model", "model.pt").write_bytes(b"offline weights")
        made = exe.create_dataset(["Testing"], description="made offline")
        made.add_dataset_members(origin["images"][:2])
        offline.increment_dataset_version(origin["dataset"], description="relabelled offline",
                                          execution_rid=exe.execution_rid)
    exe.upload_execution_outputs()
    target = connect_catalog(origin["host"], origin["catalog"])
    if origin["host"] == "local":  # another dataset there has the RID minted offline
        now = target.snapshot()
        target.import_rows(ML_SCHEMA, "Dataset", [{
            "RID": made.dataset_rid, "RCT": now, "RMT": now, "RCB": "someone", "RMB": "someone",
            "Description": "made on the server after the pull"}])
    datasets_before = target.count(ML_SCHEMA, "Dataset")
    version = target.select(ML_SCHEMA, "Dataset_Version", where={
        "Dataset": origin["dataset"], "Version": "0.2.0"})[0]["RID"]

    result = push_executions(offline, origin["host"], origin["catalog"],
                             [exe.execution_rid], progress=lambda *_: None)

    m = result.mapping
    assert m[origin["dataset"]] == origin["dataset"]
    assert all(m.get(i, i) == i for i in origin["images"])
    link = target.select(ML_SCHEMA, "Dataset_Execution",
                         where={"Execution": m[exe.execution_rid]})
    assert [(r["Dataset"], r["Dataset_Version"]) for r in link] == [(origin["dataset"],
                                                                     version)]
    assert m[made.dataset_rid] != made.dataset_rid
    if origin["host"] == "local":
        assert target.select(ML_SCHEMA, "Dataset", where={"RID": made.dataset_rid})[0][
            "Description"] == "made on the server after the pull"
    members = target.select("domain", "Dataset_Image", where={"Dataset": m[made.dataset_rid]})
    assert sorted(r["Image"] for r in members) == sorted(origin["images"][:2])
    assert target.count("domain", "Image") == 3  # the pulled images were not copied
    assert target.count(ML_SCHEMA, "Dataset") == datasets_before + 1
    there = DerivaML(origin["host"], origin["catalog"]).lookup_dataset(origin["dataset"])
    assert str(there.current_version) == "0.3.0"  # the version made offline, pushed
    newest = there.dataset_history()[-1]
    assert (newest.execution_rid, newest.description) == (m[exe.execution_rid],
                                                           "relabelled offline")
    assert newest.snapshot
    assert result.already_pushed == []


def test_a_pulled_row_is_never_updated(origin):
    """Rows pulled from the target are not copies of local rows: a push leaves them as the
    target has them, however they were edited here, also when it updates the execution."""
    offline = DerivaML("local", "offline")
    target = connect_catalog(origin["host"], origin["catalog"])
    pulled = [(ML_SCHEMA, "Dataset", origin["dataset"]), ("domain", "Image", origin["images"][0])]
    before = [target.select(s, t, where={"RID": rid})[0] for s, t, rid in pulled]
    for schema, table, rid in pulled:
        offline.catalog.update(schema, table, [{"RID": rid, "Description": "edited offline"}])
    workflow = offline.create_workflow(name="offline", workflow_type="Training")
    config = ExecutionConfiguration(workflow=workflow, description="worked offline",
                                    datasets=[DatasetSpec(rid=origin["dataset"],
                                                          version="0.2.0")])
    with offline.create_execution(config) as exe:
        pass
    exe.upload_execution_outputs()

    def push():
        return push_executions(offline, origin["host"], origin["catalog"],
                               progress=lambda *_: None)

    remote = push().executions[exe.execution_rid]

    offline.catalog.update(ML_SCHEMA, "Execution", [{"RID": exe.execution_rid,
                                                     "Description": "edited offline"}])
    for schema, table, rid in pulled:
        offline.catalog.update(schema, table, [{"RID": rid, "Description": "edited again"}])
    result = push()
    assert (result.updated[exe.execution_rid].rows_updated, result.rows_updated) == (1, 1)
    assert target.select(ML_SCHEMA, "Execution", where={"RID": remote})[0]["Description"] \
        == "edited offline"
    assert [target.select(s, t, where={"RID": rid})[0] for s, t, rid in pulled] == before
