"""``push_executions``: executions recorded on a local catalog copied to another catalog (a
local one always; with DERIVAML_TEST_HOST a fresh catalog of that DERIVA server too), with
their workflow, inputs, outputs and files, feature values, the datasets they made and nested
executions; pushing again adds nothing; bad input writes nothing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from backends import BACKENDS, TEST_HOST, new_deriva_catalog
from execution.conftest import store_images

from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.catalog.push import push_executions, pushes
from derivaml_jupyter.catalog.push.ledger import LEDGER_TABLE
from derivaml_jupyter.catalog.push.push import one_push_at_a_time
from derivaml_jupyter.core.definitions import ML_SCHEMA, Status
from derivaml_jupyter.core.errors import (
    DerivaMLConflict,
    DerivaMLNotFound,
    DerivaMLTableNotFound,
    DerivaMLValidationError,
)
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML

QUALITY = [{"name": "Score", "type": {"typename": "float4"}}]


def make_domain(ml: DerivaML) -> None:
    """The project's tables: Model and Image assets, Image dataset members, Image features
    Quality (a score) and Grading (a term of vocabulary Grade, which has no terms yet)."""
    ml.create_asset("Model")
    ml.create_asset("Image")
    ml.add_dataset_element_type("Image")
    ml.create_feature("Image", "Quality", metadata=QUALITY)
    ml.create_vocabulary("Grade")
    ml.create_feature("Image", "Grading", terms=["Grade"])


def record_offline_work(ml: DerivaML, folder: Path, images: int = 3) -> dict:
    """On ``ml``: ``images`` images in a Training dataset, then an execution reading it that
    writes a model file, a dataset of its first image nested in a Split dataset, a Quality
    and a Grading (term Good, made here) of each image, and has a nested execution. Returns
    their RIDs."""
    make_domain(ml)
    ml.add_term("Grade", "Good", description="A good image.")
    image_rids = store_images(ml, folder, images)
    training = ml.create_dataset(["Training"], description="Training images")
    training.add_dataset_members(image_rids)
    quality = ml.feature_record_class("Image", "Quality")
    grading = ml.feature_record_class("Image", "Grading")
    workflow = ml.create_workflow(name="offline training", workflow_type="Training",
                                  description="trained offline")
    config = ExecutionConfiguration(workflow=workflow, description="offline run",
                                    datasets=[DatasetSpec(rid=training.dataset_rid)])
    with ml.create_execution(config) as exe:
        exe.asset_file_path("Model", "model.pt").write_bytes(b"weights" * 1000)
        made = exe.create_dataset(["Testing"], description="made offline")
        made.add_dataset_members(image_rids[:1])
        split = exe.create_dataset(["Split"], description="split offline")
        split.add_dataset_members([made.dataset_rid])
        exe.add_features([quality(Image=i, Score=0.5) for i in image_rids])
        exe.add_features([grading(Image=i, Grade="Good") for i in image_rids])
        with ml.create_execution(ExecutionConfiguration(workflow=workflow,
                                                        description="child")) as child:
            pass
        exe.add_nested_execution(child)
    exe.upload_execution_outputs()
    child.upload_execution_outputs()
    return {"execution": exe.execution_rid, "child": child.execution_rid,
            "training": training.dataset_rid, "made": made.dataset_rid,
            "split": split.dataset_rid, "images": image_rids}


@pytest.fixture(params=BACKENDS)
def target(request, tmp_path, monkeypatch) -> tuple[str, str]:
    """``(host, catalog)`` of an empty DerivaML catalog: local ``target`` in a temporary
    DERIVAML_HOME, or a fresh catalog of DERIVAML_TEST_HOST."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    if request.param == "local":
        DerivaML("local", "target")
        yield "local", "target"
        return
    with new_deriva_catalog() as catalog_id:
        DerivaML(TEST_HOST, catalog_id)
        yield TEST_HOST, catalog_id


