"""DatasetBag.as_torch_dataset / as_tf_dataset on a real bag. The element logic
(``ElementSamples``) is tested without either framework; the framework wrappers where torch or
tensorflow is installed (neither is a test dependency: both are optional extras)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from derivaml.feature import FeatureRecord
from derivaml_jupyter.core.errors import DerivaMLException
from derivaml_jupyter.dataset.frameworks import ElementSamples


def first_bytes(path: Path, row: dict) -> tuple[str, bytes]:
    return row["Filename"], path.read_bytes()[:12]


def test_unlabelled_samples_are_loaded_files_and_rids(clinic_bag, clinic):
    samples = ElementSamples(clinic_bag, "Image", sample_loader=first_bytes,
                             transform=lambda s: (s[0].upper(), s[1]))
    assert len(samples) == 4
    items = list(samples)
    assert [rid for _, rid in items] == sorted(clinic.images.values())
    assert ("A1.PNG", b"pixels of a1") in [s for s, _ in items]


def test_targets_and_missing(clinic_bag, clinic):
    newest = {"Diagnosis": FeatureRecord.select_newest}
    skip = ElementSamples(clinic_bag, "Image", sample_loader=first_bytes, targets=newest,
                          missing="skip", target_transform=lambda r: r.Diagnosis_Type)
    assert {rid: t for _, t, rid in skip} == clinic.labels  # b1.png has no label
    keep = ElementSamples(clinic_bag, "Image", sample_loader=first_bytes, targets=["Diagnosis"],
                          missing="unknown")
    targets = {rid: t for _, t, rid in keep}
    assert targets[clinic.images["b1.png"]] is None
    assert type(targets[clinic.images["a2.png"]]).__name__ == "ImageFeatureDiagnosis"
    with pytest.raises(DerivaMLException, match=r"1 Image element\(s\) have no value"):
        ElementSamples(clinic_bag, "Image", sample_loader=first_bytes, targets=newest)


def test_rows_as_samples_and_direct_members(clinic_bag, clinic):
    subjects = ElementSamples(clinic_bag, "Subject")  # not files: the sample is the row
    assert sorted(s["Name"] for s, _ in subjects) == ["Alice", "Bob", "Carol"]
    members = ElementSamples(clinic_bag, "Subject", reachable=False)
    assert sorted(s["Name"] for s, _ in members) == ["Alice", "Carol"]
    with pytest.raises(DerivaMLException, match="sample_loader"):
        ElementSamples(clinic_bag, "Image")
    with pytest.raises(DerivaMLException, match="no Observation members"):
        ElementSamples(clinic_bag, "Observation", reachable=False)


def test_missing_file_raises_on_read(ml, clinic):
    from derivaml_jupyter.dataset.spec import DatasetSpec

    lean = ml.download_dataset_bag(DatasetSpec(rid=clinic.testing.rid, materialize=False))
    samples = ElementSamples(lean, "Image", sample_loader=first_bytes)
    with pytest.raises(FileNotFoundError, match="materialize"):
        samples[0]


@pytest.mark.skipif(importlib.util.find_spec("torch") is not None, reason="torch is installed")
def test_without_torch_the_error_names_the_extra(clinic_bag):
    with pytest.raises(ImportError, match=r"derivaml-jupyter\[torch\]"):
        clinic_bag.as_torch_dataset("Image", sample_loader=first_bytes)


@pytest.mark.skipif(importlib.util.find_spec("tensorflow") is not None,
                    reason="tensorflow is installed")
def test_without_tensorflow_the_error_names_the_extra(clinic_bag):
    with pytest.raises(ImportError, match=r"derivaml-jupyter\[tf\]"):
        clinic_bag.as_tf_dataset("Image", sample_loader=first_bytes)


def test_torch_dataset_feeds_a_data_loader(clinic_bag, clinic):
    torch = pytest.importorskip("torch")
    ds = clinic_bag.as_torch_dataset(
        "Image", sample_loader=lambda p, row: torch.tensor(list(p.read_bytes()[:4])),
        targets={"Diagnosis": FeatureRecord.select_newest}, missing="skip",
        target_transform=lambda r: int(r.Diagnosis_Type == "Glaucoma"))
    assert isinstance(ds, torch.utils.data.Dataset) and len(ds) == 3
    samples, targets, rids = next(iter(torch.utils.data.DataLoader(ds, batch_size=3)))
    assert samples.shape == (3, 4) and sorted(targets.tolist()) == [0, 1, 1]
    assert set(rids) == set(clinic.labels)


def test_tf_dataset_infers_its_signature(clinic_bag):
    tf = pytest.importorskip("tensorflow")
    ds = clinic_bag.as_tf_dataset("Image", sample_loader=lambda p, row: tf.constant(p.read_bytes()))
    assert len(list(ds)) == 4
