"""A push copies each execution's status history: the statuses of its row's versions in the
local catalog, with their times, become the ``Execution_Metadata`` file
``status_history.jsonl`` (asset type ``Status_History``) of the pushed execution, which a
record read on the target returns as its ``status_history``. Against a local catalog always,
and a fresh catalog of DERIVAML_TEST_HOST when set."""

from __future__ import annotations

import json

import pytest
from backends import BACKENDS, TEST_HOST, new_deriva_catalog

from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.catalog.push import push_executions
from derivaml_jupyter.catalog.push.history import history_files
from derivaml_jupyter.core.definitions import ML_SCHEMA, Status
from derivaml_jupyter.core.errors import DerivaMLUploadError
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML

STATUSES = ["Created", "Running", "Running", "Stopped", "Pending_Upload", "Failed",
            "Pending_Upload", "Uploaded"]


@pytest.fixture(params=BACKENDS)
def target(request, tmp_path, monkeypatch) -> tuple[str, str]:
    """``(host, catalog)`` of an empty DerivaML catalog with a ``Model`` asset table: local
    ``target``, or a fresh catalog of DERIVAML_TEST_HOST."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    if request.param == "local":
        DerivaML("local", "target").create_asset("Model")
        yield "local", "target"
        return
    with new_deriva_catalog() as catalog_id:
        DerivaML(TEST_HOST, catalog_id).create_asset("Model")
        yield TEST_HOST, catalog_id


@pytest.fixture
def resumed(target) -> tuple[DerivaML, str]:
    """A local execution that reported progress, whose upload failed (a staged file never
    written) and was resumed: the ``STATUSES`` above."""
    ml = DerivaML()
    ml.create_asset("Model")
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Train", "Training")))
    with exe:
        exe.update_status(Status.running, "epoch 1 of 1")
        exe.asset_file_path("Model", "written.bin").write_bytes(b"w" * 100)
        forgotten = exe.asset_file_path("Model", "forgotten.bin")
    with pytest.raises(DerivaMLUploadError):
        exe.upload_execution_outputs(progress=False)
    forgotten.write_bytes(b"f" * 100)
    exe.upload_execution_outputs(progress=False)
    return ml, exe.execution_rid


def pushed_history(host: str, catalog: str, execution: str, tmp_path) -> tuple[dict, list]:
    """The pushed execution's history file row, and its lines."""
    c = connect_catalog(host, catalog)
    links = c.select(ML_SCHEMA, "Execution_Metadata_Execution", where={"Execution": execution})
    (row,) = c.select(ML_SCHEMA, "Execution_Metadata", where={
        "RID": [r["Execution_Metadata"] for r in links], "Filename": "status_history.jsonl"})
    c.get_object(row["URL"], tmp_path / "history.jsonl")
    lines = (tmp_path / "history.jsonl").read_text().splitlines()
    return row, [json.loads(line) for line in lines]


def test_a_push_copies_the_status_history_with_its_times(resumed, target, tmp_path):
    ml, rid = resumed
    result = push_executions(ml, *target, [rid], progress=lambda *_: None)
    remote = result.executions[rid]

    row, history = pushed_history(*target, remote, tmp_path)
    assert [h["status"] for h in history] == STATUSES
    assert history[2]["detail"] == "epoch 1 of 1"
    assert "never written" in history[5]["detail"]
    assert history[-1]["detail"].startswith("Uploaded 1 file(s), resuming after: Upload failed")
    versions = ml.catalog.row_versions(ML_SCHEMA, "Execution", rid)
    assert history[0]["time"] == versions[0]["RMT"]
    assert history[-1]["time"] == versions[-1]["RMT"]
    assert [h["time"] for h in history] == sorted(h["time"] for h in history)
    there = DerivaML(*target)
    assert [r["Asset_Type"] for r in there.catalog.select(
        ML_SCHEMA, "Execution_Metadata_Asset_Type", where={"Execution_Metadata": row["RID"]})] \
        == ["Status_History"]
    assert there.lookup_term("Asset_Type", "Status_History")["Name"] == "Status_History"
    # the history read on the target, where the execution never ran
    assert there.lookup_execution(remote).status_history == history
    assert there.restore_execution(remote).status_history == history


def test_pushing_again_adds_no_second_history(resumed, target, tmp_path):
    ml, rid = resumed
    first = push_executions(ml, *target, [rid], progress=lambda *_: None)
    again = push_executions(ml, *target, [rid], progress=lambda *_: None)
    assert (again.rows_inserted, again.files_uploaded, again.rows_updated) == (0, 0, 0)
    assert again.mapping == first.mapping
    assert len(history_files(ml.catalog, [rid])) == 1
    pushed_history(*target, first.executions[rid], tmp_path)  # one file there


def test_a_history_that_grew_is_recorded_again(target, tmp_path):
    """A Stopped execution pushed before its upload: its local file follows the history
    (same row), and a push to another catalog carries the whole of it."""
    ml = DerivaML()
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Train", "Training")))
    with exe:
        pass
    push_executions(ml, *target, [exe.execution_rid], progress=lambda *_: None)
    (before,) = history_files(ml.catalog, [exe.execution_rid]).values()
    exe.upload_execution_outputs(progress=False)
    DerivaML("local", "second")
    result = push_executions(ml, "local", "second", [exe.execution_rid],
                             progress=lambda *_: None)
    (after,) = history_files(ml.catalog, [exe.execution_rid]).values()
    assert after["RID"] == before["RID"] and after["MD5"] != before["MD5"]
    _, history = pushed_history("local", "second", result.executions[exe.execution_rid],
                                tmp_path)
    assert [h["status"] for h in history][-3:] == ["Stopped", "Pending_Upload", "Uploaded"]
