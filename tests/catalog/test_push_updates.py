"""A push brings later changes of executions it pushed before: a Stopped execution pushed,
then uploaded here, gets its new status, status history and outputs on the target; a row
changed on neither side is not written; local changes win over the target's copy; an update
interrupted half-way completes on the next push. Against a local catalog always, and a fresh
catalog of DERIVAML_TEST_HOST when set."""

from __future__ import annotations

import contextlib
import io
import re

import pytest
from backends import BACKENDS, TEST_HOST, new_deriva_catalog

from catalog.test_push import make_domain, record_offline_work
from catalog.test_push_history import pushed_history
from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.catalog.deriva import DerivaCatalog
from derivaml_jupyter.catalog.local import LocalCatalog
from derivaml_jupyter.catalog.push import push_executions
from derivaml_jupyter.cli.main import main
from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML


def quiet(*_: object) -> None:
    """No progress bars."""


@pytest.fixture(params=BACKENDS)
def target(request, tmp_path, monkeypatch) -> tuple[str, str]:
    """``(host, catalog)`` of an empty DerivaML catalog with the project's tables (see
    ``make_domain``): local ``target``, or a fresh catalog of DERIVAML_TEST_HOST."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    if request.param == "local":
        make_domain(DerivaML("local", "target"))
        yield "local", "target"
        return
    with new_deriva_catalog() as catalog_id:
        make_domain(DerivaML(TEST_HOST, catalog_id))
        yield TEST_HOST, catalog_id


class Updates:
    """The tables of the target each ``update`` call wrote, in order; ``fail_at``: a table
    whose next update raises instead."""

    def __init__(self) -> None:
        self.tables: list[str] = []
        self.fail_at: str | None = None


@pytest.fixture
def updates(target, monkeypatch) -> Updates:
    """The updates of the target (see ``Updates``)."""
    seen = Updates()
    for cls in (LocalCatalog, DerivaCatalog):
        def update(self, schema, table, rows, _update=cls.update):
            if self.catalog_id == target[1]:
                seen.tables.append(table)
                if table == seen.fail_at:
                    seen.fail_at = None
                    raise RuntimeError("interrupted")
            return _update(self, schema, table, rows)
        monkeypatch.setattr(cls, "update", update)
    return seen


def stopped_execution(ml: DerivaML) -> tuple[object, str]:
    """An execution of ``ml`` (given the project's tables here) that ran and stopped with
    a Model file not uploaded yet."""
    make_domain(ml)
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Train", "Training"), description="stopped"))
    with exe:
        exe.asset_file_path("Model", "model.bin").write_bytes(b"m" * 100)
    return exe, exe.execution_rid


def execution_there(host: str, catalog: str, rid: str) -> dict:
    (row,) = connect_catalog(host, catalog).select(ML_SCHEMA, "Execution", where={"RID": rid})
    return row


def push_cli(host: str, catalog: str, *rids: str) -> str:
    """``derivaml push --to HOST/CATALOG --quiet RIDS`` in this process; its output."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["push", "--to", f"{host}/{catalog}", "--quiet", *rids]) == 0
    return out.getvalue()


def test_a_stopped_execution_uploaded_after_its_push_is_updated_there(target, tmp_path):
    ml = DerivaML()
    exe, rid = stopped_execution(ml)
    first = push_executions(ml, *target, progress=quiet)
    remote = first.executions[rid]
    assert execution_there(*target, remote)["Status"] == "Stopped"
    history_row, history = pushed_history(*target, remote, tmp_path)
    assert history[-1]["status"] == "Stopped"
    c = connect_catalog(*target)
    assert c.select("domain", "Model_Execution", where={"Execution": remote}) == []

    exe.upload_execution_outputs(progress=False)
    out = push_cli(*target)  # every execution not pushed yet, or changed since

    to = "/".join(target)
    (added,) = re.findall(rf"^Execution {rid}: updated on {to}, as {remote} \(status Stopped "
                          r"-> Uploaded, (\d+) rows added, 2 rows updated\)\.$", out, re.M)
    assert int(added) >= 3  # the Model row, its asset type, its Output link
    assert "2 files sent." in out and "2 rows updated" in out
    row = execution_there(*target, remote)
    local = ml.catalog.select(ML_SCHEMA, "Execution", where={"RID": rid})[0]
    assert (row["Status"], row["Status_Detail"]) == ("Uploaded", local["Status_Detail"])
    again_row, history = pushed_history(*target, remote, tmp_path)
    assert again_row["RID"] == history_row["RID"] and again_row["MD5"] != history_row["MD5"]
    assert [h["status"] for h in history][-3:] == ["Stopped", "Pending_Upload", "Uploaded"]
    (link,) = c.select("domain", "Model_Execution", where={"Execution": remote})
    (model,) = c.select("domain", "Model", where={"RID": link["Model"]})
    c.get_object(model["URL"], tmp_path / "model.bin")
    assert (tmp_path / "model.bin").read_bytes() == b"m" * 100

    third = push_executions(ml, *target, progress=quiet)
    assert (third.executions, third.rows_inserted, third.rows_updated) == ({}, 0, 0)


def test_a_pushed_row_changed_on_neither_side_is_not_written(target, updates, tmp_path):
    ml = DerivaML()
    work = record_offline_work(ml, tmp_path / "sources")
    first = push_executions(ml, *target, progress=quiet)
    before = execution_there(*target, first.executions[work["execution"]])
    updates.tables.clear()

    again = push_executions(ml, *target, [work["execution"]], progress=quiet)
    assert updates.tables == []  # not one update request
    assert (again.rows_inserted, again.rows_updated, again.files_uploaded) == (0, 0, 0)
    assert (again.already_pushed, again.updated) == ([work["execution"]], {})
    assert execution_there(*target, first.executions[work["execution"]])["RMT"] == \
        before["RMT"]


def test_local_changes_win_and_changes_there_alone_stay(target, updates):
    ml = DerivaML()
    exe, rid = stopped_execution(ml)
    exe.upload_execution_outputs(progress=False)
    remote = push_executions(ml, *target, progress=quiet).executions[rid]
    c = connect_catalog(*target)

    c.update(ML_SCHEMA, "Execution", [{"RID": remote, "Description": "edited there"}])
    updates.tables.clear()
    assert push_executions(ml, *target, progress=quiet).executions == {}
    assert updates.tables == []
    assert execution_there(*target, remote)["Description"] == "edited there"

    ml.catalog.update(ML_SCHEMA, "Execution", [{"RID": rid, "Description": "edited here"}])
    result = push_executions(ml, *target, progress=quiet)
    assert (result.updated[rid].status, result.updated[rid].rows_added,
            result.updated[rid].rows_updated) == (None, 0, 1)
    assert str(result.updated[rid]) == "1 row updated"
    assert (result.rows_updated, result.already_pushed) == (1, [])
    assert execution_there(*target, remote)["Description"] == "edited here"


def test_an_interrupted_update_completes_on_the_next_push(target, updates, tmp_path):
    ml = DerivaML()
    exe, rid = stopped_execution(ml)
    remote = push_executions(ml, *target, progress=quiet).executions[rid]
    exe.upload_execution_outputs(progress=False)
    updates.fail_at = "Execution_Metadata"  # after the Execution row's update
    with pytest.raises(RuntimeError, match="interrupted"):
        push_executions(ml, *target, progress=quiet)
    assert execution_there(*target, remote)["Status"] == "Uploaded"
    assert pushed_history(*target, remote, tmp_path)[1][-1]["status"] == "Stopped"

    result = push_executions(ml, *target, progress=quiet)
    assert (result.rows_inserted, result.rows_updated) == (0, 1)  # the history file's row
    assert result.updated[rid].status is None
    assert pushed_history(*target, remote, tmp_path)[1][-1]["status"] == "Uploaded"
