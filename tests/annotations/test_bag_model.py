"""deriva-ml's bag model: ``DatabaseModel`` over a downloaded bag and ``DerivaMLBagView``."""

from __future__ import annotations

import warnings

import pytest
from dataset.clinic import build_clinic

from derivaml.model import DatabaseModel, DerivaMLBagView
from derivaml_jupyter.annotations import bag_model as bag_model_module
from derivaml_jupyter.core.errors import (
    DerivaMLDatasetNotFound,
    DerivaMLException,
    DerivaMLInvalidTerm,
    DerivaMLReadOnlyError,
)


@pytest.fixture
def bag_model(ml, tmp_path, monkeypatch):
    """The DatabaseModel of the Split dataset's bag, and the clinic."""
    clinic = build_clinic(ml, tmp_path / "files")
    bag = ml.download_dataset_bag(f"{clinic.split.rid}@{clinic.split.current_version}")
    monkeypatch.setattr(bag_model_module, "_warned", set())
    with pytest.warns(UserWarning, match="dbase_path is not used"):
        model = DatabaseModel(None, bag.path, tmp_path / "db")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        DatabaseModel(None, bag.path, tmp_path / "db")  # only the first one warns
    return model, clinic


def test_database_model_knows_the_bags_datasets_and_tables(bag_model):
    model, clinic = bag_model
    assert model.dataset_rid == clinic.split.rid
    assert model.dataset_version() == clinic.split.current_version
    for dataset in (clinic.training, clinic.testing):
        assert model.rid_lookup(dataset.rid) == dataset.current_version
    with pytest.raises(DerivaMLDatasetNotFound):
        model.rid_lookup("1-XXXX")
    assert model.is_asset("Image") and model.is_vocabulary("Diagnosis_Type")
    assert {"Image", "Subject"} <= {t.name for t in model.list_dataset_element_types()}
    assert [f.feature_name for f in model.find_features("Image")] == ["Diagnosis"]
    assert model.is_dataset_rid(clinic.training.rid)
    assert {r["Name"] for r in model.get_table_contents("Subject")} == set(clinic.subjects)
    with pytest.raises(DerivaMLException, match="opened from a bag"):
        DatabaseModel.from_cached({}, catalog=None)


def test_bag_view_reads_and_refuses_writes(bag_model):
    model, clinic = bag_model
    view = DerivaMLBagView(model)
    assert view.model is model and view.ml_schema == "deriva-ml"
    assert {d.dataset_rid for d in view.find_datasets()} == {
        clinic.split.rid, clinic.training.rid, clinic.testing.rid}
    training = view.lookup_dataset(clinic.training.rid)
    assert training.dataset_rid == clinic.training.rid
    assert view.lookup_term("Diagnosis_Type", "Normal").name == "Normal"
    with pytest.raises(DerivaMLInvalidTerm):
        view.lookup_term("Diagnosis_Type", "Nope")
    with pytest.raises(DerivaMLException, match="not a controlled vocabulary"):
        view.lookup_term("Subject", "Alice")
    assert sorted(view.get_table_as_dataframe("Subject")["Name"]) == ["Alice", "Bob", "Carol"]
    assert view.resolve_rid(clinic.testing.rid) == {
        "RID": clinic.testing.rid, "version": clinic.testing.current_version}
    with pytest.raises(DerivaMLReadOnlyError):
        view.create_dataset(description="new")
    with pytest.raises(DerivaMLException, match="pathBuilder"):
        view.pathBuilder()
    with pytest.raises(DerivaMLException, match="immutable snapshot"):
        view.catalog_snapshot("2TA-XXXX")
