"""``split_dataset`` and ``subsample`` on a real catalog: the datasets, types, nesting,
descriptions and versions they make, seeds, stratification, provenance, and bad input that
writes nothing."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import numpy as np
import pytest

from derivaml.dataset.split import SplitResult, split_dataset, subsample
from derivaml_jupyter.catalog.contract import ForeignKey
from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.core.errors import (
    DerivaMLInvalidTerm,
    DerivaMLNotFound,
    DerivaMLNotImplemented,
    DerivaMLValidationError,
)
from derivaml_jupyter.execution.configuration import ExecutionConfiguration

pytestmark = pytest.mark.real_server
GROUPS = ["A"] * 12 + ["B"] * 8  # 20 subjects


@pytest.fixture
def make_source(ml):
    """``make_source(groups)``: a ``Complete`` dataset (made by a setup execution) of one
    ``Subject`` per group value, each of ``Species`` cat or dog in turn; returns
    ``(dataset RID, subjects' RIDs)``."""
    ml.create_vocabulary("Species", "Kinds of subject.")
    for name in ("cat", "dog"):
        ml.add_term("Species", name, description=f"A {name}.")
    ml.create_table("Subject", {"Name": "text", "Group": "text", "Species": "text"},
                    foreign_keys=[ForeignKey(("Species",), ml.domain_schema, "Species",
                                             ("Name",))])
    ml.add_dataset_element_type("Subject")
    for term in ("Setup", "Dataset_Split"):
        ml.add_term("Workflow_Type", term, description=term)

    def make(groups: list[str | None]) -> tuple[str, list[str]]:
        rids = [r["RID"] for r in ml.insert_rows("Subject", [
            {"Name": f"s{i}", "Group": g, "Species": ("cat", "dog")[i % 2]}
            for i, g in enumerate(groups)])]
        workflow = ml.create_workflow("Setup", "Setup")
        with ml.create_execution(ExecutionConfiguration(workflow=workflow)) as exe:
            source = exe.create_dataset(["Complete"], description="All subjects")
            source.add_dataset_members(rids)
        return source.dataset_rid, rids

    return make


def split_in_execution(ml, source: str, **kwargs) -> tuple[SplitResult, str]:
    """Run ``split_dataset`` in a new execution and upload it; the result and execution RID."""
    workflow = ml.create_workflow("Test split", "Dataset_Split")
    with ml.create_execution(ExecutionConfiguration(workflow=workflow)) as exe:
        result = split_dataset(ml, source, exe, **kwargs)
    exe.upload_execution_outputs(progress=False)
    return result, exe.execution_rid


def members(ml, rid: str) -> list[str]:
    return sorted(r["RID"] for r in ml.list_dataset_members(rid).get("Subject", []))


def groups_of(ml, rid: str) -> dict[str, int]:
    rows = ml.list_dataset_members(rid)["Subject"]
    return {g: sum(r["Group"] == g for r in rows) for g in sorted({r["Group"] for r in rows})}


def counts(ml) -> dict[str, int]:
    return {t: ml.catalog.count(ML_SCHEMA, t) for t in (
        "Dataset", "Dataset_Version", "Dataset_Dataset", "Dataset_Execution", "Execution",
        "Workflow", "Dataset_Type", "Execution_Metadata")}


def test_split_makes_a_split_dataset_with_training_and_testing_nested(ml, make_source):
    source, rids = make_source(GROUPS)
    result, _ = split_in_execution(ml, source, test_size=0.25, training_types=["Labeled"])
    assert (result.source, result.element_table, result.strategy, result.seed) == \
        (source, "Subject", "random", 42)
    assert (result.training.count, result.testing.count, result.split.count) == (15, 5, 0)
    assert result.validation is None and not result.dry_run
    split = ml.lookup_dataset(result.split.rid)
    assert {d.rid for d in split.list_dataset_children()} == {result.training.rid,
                                                              result.testing.rid}
    assert split.dataset_types == ["Split"]
    assert ml.list_dataset_types(result.training.rid) == ["Labeled", "Split_Partition",
                                                          "Training"]
    assert ml.list_dataset_types(result.testing.rid) == ["Split_Partition", "Testing"]
    assert split.description == (f"Split of dataset {source} (random, Training=15, "
                                 "Testing=5, seed=42)")
    assert ml.lookup_dataset(result.testing.rid).description == \
        f"Testing subset (5 samples) of {source} (random, seed=42)"
    for info in (result.split, result.training, result.testing):
        assert info.version == str(ml.current_dataset_version(info.rid)) == "0.2.0"
    training, testing = members(ml, result.training.rid), members(ml, result.testing.rid)
    assert len(training) == 15 and not set(training) & set(testing)
    assert sorted(training + testing) == sorted(rids)
    # The source is consumed, not nested or retyped.
    assert ml.list_dataset_parents(source) == [] and ml.list_dataset_types(source) == \
        ["Complete"]
    assert result.model_dump()["training"]["count"] == 15


def test_a_seed_gives_the_same_split_cut_from_the_members_in_rid_order(ml, make_source):
    source, rids = make_source(GROUPS)
    first, _ = split_in_execution(ml, source, test_size=5, seed=7)
    again, _ = split_in_execution(ml, source, test_size=5, seed=7)
    other, _ = split_in_execution(ml, source, test_size=5, seed=8)
    order = np.arange(20)
    np.random.default_rng(7).shuffle(order)
    expected = sorted(sorted(rids)[i] for i in order[15:])
    assert members(ml, first.testing.rid) == members(ml, again.testing.rid) == expected
    assert members(ml, other.testing.rid) != expected
    assert first.split.rid != again.split.rid
    in_order, _ = split_in_execution(ml, source, test_size=5, shuffle=False)
    assert members(ml, in_order.testing.rid) == sorted(rids)[15:]


def test_three_way_stratified_split_keeps_the_class_mix(ml, make_source):
    source, _ = make_source(GROUPS)
    result, _ = split_in_execution(
        ml, source, test_size=0.25, val_size=5, stratify_by_column="Subject.Group",
        include_tables=["Subject"], validation_types=["Labeled"])
    assert result.strategy == "stratified by Subject.Group"
    assert groups_of(ml, result.training.rid) == {"A": 6, "B": 4}
    assert groups_of(ml, result.validation.rid) == groups_of(ml, result.testing.rid) == \
        {"A": 3, "B": 2}
    children = ml.list_dataset_children(result.split.rid)
    assert {d.rid for d in children} == {result.training.rid, result.validation.rid,
                                         result.testing.rid}
    assert ml.list_dataset_types(result.validation.rid) == ["Labeled", "Split_Partition",
                                                            "Validation"]


def test_stratify_by_a_column_of_a_referenced_table(ml, make_source):
    source, _ = make_source(GROUPS)
    result, _ = split_in_execution(ml, source, test_size=0.5,
                                   stratify_by_column="Species.Name",
                                   include_tables=["Subject", "Species"])
    species = [r["Species"] for r in ml.list_dataset_members(result.testing.rid)["Subject"]]
    assert sorted(species) == ["cat"] * 5 + ["dog"] * 5


def test_missing_classes_error_or_are_dropped_or_kept(ml, make_source):
    source, rids = make_source(GROUPS[:16] + [None] * 4)
    options = {"stratify_by_column": "Subject.Group", "include_tables": ["Subject"]}
    before = counts(ml)
    with pytest.raises(DerivaMLValidationError, match="'Subject.Group' has 4 missing values"):
        split_dataset(ml, source, test_size=0.25, **options)
    assert counts(ml) == before
    dropped, _ = split_in_execution(ml, source, test_size=0.25, stratify_missing="drop",
                                    **options)
    assert (dropped.training.count, dropped.testing.count) == (12, 4)
    assert groups_of(ml, dropped.testing.rid) == {"A": 3, "B": 1}
    kept, _ = split_in_execution(ml, source, test_size=0.25, stratify_missing="include",
                                 **options)
    assert sum(r["Group"] is None for r in ml.list_dataset_members(
        kept.testing.rid)["Subject"]) == 1


def test_a_selection_function_chooses_the_members(ml, make_source):
    source, rids = make_source(GROUPS)

    def last_names_for_testing(df, partition_sizes, seed):
        order = np.argsort(df["Subject.Name"].to_numpy())
        return {"Training": order[:partition_sizes["Training"]],
                "Testing": order[partition_sizes["Training"]:]}

    result, _ = split_in_execution(ml, source, test_size=2, include_tables=["Subject"],
                                   selection_fn=last_names_for_testing)
    assert result.strategy == "custom selection function"
    names = sorted(r["Name"] for r in ml.list_dataset_members(result.testing.rid)["Subject"])
    assert names == ["s8", "s9"]


def test_provenance_source_as_input_datasets_and_parameters_as_outputs(ml, make_source):
    source, _ = make_source(GROUPS)
    source_version = str(ml.current_dataset_version(source))
    result, exe_rid = split_in_execution(ml, source, test_size=4, seed=3)
    record = ml.lookup_execution(exe_rid)
    assert [(d["rid"], d["version"]) for d in record.inputs["datasets"]] == \
        [(source, source_version)]
    made = {d["rid"] for d in record.outputs["datasets"]}
    assert made == {result.split.rid, result.training.rid, result.testing.rid}
    assert source not in made
    history = ml.dataset_history(result.training.rid)
    assert {h.execution_rid for h in history} == {exe_rid}
    (config,) = [r for r in record.outputs["assets"]["Execution_Metadata"]
                 if r["Filename"] == f"split_config_{result.split.rid}.json"]
    with tempfile.TemporaryDirectory() as tmp:
        ml.catalog.get_object(config["URL"], Path(tmp) / "config.json")
        params = json.loads((Path(tmp) / "config.json").read_text())
    assert params["source_dataset_rid"] == source and params["seed"] == 3
    assert params["partition_sizes"] == {"Training": 16, "Testing": 4}
    assert params["training_types"] == ["Training", "Split_Partition"]


def test_without_an_execution_the_split_runs_in_one_of_its_own(ml, make_source):
    source, _ = make_source(GROUPS)
    result = split_dataset(ml, source, test_size=0.2)
    record = ml.lookup_execution(ml.dataset_history(result.split.rid)[0].execution_rid)
    assert record.status == "Uploaded"
    assert record.workflow.workflow_type == ["Dataset_Split"]
    assert record.description == f"Split of dataset {source} (random, Training=16, " \
                                 "Testing=4, seed=42)"
    assert [d["rid"] for d in record.inputs["datasets"]] == [source]
    assert {r["Filename"] for r in record.outputs["assets"]["Execution_Metadata"]} >= \
        {f"split_config_{result.split.rid}.json"}


def test_dry_run_reports_the_sizes_and_writes_nothing(ml, make_source):
    source, _ = make_source(GROUPS)
    before = counts(ml)
    result = split_dataset(ml, source, test_size=0.2, val_size=0.1, dry_run=True)
    assert result.dry_run and result.split.rid == result.training.rid == "(dry run)"
    assert (result.training.count, result.validation.count, result.testing.count) == (14, 2, 4)
    assert counts(ml) == before


BAD_INPUT = [
    ({"source_dataset_rid": "1-ZZZZ"}, DerivaMLNotFound, "Dataset 1-ZZZZ does not exist"),
    ({"test_size": 0.5, "val_size": 0.6}, DerivaMLValidationError,
     r"test_size=10 \+ val_size=12 = 22 leaves no records for training out of 20"),
    ({"test_size": 0.6, "train_size": 0.6}, DerivaMLValidationError,
     "exceeds total dataset size of 20"),
    ({"stratify_by_column": "Subject.Colour", "include_tables": ["Subject"]},
     DerivaMLValidationError, r"Column 'Subject.Colour' not found .*'Subject.Group'"),
    ({"stratify_by_column": "Subject.Group"}, DerivaMLValidationError,
     "include_tables is required"),
    ({"stratify_by_column": "Nope.Name", "include_tables": ["Nope"]}, DerivaMLNotFound,
     "include_tables names 'Nope', but there is no table named 'Nope'; include_tables may "
     "name Subject and the tables it references: Species"),
    ({"testing_types": ["Holdout"]}, DerivaMLInvalidTerm, "'Holdout' in vocabulary Dataset_Type"),
    ({"workflow_type": "Splitting"}, DerivaMLInvalidTerm,
     "'Splitting' in vocabulary Workflow_Type"),
    ({"element_table": "Species"}, DerivaMLValidationError, "no members in table 'Species'"),
]


def test_bad_input_is_a_one_line_error_that_writes_nothing(ml, make_source):
    source, _ = make_source(GROUPS)
    before = counts(ml)
    for kwargs, error, message in BAD_INPUT:
        with pytest.raises(error, match=message) as raised:
            split_dataset(ml, **{"source_dataset_rid": source, **kwargs})
        assert "\n" not in str(raised.value)
        assert counts(ml) == before, kwargs


def test_feature_values_and_joins_beyond_foreign_keys_are_not_yet(ml, make_source):
    source, _ = make_source(GROUPS)
    ml.add_term("Feature_Name", "Subject_Grade", description="A grade of a subject.")
    ml.create_table("Visit", {"Subject": "text", "Site": "text"}, foreign_keys=[
        ForeignKey(("Subject",), ml.domain_schema, "Subject")])
    before = counts(ml)
    with pytest.raises(DerivaMLNotImplemented, match="Selecting by feature values"):
        split_dataset(ml, source, stratify_by_column="Subject_Grade.Grade",
                      include_tables=["Subject", "Subject_Grade"])
    with pytest.raises(DerivaMLNotImplemented, match=r"columns of Visit .* tables it "
                                                     r"references: Species"):
        split_dataset(ml, source, stratify_by_column="Visit.Site", include_tables=["Visit"])
    with pytest.raises(DerivaMLNotImplemented, match="via="):
        split_dataset(ml, source, stratify_by_column="Subject.Group",
                      include_tables=["Subject"], via=["Visit"])
    assert counts(ml) == before


def test_a_dry_run_execution_cannot_take_the_split(ml, make_source):
    source, _ = make_source(GROUPS)
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Test split", "Dataset_Split")), dry_run=True)
    before = counts(ml)
    with pytest.raises(DerivaMLValidationError, match="execution is a dry run"):
        split_dataset(ml, source, exe)
    assert counts(ml) == before


def test_subsample_draws_a_stratified_sample_into_one_new_dataset(ml, make_source):
    source, rids = make_source(GROUPS)
    workflow = ml.create_workflow("Test subsample", "Dataset_Split")
    with ml.create_execution(ExecutionConfiguration(workflow=workflow)) as exe:
        result = subsample(ml, source, exe, size=0.25, stratify_by_column="Subject.Group",
                           include_tables=["Subject"], dataset_types=["Training", "Subsample"])
    exe.upload_execution_outputs(progress=False)
    sample = result.subsample
    assert (sample.count, result.strategy, result.element_table) == \
        (5, "stratified by Subject.Group", "Subject")
    assert groups_of(ml, sample.rid) == {"A": 3, "B": 2}
    assert set(members(ml, sample.rid)) < set(rids)
    assert ml.list_dataset_types(sample.rid) == ["Subsample", "Training"]
    assert ml.lookup_dataset(sample.rid).description == \
        f"Subsample of dataset {source} (stratified by Subject.Group, n=5, seed=42)"
    assert ml.list_dataset_parents(sample.rid) == []
    record = ml.lookup_execution(exe.execution_rid)
    assert [d["rid"] for d in record.inputs["datasets"]] == [source]
    with pytest.raises(DerivaMLValidationError, match="fewer than all of them"):
        subsample(ml, source, exe, size=20)
