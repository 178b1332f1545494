"""Lineage and provenance queries across executions: ``lookup_lineage``,
``find_executions_consuming``, the workflow look-ups, the impact queries,
``list_executions``, ``audit_provenance`` and ``Execution.download_asset``.

The chain: an ingest execution uploads images and makes a dataset of them; a training
execution reads that dataset and uploads a model; an evaluation execution reads the model
and uploads a report and quality feature values of the images.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from derivaml.execution import (
    AssetSummary,
    DatasetSummary,
    ExecutionSummary,
    LineageNode,
    LineageResult,
    RootDescriptor,
    WorkflowSummary,
)
from derivaml_jupyter.core.errors import DerivaMLException
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML

pytestmark = pytest.mark.real_server


def run(ml: DerivaML, name: str, **config) -> object:
    workflow = ml.create_workflow(name, "Training", description=name)
    return ml.create_execution(ExecutionConfiguration(workflow=workflow, description=name,
                                                      **config))


def uploaded(exe, outputs: dict[tuple[str, str], bytes]) -> dict[str, str]:
    """Run ``exe`` writing ``outputs`` ({(table, file name): bytes}); their RIDs by name."""
    with exe.execute():
        for (table, name), data in outputs.items():
            exe.asset_file_path(table, name).write_bytes(data)
    result = exe.upload_execution_outputs(progress=False)
    return {Path(p).name: p.asset_rid for paths in result.values() for p in paths}


@pytest.fixture
def chain(ml: DerivaML) -> SimpleNamespace:
    ml.create_asset("Image")
    ml.create_asset("Model")
    ml.add_dataset_element_type("Image")
    ml.create_vocabulary("Quality_Level", "How usable an image is.")
    ml.add_term("Quality_Level", "Good", description="Usable.")
    ml.create_feature("Image", "Quality", terms=["Quality_Level"])

    ingest = run(ml, "Ingest")
    images = uploaded(ingest, {("Image", f"img{i}.png"): f"image {i}".encode()
                               for i in range(3)})
    with ingest.execute():
        dataset = ingest.create_dataset(["Training"], description="Ingested images")
        dataset.add_dataset_members(sorted(images.values()))
    ingest.upload_execution_outputs(progress=False)
    version = str(dataset.current_version)

    training = run(ml, "Train", datasets=[f"{dataset.dataset_rid}@{version}"])
    model = uploaded(training, {("Model", "model.pt"): b"weights"})["model.pt"]

    evaluation = run(ml, "Evaluate", assets=[model])
    with evaluation.execute():
        evaluation.asset_file_path("Execution_Asset", "report.txt").write_text("fine")
        Quality = ml.feature_record_class("Image", "Quality")
        evaluation.add_features([Quality(Image=rid, Quality_Level="Good")
                                 for rid in sorted(images.values())])
    report = {Path(p).name: p.asset_rid for paths in evaluation.upload_execution_outputs(
        progress=False).values() for p in paths}["report.txt"]
    return SimpleNamespace(ml=ml, ingest=ingest.execution_rid, images=images,
                           dataset=dataset.dataset_rid, version=version,
                           training=training.execution_rid, model=model,
                           evaluation=evaluation.execution_rid, report=report)


def test_lineage_of_an_output_goes_back_through_assets_and_datasets(chain):
    result = chain.ml.lookup_lineage(chain.report)
    assert isinstance(result, LineageResult)
    assert (result.root.rid, result.root.type) == (chain.report, "Asset")
    assert result.root.producing_execution.rid == chain.evaluation
    evaluation = result.lineage
    assert evaluation.execution.rid == chain.evaluation
    assert evaluation.execution.workflow.rid
    assert [(a.rid, a.filename, a.asset_table) for a in evaluation.consumed_assets] == [
        (chain.model, "model.pt", "Model")]
    [training] = evaluation.parents
    assert training.execution.rid == chain.training
    assert [(d.rid, d.version, d.description) for d in training.consumed_datasets] == [
        (chain.dataset, chain.version, "Ingested images")]
    [ingest] = training.parents  # made the dataset's version and its member images
    assert ingest.execution.rid == chain.ingest
    assert (ingest.parents, ingest.consumed_datasets, ingest.consumed_assets) == ([], [], [])
    assert (result.executions_visited, result.walked_complete, result.cycle_detected,
            result.depth_capped) == (3, True, False, False)


def test_lineage_roots_of_each_kind(chain):
    ml = chain.ml
    dataset = ml.lookup_lineage(chain.dataset)
    assert (dataset.root.type, dataset.root.description) == ("Dataset", "Ingested images")
    assert dataset.lineage.execution.rid == chain.ingest
    execution = ml.lookup_lineage(chain.training)
    assert (execution.root.type, execution.lineage.execution.rid) == ("Execution",
                                                                        chain.training)
    [value] = [v for v in ml.feature_values("Image", "Quality")][:1]
    feature_rows = ml.catalog.select(ml.domain_schema, "Execution_Image_Quality",
                                     where={"Image": value.Image})
    feature = ml.lookup_lineage(feature_rows[0]["RID"])
    assert (feature.root.type, feature.lineage.execution.rid) == ("Feature", chain.evaluation)
    image = ml.lookup_lineage(chain.images["img0.png"])
    assert (image.root.type, image.lineage.execution.rid) == ("Asset", chain.ingest)


def test_lineage_depth_and_cap(chain):
    ml = chain.ml
    shallow = ml.lookup_lineage(chain.report, depth=0)
    assert shallow.lineage.parents == [] and shallow.depth_capped
    assert shallow.walked_complete and shallow.executions_visited == 1
    one = ml.lookup_lineage(chain.report, depth=1)
    assert one.lineage.parents[0].parents == [] and one.depth_capped
    capped = ml.lookup_lineage(chain.report, max_executions=2)
    assert not capped.walked_complete and capped.executions_visited == 2


def test_lineage_result_dumps_like_pydantic(chain):
    dumped = chain.ml.lookup_lineage(chain.report).model_dump()
    assert dumped["root"]["type"] == "Asset"
    assert dumped["lineage"]["parents"][0]["consumed_datasets"][0]["rid"] == chain.dataset
    summary = ExecutionSummary(rid="1-X", status="Uploaded",
                               workflow=WorkflowSummary(rid="1-W", name="w"))
    node = LineageNode(execution=summary, consumed_datasets=[DatasetSummary(rid="1-D")],
                       consumed_assets=[AssetSummary(rid="1-A", asset_table="Model")])
    root = RootDescriptor(rid="1-A", type="Asset")
    assert root.model_copy(update={"producing_execution": summary}).producing_execution == \
        summary
    assert node.model_dump()["execution"]["workflow"] == {"rid": "1-W", "name": "w"}
    with pytest.raises(TypeError):
        WorkflowSummary(rid="1-W", unknown=1)  # unknown fields are refused, as in deriva-ml


def test_lineage_of_what_is_not_an_artifact_is_an_error(chain):
    ml = chain.ml
    workflow = ml.lookup_execution(chain.training).workflow.workflow_rid
    with pytest.raises(DerivaMLException, match="Workflow"):
        ml.lookup_lineage(workflow)
    term = ml.lookup_term("Quality_Level", "Good")["RID"]
    with pytest.raises(DerivaMLException, match="not lineage-shaped"):
        ml.lookup_lineage(term)


def test_executions_consuming_an_artifact(chain):
    ml = chain.ml
    assert [r.execution_rid for r in ml.find_executions_consuming(chain.dataset)] == [
        chain.training]
    assert [r.execution_rid for r in ml.find_executions_consuming(chain.model)] == [
        chain.evaluation]
    assert ml.find_executions_consuming(chain.report) == []
    with pytest.raises(DerivaMLException, match="datasets and assets"):
        ml.find_executions_consuming(chain.training)


def test_workflow_lookups(chain):
    ml = chain.ml
    workflow = ml.lookup_execution(chain.training).workflow
    first = ml.find_workflows()[0]  # every workflow here has this test file's URL: the first
    assert first.url == workflow.url
    assert ml.lookup_workflow_by_url(workflow.url).workflow_rid == first.workflow_rid
    assert ml.lookup_workflow_by_url(workflow.checksum).workflow_rid == first.workflow_rid
    with pytest.raises(DerivaMLException, match="No workflow"):
        ml.lookup_workflow_by_url("https://example.org/nothing.py")
    runs = ml.list_workflow_executions(workflow.workflow_rid)
    assert chain.training in runs
    assert set(ml.list_workflow_executions("Training")) >= {
        chain.ingest, chain.training, chain.evaluation}


def test_impact_of_changing_a_table(chain):
    ml = chain.ml
    [ref] = ml.find_datasets_referencing("Image")
    assert (ref.dataset_rid, ref.element_table, ref.member_count) == (chain.dataset, "Image", 3)
    assert ml.find_datasets_referencing("Model") == []
    [feature] = ml.find_features_referencing("Image")
    assert (feature.feature_name, feature.target_table, feature.feature_table,
            feature.referencing_columns) == ("Quality", "Image", "Execution_Image_Quality",
                                             ["Image"])
    [by_term] = ml.find_features_referencing("Quality_Level", column="Name")
    assert by_term.referencing_columns == ["Quality_Level"]
    assert ml.find_features_referencing("Quality_Level", column="Description") == []


def test_executions_run_here(chain):
    ml = chain.ml
    here = ml.list_executions()
    assert [r.execution_rid for r in here] == [chain.ingest, chain.training, chain.evaluation]
    assert [r.execution_rid for r in ml.list_executions(status="Uploaded")] == [
        r.execution_rid for r in here]
    workflow = here[1].workflow_rid
    assert chain.training in [r.execution_rid for r in ml.list_executions(
        workflow_rid=workflow)]
    assert ml.list_executions(mode="offline") == []


def test_audit_finds_datasets_without_a_producer(chain):
    ml = chain.ml
    assert ml.audit_provenance().is_clean
    orphan = ml.create_dataset(["Training"], description="Made by hand")
    report = ml.audit_provenance()
    assert [(f.category, f.rid, f.kind) for f in report.violations] == [
        ("null_producer", orphan.dataset_rid, "Dataset")]
    assert report.summary() == "1 violation(s), 0 known-degraded"


def test_download_asset_records_an_input(chain, tmp_path):
    ml = chain.ml
    exe = run(ml, "Inspect")
    with exe.execute():
        quiet = exe.download_asset(chain.model, tmp_path / "quiet", update_catalog=False)
        assert quiet.read_bytes() == b"weights" and quiet.asset_table == "Model"
        assert ml.lookup_execution(exe.execution_rid).inputs["assets"] == {}
        path = exe.download_asset(asset_rid=chain.model, dest_dir=tmp_path / "in",
                                  use_cache=True)
    assert path == tmp_path / "in" / "model.pt" and path.is_symlink()
    assert path.file_name == path  # deriva-ml's downloads carry their path as file_name
    assert path.read_bytes() == b"weights" and path.asset_rid == chain.model
    assert "Input_File" in path.asset_types
    assert [r["RID"] for r in ml.lookup_execution(exe.execution_rid).inputs["assets"]["Model"]
            ] == [chain.model]
    with pytest.raises(DerivaMLException, match="not of an asset table"):
        exe.download_asset(chain.dataset, tmp_path)


def test_an_execution_reached_twice_is_expanded_once(chain):
    ml = chain.ml
    compare = run(ml, "Compare", assets=[chain.model, chain.report])
    result = ml.lookup_lineage(compare.execution_rid)
    nodes = []

    def visit(node):
        nodes.append(node)
        for parent in node.parents:
            visit(parent)

    visit(result.lineage)
    training = [n for n in nodes if n.execution.rid == chain.training]
    assert sorted(n.already_shown for n in training) == [False, True]
    shown = next(n for n in training if n.already_shown)
    assert (shown.parents, shown.consumed_datasets) == ([], [])
    assert {a.rid for a in result.lineage.consumed_assets} == {chain.model, chain.report}
    assert result.executions_visited == 4 and not result.cycle_detected


def test_a_dataset_made_by_hand_leads_to_the_producers_of_its_members(chain):
    ml = chain.ml
    by_hand = ml.create_dataset(["Training"], description="Picked by hand")
    by_hand.add_dataset_members([chain.images["img1.png"]])
    result = ml.lookup_lineage(by_hand.dataset_rid)
    assert result.root.producing_execution.rid == chain.ingest
    assert result.lineage.execution.rid == chain.ingest
    assert ml.lookup_lineage(ml.create_dataset(["Training"]).dataset_rid).lineage is None
