"""deriva-ml's dataset types API on a live dataset: add_dataset_type(s), remove_dataset_type,
list_dataset_element_types; each real change releases a version, no-ops release none."""

from __future__ import annotations

import pytest

from derivaml_jupyter.core.errors import DerivaMLInvalidTerm

pytestmark = pytest.mark.real_server


def test_types_added_and_removed_with_versions(ml):
    ds = ml.create_dataset("Training", description="types")
    v0 = ds.current_version
    ds.add_dataset_type("Labeled")
    assert ds.dataset_types == ["Labeled", "Training"]
    v1 = ds.current_version
    assert v1 == v0.next_release("minor")
    ds.add_dataset_types(["Training", "Labeled"])  # all there already: no new version
    assert ds.current_version == v1
    ds.add_dataset_types(["validation", ml.lookup_term("Dataset_Type", "Split")])
    assert ds.dataset_types == ["Labeled", "Split", "Training", "Validation"]
    v2 = ds.current_version
    assert v2 == v1.next_release("minor")
    assert ml.dataset_version_record(ds.rid)["Description"] == (
        "Added dataset type(s): Validation, Split.")
    ds.remove_dataset_type("Split")
    ds.remove_dataset_type("Split")  # gone already: nothing changes
    assert ds.dataset_types == ["Labeled", "Training", "Validation"]
    assert ds.current_version == v2.next_release("minor")
    # The version before the change still reads the old tags.
    bag = ml.download_dataset_bag(f"{ds.rid}@{v2}")
    assert bag.dataset_types == ["Labeled", "Split", "Training", "Validation"]


def test_unknown_type_changes_nothing(ml):
    ds = ml.create_dataset("Training", description="types")
    before = ds.current_version
    with pytest.raises(DerivaMLInvalidTerm, match="Nonsense"):
        ds.add_dataset_types(["Labeled", "Nonsense"])
    with pytest.raises(DerivaMLInvalidTerm, match="Nonsense"):
        ds.remove_dataset_type("Nonsense")
    assert ds.dataset_types == ["Training"] and ds.current_version == before


def test_element_types(ml):
    ml.create_table("Subject", {"Name": "text"})
    ml.add_dataset_element_type("Subject")
    ds = ml.create_dataset("Training", description="elements")
    assert "Subject" in [t.name for t in ds.list_dataset_element_types()]
    bag = ml.download_dataset_bag(f"{ds.rid}@{ds.current_version}")
    assert "Subject" in [t.name for t in bag.list_dataset_element_types()]
    assert bag.list_executions() == []


def test_bag_lists_the_executions_that_used_it(ml):
    from derivaml_jupyter.core.errors import DerivaMLNotFound
    from derivaml_jupyter.dataset.spec import DatasetSpec
    from derivaml_jupyter.execution.configuration import ExecutionConfiguration

    ds = ml.create_dataset("Training", description="used")
    exe = ml.create_execution(ExecutionConfiguration(
        datasets=[DatasetSpec(rid=ds.rid, version=ds.current_version)],
        workflow=ml.create_workflow("Trainer", "Training"), description="uses it"))
    released = ds.increment_dataset_version(description="after the run")
    bag = ml.download_dataset_bag(f"{ds.rid}@{released}")
    assert bag.list_executions() == [exe.execution_rid]
    workflow = ml.catalog.select(ml.ml_schema, "Execution",
                                 where={"RID": exe.execution_rid})[0]["Workflow"]
    assert bag.list_workflow_executions(workflow) == [exe.execution_rid]
    # A bag stops at workflows: it holds no Workflow_Workflow_Type rows to find them by type.
    with pytest.raises(DerivaMLNotFound, match="no workflow 'Training'"):
        bag.list_workflow_executions("Training")
