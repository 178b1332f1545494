"""Fixtures of the execution tests: a catalog with a Model asset table and a dataset of
images stored in its object store."""

from __future__ import annotations

from pathlib import Path

import pytest

from derivaml_jupyter.ml import DerivaML


def store_images(ml: DerivaML, folder: Path, count: int) -> list[str]:
    """Put ``count`` small files into the ``Image`` asset table; return their RIDs."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(count):
        source = folder / f"img{i}.png"
        source.write_bytes(f"image {i}".encode() * 10)
        info = ml.catalog.put_object("domain/Image", source.name, source)
        rows.append({"URL": info.url, "Filename": source.name, "Length": info.length,
                     "MD5": info.md5})
    return [r["RID"] for r in ml.insert_rows("Image", rows)]


@pytest.fixture
def project(ml: DerivaML, tmp_path: Path) -> dict:
    """``ml`` with asset tables Model and Image, and a Training dataset of 3 images at
    versions 0.1.0 (empty) and 0.2.0."""
    ml.create_asset("Model")
    ml.create_asset("Image")
    ml.add_dataset_element_type("Image")
    images = store_images(ml, tmp_path / "sources", 3)
    dataset = ml.create_dataset(["Training"], description="Training images")
    dataset.add_dataset_members(images)
    return {"ml": ml, "dataset": dataset.dataset_rid, "images": images}
