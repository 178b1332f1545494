"""``derivaml push`` against a DERIVA server's recorded answers: a dataset of a fresh catalog
is pulled (as in tests/catalog/test_push_pulled.py), an execution reading it is recorded
offline (two small output files and a dataset made offline), pushed back, and what the server
then holds is checked (the execution's status history among it); pushing again adds
nothing."""

from __future__ import annotations

import re

import pytest

from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.catalog.clone.pull import pull_dataset
from derivaml_jupyter.catalog.push import pushes
from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML

from .conftest import derivaml

OUTPUTS = {("Model", "model.pt"): b"offline weights\n",
           ("Execution_Asset", "notes.txt"): b"trained offline\n"}


@pytest.fixture
def origin(recorded, tmp_path, monkeypatch):
    """A fresh catalog (``host``, ``catalog``) whose dataset ``dataset`` of two small images
    (``images``, at 0.2.0) is pulled into local catalog ``offline``. (Made here, not by the
    helpers of other tests: a change to what this sends needs a new recording.)"""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    with recorded.new_catalog() as catalog_id:
        ml = DerivaML(recorded.host, catalog_id)
        ml.create_asset("Model")
        ml.create_asset("Image")
        ml.add_dataset_element_type("Image")
        files = [tmp_path / f"img{i}.png" for i in range(2)]
        for i, f in enumerate(files):
            f.write_bytes(f"pulled image {i}\n".encode())
        images = [r["RID"] for r in ml.insert_rows("Image", [
            {"URL": info.url, "Filename": f.name, "Length": info.length, "MD5": info.md5}
            for f in files for info in [ml.catalog.put_object("domain/Image", f.name, f)]])]
        dataset = ml.create_dataset(["Training"], description="on the server")
        dataset.add_dataset_members(images)
        pull_dataset(recorded.host, catalog_id, dataset.dataset_rid, "0.2.0",
                     catalog_id="offline")
        yield {"host": recorded.host, "catalog": catalog_id, "dataset": dataset.dataset_rid,
               "images": images}


def test_push_copies_offline_work_to_the_server_once(origin, tmp_path):
    offline = DerivaML("local", "offline")
    workflow = offline.create_workflow(name="offline", workflow_type="Training")
    config = ExecutionConfiguration(workflow=workflow, description="worked offline",
                                    datasets=[DatasetSpec(rid=origin["dataset"],
                                                          version="0.2.0")])
    with offline.create_execution(config) as exe:
        for (table, name), content in OUTPUTS.items():
            exe.asset_file_path(table, name).write_bytes(content)
        made = exe.create_dataset(["Testing"], description="made offline")
        made.add_dataset_members(origin["images"][:1])
    exe.upload_execution_outputs()

    to = f"{origin['host']}/{origin['catalog']}"
    out = derivaml("push", "--to", to, "--catalog", offline.catalog_id)
    (remote,) = re.findall(rf"^Execution {exe.execution_rid} -> (\S+) on {to}$", out, re.M)
    mapping = dict(re.findall(r"^  (\S+) -> (\S+)$", out, re.M))

    target = connect_catalog(origin["host"], origin["catalog"])
    (row,) = target.select(ML_SCHEMA, "Execution", where={"RID": remote})
    assert (row["Description"], row["Status"]) == ("worked offline", "Uploaded")
    # its status history file (whose content, holding times, replays only by its MD5)
    links = target.select(ML_SCHEMA, "Execution_Metadata_Execution", where={"Execution": remote})
    (history,) = target.select(ML_SCHEMA, "Execution_Metadata", where={
        "RID": [r["Execution_Metadata"] for r in links], "Filename": "status_history.jsonl"})
    assert [r["Asset_Type"] for r in target.select(
        ML_SCHEMA, "Execution_Metadata_Asset_Type",
        where={"Execution_Metadata": history["RID"]})] == ["Status_History"]
    read = target.select(ML_SCHEMA, "Dataset_Execution", where={"Execution": remote})
    assert [r["Dataset"] for r in read] == [origin["dataset"]]
    assert origin["dataset"] not in mapping  # pulled from the server: the same RID there
    versions = target.select(ML_SCHEMA, "Dataset_Version",
                             where={"Dataset": mapping[made.dataset_rid]})
    assert [v["Execution"] for v in versions][-1] == remote
    members = target.select("domain", "Dataset_Image",
                            where={"Dataset": mapping[made.dataset_rid]})
    assert [m["Image"] for m in members] == origin["images"][:1]
    for (table, name), content in OUTPUTS.items():
        schema = "domain" if table == "Model" else ML_SCHEMA
        (asset,) = target.select(schema, table, where={"Filename": name})
        target.get_object(asset["URL"], tmp_path / name)
        assert (tmp_path / name).read_bytes() == content
        links = target.select(schema, f"{table}_Execution", where={table: asset["RID"]})
        assert [(r["Execution"], r["Asset_Role"]) for r in links] == [(remote, "Output")]
    # both sides record where each row went
    assert [(p.host, p.catalog, p.executions, p.mapping[exe.execution_rid])
            for p in pushes(offline)] == [(origin["host"], origin["catalog"],
                                           [exe.execution_rid], remote)]
    (ledger,) = target.select(ML_SCHEMA, "Pushed_Row", where={
        "Origin_RID": exe.execution_rid, "Origin_Table": f"{ML_SCHEMA}:Execution"})
    assert ledger["Target_RID"] == remote

    again = derivaml("push", "--to", to, "--catalog", offline.catalog_id, "--quiet")
    assert "0 rows inserted, 0 files sent." in again and "rows updated" not in again