@pytest.fixture
def offline(target, tmp_path) -> dict:
    """The default local catalog holding ``record_offline_work``."""
    ml = DerivaML()
    return {"ml": ml, **record_offline_work(ml, tmp_path / "sources")}


def _rows(c, table: str, schema: str = ML_SCHEMA, **where) -> list[dict]:
    return c.select(schema, table, where=where or None)


def test_push_copies_executions_with_what_they_need(offline, target):
    make_domain(DerivaML(*target))
    result = push_executions(offline["ml"], *target, [offline["execution"]],
                             progress=lambda *_: None)
    c, m = connect_catalog(*target), result.mapping
    exe, child = m[offline["execution"]], m[offline["child"]]
    assert result.executions == {offline["execution"]: exe}
    assert exe != offline["execution"] or target[0] != "local"

    row = _rows(c, "Execution", RID=exe)[0]
    assert (row["Status"], row["Description"]) == (Status.uploaded.value, "offline run")
    workflow = _rows(c, "Workflow", RID=row["Workflow"])[0]
    assert workflow["Name"] == "offline training"
    assert {r["Workflow_Type"] for r in _rows(c, "Workflow_Workflow_Type",
                                              Workflow=workflow["RID"])} == {"Training"}
    assert [r["Nested_Execution"] for r in _rows(c, "Execution_Execution", Execution=exe)] \
        == [child]

    training, made = m[offline["training"]], m[offline["made"]]
    images = [m[i] for i in offline["images"]]
    link = _rows(c, "Dataset_Execution", Execution=exe)
    assert [r["Dataset"] for r in link] == [training]
    version = _rows(c, "Dataset_Version", RID=link[0]["Dataset_Version"])[0]
    assert (version["Dataset"], version["Version"]) == (training, "0.2.0")
    assert sorted(r["Image"] for r in _rows(c, "Dataset_Image", "domain", Dataset=training)) \
        == sorted(images)
    made_versions = _rows(c, "Dataset_Version", Dataset=made)
    assert {v["Execution"] for v in made_versions} == {exe}
    assert all(v["Snapshot"] for v in made_versions)
    assert [r["Image"] for r in _rows(c, "Dataset_Image", "domain", Dataset=made)] == images[:1]
    assert {r["Dataset_Type"] for r in _rows(c, "Dataset_Dataset_Type", Dataset=made)} \
        == {"Testing"}
    made_ds = DerivaML(*target).lookup_dataset(made)
    assert str(made_ds.current_version) == "0.2.0"
    assert [r["RID"] for r in made_ds.list_dataset_members()["Image"]] == images[:1]

    model = _rows(c, "Model_Execution", "domain", Execution=exe)
    assert [r["Asset_Role"] for r in model] == ["Output"]
    model_row = _rows(c, "Model", "domain", RID=model[0]["Model"])[0]
    with tempfile.TemporaryDirectory() as tmp:
        c.get_object(model_row["URL"], Path(tmp) / "model.pt")
        assert (Path(tmp) / "model.pt").read_bytes() == b"weights" * 1000
    assert {r["Asset_Type"] for r in _rows(c, "Model_Asset_Type", "domain",
                                           Model=model_row["RID"])} >= {"Model"}
    metadata = _rows(c, "Execution_Metadata_Execution", Execution=exe)
    assert len(metadata) >= 2  # configuration.json, environment.json...
    quality = _rows(c, "Execution_Image_Quality", "domain", Execution=exe)
    assert sorted(r["Image"] for r in quality) == sorted(images)
    grading = _rows(c, "Execution_Image_Grading", "domain", Execution=exe)
    assert sorted((r["Image"], r["Grade"]) for r in grading) == [(i, "Good") for i in
                                                                 sorted(images)]
    assert [r["Name"] for r in _rows(c, "Grade", "domain")] == ["Good"]
    split = m[offline["split"]]
    assert [r["Nested_Dataset"] for r in _rows(c, "Dataset_Dataset", Dataset=split)] == [made]
    children = DerivaML(*target).lookup_dataset(split).list_dataset_children()
    assert [d.dataset_rid for d in children] == [made]
    files = {r["Execution_Metadata"] for r in _rows(c, "Execution_Metadata_Execution",
                                                    Execution=[exe, child])}
    assert result.files_uploaded == len(images) + 1 + len(files)  # metadata once per file

    ledger = _rows(c, LEDGER_TABLE)
    assert {r["Origin_RID"]: r["Target_RID"] for r in ledger} == result.mapping
    assert pushes(offline["ml"])[0].mapping == result.mapping
    assert pushes(offline["ml"])[0].executions == [offline["execution"], offline["child"]]


