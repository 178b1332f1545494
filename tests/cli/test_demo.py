"""The digits demo loader from Python: content, split, and resuming an interrupted load."""

from __future__ import annotations

import sys

import pytest
from PIL import Image
from sklearn.datasets import load_digits

from derivaml_jupyter.core.errors import DerivaMLException
from derivaml_jupyter.demo import (
    DATASETS,
    SCALE,
    TEST_EVERY,
    load_demo_data,
    store_digit_images,
)

pytestmark = pytest.mark.real_server


def test_interrupted_load_is_completed_without_duplicates(ml, tmp_path):
    digits = load_digits()
    images = store_digit_images(ml, progress=False)
    ml.catalog.delete("domain", "Image", {"RID": images[-100:]})  # rows never inserted
    complete_types, complete_description = DATASETS["Complete"]
    started = ml.create_dataset(complete_types, description=complete_description)

    rids = load_demo_data(ml, progress=False)

    assert rids["Complete"] == started.rid
    datasets = ml.find_datasets()
    assert sorted(d.dataset_rid for d in datasets) == sorted(rids.values())
    assert {str(d.current_version) for d in datasets} == {"1.0.0"}
    rows = ml.catalog.select("domain", "Image", sort=["Filename"])
    assert [r["Label"] for r in rows] == [int(t) for t in digits.target]
    members = {key: {r["RID"] for r in ml.list_dataset_members(rid).get("Image", [])}
               for key, rid in rids.items()}
    assert members["Complete"] == {r["RID"] for r in rows}
    assert members["Training"] | members["Testing"] == members["Complete"]
    assert not members["Training"] & members["Testing"]
    assert members["Testing"] == {r["RID"] for r in rows[TEST_EVERY - 1::TEST_EVERY]}
    assert {d.rid for d in ml.list_dataset_children(rids["Split"])} == {
        rids["Training"], rids["Testing"]}

    first = rows[0]
    png = tmp_path / "digit.png"
    assert ml.catalog.get_object(first["URL"], png).md5 == first["MD5"]
    with Image.open(png) as image:
        assert image.size == (8 * SCALE, 8 * SCALE)
    assert load_demo_data(ml, progress=False) == rids
    assert ml.catalog.count("domain", "Image") == len(digits.images)



def test_demo_without_the_demo_extra_names_it_and_writes_nothing(ml, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # as if scikit-learn were not installed
    with pytest.raises(DerivaMLException, match=r"derivaml-jupyter\[demo\]"):
        load_demo_data(ml, progress=False)
    assert not ml.catalog.model().has_table(ml.domain_schema, "Image")
    assert ml.find_datasets() == []
