"""Dev versions, releases and drift (``mark_dev``, ``release``, ``is_dirty``, ``release_diff``,
``compare_versions``), and the rest of deriva-ml's ``Dataset`` methods."""

from __future__ import annotations

import pytest

from derivaml_jupyter.core.definitions import VersionPart
from derivaml_jupyter.core.errors import DerivaMLNotFound, DerivaMLValidationError
from derivaml_jupyter.dataset.dataset import Dataset
from derivaml_jupyter.dataset.spec import DatasetSpec, DatasetVersion
from derivaml_jupyter.execution.configuration import ExecutionConfiguration

pytestmark = pytest.mark.real_server


def diagnose(ml, clinic, image: str, value: str) -> None:
    """Record a diagnosis of ``image`` in a new execution (after the clinic's releases)."""
    Diagnosis = ml.feature_record_class("Image", "Diagnosis")
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Labeling", "Feature_Creation"), description="late"))
    with exe:
        exe.add_features([Diagnosis(Image=clinic.images[image], Diagnosis_Type=value)])
    exe.upload_execution_outputs(progress=False)


def test_feature_values_added_after_a_release_make_the_dataset_dirty(ml, clinic):
    training, testing, split = clinic.training, clinic.testing, clinic.split
    assert not any(d.is_dirty() for d in (training, testing, split))
    assert testing.release_diff() == {}
    diagnose(ml, clinic, "b1.png", "Normal")  # b1.png is in Testing only
    assert testing.is_dirty() and split.is_dirty()
    diff = testing.release_diff()
    assert diff["Execution_Image_Diagnosis"] == 1 and diff["Execution"] == 1
    assert not training.is_dirty() and training.release_diff() == {}


def test_mark_dev_then_release_promotes_the_dev_version(ml, clinic):
    testing = clinic.testing
    assert str(testing.current_version) == "0.3.0"
    with pytest.raises(DerivaMLValidationError, match="no dev version.*mark_dev"):
        testing.release(VersionPart.minor, "nothing to release")
    diagnose(ml, clinic, "b1.png", "Normal")

    testing.mark_dev("Diagnosis recorded")
    assert str(testing.current_version) == "0.3.0.post1.dev1"
    testing.mark_dev("Diagnosis checked")
    assert str(testing.current_version) == "0.3.0.post1.dev2"
    history = testing.dataset_history()
    assert [str(h.dataset_version) for h in history][-2:] == ["0.3.0", "0.3.0.post1.dev2"]
    assert history[-1].description == "Diagnosis checked" and history[-1].snapshot is None

    # The dev version is read live: its bag holds the diagnosis made since 0.3.0.
    bag = testing.download_dataset_bag(materialize=False)
    assert str(bag.version) == "0.3.0.post1.dev2"
    assert len(list(bag.feature_values("Image", "Diagnosis"))) == 1
    assert list(ml.download_dataset_bag(DatasetSpec(
        rid=testing.rid, version="0.3.0", materialize=False)).feature_values(
        "Image", "Diagnosis")) == []

    released = testing.release(VersionPart.minor, "Labelled release")
    assert released == DatasetVersion(0, 4, 0) and testing.current_version == released
    assert [str(h.dataset_version) for h in testing.dataset_history()][-2:] == \
        ["0.3.0", "0.4.0"]
    assert testing.dataset_history()[-1].description == "Labelled release"
    assert not testing.is_dirty()

    changes = testing.compare_versions("0.3.0", "0.4.0")
    assert changes["Execution_Image_Diagnosis"] == 1
    assert testing.compare_versions(DatasetVersion(0, 4, 0), "0.3.0") == changes
    assert testing.compare_versions("0.4.0", "0.4.0") == {}
    with pytest.raises(DerivaMLNotFound, match="no version 9.9.9"):
        testing.compare_versions("0.3.0", "9.9.9")


def test_a_member_change_in_a_dev_period_releases_the_dev_version(ml, clinic):
    testing = clinic.testing
    testing.mark_dev("Flagged")
    assert testing.add_dataset_members([clinic.subjects["Bob"]]) == DatasetVersion(0, 4, 0)
    versions = [h.dataset_version for h in testing.dataset_history()]
    assert [str(v) for v in versions] == ["0.1.0", "0.2.0", "0.3.0", "0.4.0"]
    assert not any(v.is_devrelease for v in versions)


def test_dataset_takes_deriva_mls_constructor_and_lists_like_it(ml, clinic):
    split, training, testing = clinic.split, clinic.training, clinic.testing
    same = Dataset(ml, split.rid)
    assert same == split and same.description == "the split"
    assert Dataset(catalog=ml, dataset_rid=split.rid, description="known").description == \
        "known"
    assert set(split.list_dataset_children_rids(recurse=True)) == {training.rid, testing.rid}
    assert split.list_dataset_children(recurse=True, _visited=None) == \
        split.list_dataset_children(recurse=True)
    members = training.list_dataset_members(recurse=False, limit=None, _visited=None)
    assert len(members["Image"]) == 3
    assert training.list_dataset_parents(_visited=None) == [split]


def test_markdown_and_chaise_url(ml, clinic):
    split = clinic.split
    assert split.get_chaise_url() == ml.catalog.url_for(split.rid)
    text = split.to_markdown(show_children=True)
    first, *children = text.splitlines()
    assert first == (f"- [{split.rid}]({split.get_chaise_url()}) v{split.current_version} "
                     "[Split]: the split")
    assert sorted(children) == sorted(
        f"  - [{d.rid}]({d.get_chaise_url()}) v{d.current_version} [{t}]: {t.lower()[:-3]}"
        for d, t in ((clinic.training, "Training"), (clinic.testing, "Testing")))
    assert split.to_markdown(indent=2).startswith("    - [")


def test_executions_of_a_dataset_and_of_a_workflow(ml, clinic):
    training = clinic.training
    labeling = training.list_workflow_executions("Feature_Creation")
    assert len(labeling) == 2
    assert training.list_executions() == []
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Training run", "Training"),
        datasets=[DatasetSpec(rid=training.rid, materialize=False)], description="uses it"))
    assert [e.execution_rid for e in training.list_executions()] == [exe.execution_rid]
    with pytest.raises(DerivaMLNotFound, match="no workflow 'Nope'"):
        training.list_workflow_executions("Nope")


def test_create_dataset_as_a_static_method_and_recursive_delete(ml, clinic):
    made = Dataset.create_dataset(ml, None, "Training", "made statically",
                                  DatasetVersion(1, 0, 0))
    assert made.description == "made statically" and str(made.current_version) == "1.0.0"
    ml.delete_dataset(clinic.split, recurse=True)
    assert [d.rid for d in ml.find_datasets()] == [made.rid]