def test_pushing_again_adds_nothing(offline, target):
    make_domain(DerivaML(*target))
    first = push_executions(offline["ml"], *target, progress=lambda *_: None)
    c = connect_catalog(*target)
    counts = {t: c.count(ML_SCHEMA, t) for t in ("Execution", "Dataset", "Execution_Metadata")}
    again = push_executions(offline["ml"], *target, [offline["execution"]],
                            progress=lambda *_: None)
    assert (again.rows_inserted, again.files_uploaded, again.rows_updated) == (0, 0, 0)
    assert (again.already_pushed, again.updated) == ([offline["execution"]], {})
    assert again.mapping == first.mapping
    assert counts == {t: c.count(ML_SCHEMA, t) for t in counts}
    assert set(first.executions) == {offline["execution"], offline["child"]}


def test_a_workflow_the_target_has_is_reused(offline, target):
    there = DerivaML(*target)
    make_domain(there)
    code = {"URL": "https://example.org/train.py", "Checksum": "0" * 64}
    local = offline["ml"].catalog.select(ML_SCHEMA, "Workflow")[0]
    offline["ml"].catalog.update(ML_SCHEMA, "Workflow", [{"RID": local["RID"], **code}])
    rid = there.catalog.insert(ML_SCHEMA, "Workflow", [{"Name": "same code", **code}])[0]["RID"]
    result = push_executions(offline["ml"], *target, [offline["execution"]],
                             progress=lambda *_: None)
    assert there.catalog.select(ML_SCHEMA, "Execution", where={
        "RID": result.mapping[offline["execution"]]})[0]["Workflow"] == rid
    assert there.catalog.count(ML_SCHEMA, "Workflow") == 1


def test_bad_input_writes_nothing(offline, target):
    c = connect_catalog(*target)
    with pytest.raises(DerivaMLTableNotFound, match="no table domain.Model"):
        push_executions(offline["ml"], *target, progress=lambda *_: None)
    make_domain(DerivaML(*target))
    with pytest.raises(DerivaMLNotFound, match="No execution 1-ZZZZ"):
        push_executions(offline["ml"], *target, ["1-ZZZZ"], progress=lambda *_: None)
    with pytest.raises(DerivaMLValidationError, match="to itself"):
        push_executions(offline["ml"], "local", "default", progress=lambda *_: None)
    assert not c.model().has_table(ML_SCHEMA, LEDGER_TABLE)
    assert c.count(ML_SCHEMA, "Execution") == 0
    assert pushes(offline["ml"]) == []


def test_an_unfinished_execution_is_refused(target, tmp_path):
    ml = DerivaML()
    workflow = ml.create_workflow(name="w", workflow_type="Training")
    exe = ml.create_execution(ExecutionConfiguration(workflow=workflow))
    with pytest.raises(DerivaMLValidationError, match="once it has finished"):
        push_executions(ml, *target, [exe.execution_rid], progress=lambda *_: None)


def test_one_push_of_a_catalog_at_a_time(offline, target):
    make_domain(DerivaML(*target))
    with one_push_at_a_time(offline["ml"].catalog):
        with pytest.raises(DerivaMLConflict, match="Another push from local catalog"):
            push_executions(offline["ml"], *target, progress=lambda *_: None)
    assert push_executions(offline["ml"], *target, progress=lambda *_: None).rows_inserted
