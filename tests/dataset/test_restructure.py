"""DatasetBag.restructure_assets on a real bag: type and label directories, selectors, column
targets, copies vs links, file transformers, and bad requests that place nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from derivaml.feature import FeatureRecord
from derivaml_jupyter.core.errors import (
    DerivaMLException,
    DerivaMLNotFound,
    DerivaMLValidationError,
)


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if not p.is_dir())


def test_folders_by_type_and_newest_label(clinic_bag, tmp_path):
    out = tmp_path / "out"
    manifest = clinic_bag.restructure_assets(
        out, targets={"Diagnosis": FeatureRecord.select_newest})
    assert tree(out) == ["testing/Unknown/b1.png", "training/Glaucoma/a1.png",
                         "training/Glaucoma/a2.png", "training/Normal/a3.png"]
    for source, placed in manifest.items():
        assert placed.is_symlink() and placed.read_bytes() == source.read_bytes()
        assert source.is_relative_to(clinic_bag.path)


def test_several_values_need_a_selector_unless_vocabulary_is_not_enforced(clinic_bag, tmp_path):
    with pytest.raises(DerivaMLException, match="several Diagnosis values"):
        clinic_bag.restructure_assets(tmp_path / "strict", targets=["Diagnosis"])
    assert not (tmp_path / "strict").exists()
    clinic_bag.restructure_assets(tmp_path / "first", targets=["Diagnosis"],
                                  enforce_vocabulary=False, use_symlinks=False, missing="skip")
    files = tree(tmp_path / "first")
    assert len(files) == 3 and "training/Glaucoma/a2.png" in files
    assert not any((tmp_path / "first" / f).is_symlink() for f in files)


def test_columns_transforms_and_type_names(clinic_bag, tmp_path):
    out = tmp_path / "out"
    clinic_bag.restructure_assets(out, targets=["Side"], type_to_dir_map={"Training": "train"},
                           target_transform=str.upper)
    # Testing has no directory in the map, so its file sits at the top.
    assert tree(out) == ["LEFT/b1.png", "train/LEFT/a1.png", "train/LEFT/a3.png",
                         "train/RIGHT/a2.png"]

    def to_txt(source: Path, dest: Path) -> Path:
        written = dest.with_suffix(".txt")
        written.write_text(str(len(source.read_bytes())))
        return written

    manifest = clinic_bag.restructure_assets(tmp_path / "txt", file_transformer=to_txt)
    assert sorted(p.name for p in manifest.values()) == ["a1.txt", "a2.txt", "a3.txt",
                                                         "b1.txt"]
    assert tree(tmp_path / "txt")[0] == "testing/b1.txt"


def test_bad_requests_place_nothing(clinic_bag, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(DerivaMLValidationError, match="dotted"):
        clinic_bag.restructure_assets(out, targets=["Diagnosis.Diagnosis_Type"])
    with pytest.raises(DerivaMLNotFound, match="Colour"):
        clinic_bag.restructure_assets(out, targets=["Colour"])
    with pytest.raises(DerivaMLValidationError, match="not an asset table"):
        clinic_bag.restructure_assets(out, asset_table="Subject")
    with pytest.raises(DerivaMLException, match="no value for"):
        clinic_bag.restructure_assets(out, targets={"Diagnosis": FeatureRecord.select_newest},
                               missing="error")
    with pytest.raises(DerivaMLValidationError, match="missing="):
        clinic_bag.restructure_assets(out, missing="ignore")
    with pytest.raises(DerivaMLValidationError, match="must return a str"):
        clinic_bag.restructure_assets(out, targets=["Side"], target_transform=len)
    assert not out.exists() or tree(out) == []


def test_unmaterialized_bag_says_to_materialize(ml, clinic, tmp_path):
    from derivaml_jupyter.dataset.spec import DatasetSpec

    lean = ml.download_dataset_bag(DatasetSpec(rid=clinic.testing.rid, materialize=False))
    with pytest.raises(DerivaMLException, match="materialize"):
        lean.restructure_assets(tmp_path / "out")
    assert not (tmp_path / "out").exists()
    lean.materialize()
    lean.restructure_assets(tmp_path / "out")
    assert tree(tmp_path / "out") == ["testing/b1.png"]
