"""``derivaml pull`` against a DERIVA server's recorded answers: a fresh catalog holding a
small dataset (three image files, then a fourth in a later version) is pulled at its first
version into a local catalog, which is checked here (rows, files, versions)."""

from __future__ import annotations

import pytest

from derivaml_jupyter.core.definitions import MLVocab
from derivaml_jupyter.ml import DerivaML

from .conftest import derivaml

FILES = {f"img_{i}.txt": f"image {i}\n".encode() * (i + 1) for i in range(4)}


def add_images(ml: DerivaML, names: list[str], folder) -> list[str]:
    """Rows of the ``Image`` asset table for files ``names`` of FILES, stored on the server."""
    rows = []
    for name in names:
        path = folder / name
        path.write_bytes(FILES[name])
        info = ml.catalog.put_object(f"{ml.domain_schema}/Image", name, path)
        rows.append({"URL": info.url, "Filename": name, "Length": info.length, "MD5": info.md5,
                     "Label": int(name[4])})
    return [r["RID"] for r in ml.catalog.insert(ml.domain_schema, "Image", rows)]


@pytest.fixture
def source(recorded, tmp_path, monkeypatch):
    """``(catalog id, images dataset RID, parent dataset RID, image RIDs)`` of a fresh catalog
    whose ``Images`` dataset holds three images at 1.0.0 and four at 1.1.0, nested in
    ``Parent`` (1.0.0)."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    files = tmp_path / "files"
    files.mkdir()
    with recorded.new_catalog() as catalog_id:
        ml = DerivaML(recorded.host, catalog_id)
        ml.create_asset("Image", {"Label": "int4"}, comment="small test images")
        ml.add_dataset_element_type("Image")
        for term in ("Images", "Parent"):
            ml.add_term(MLVocab.dataset_type, term, f"{term} of the recorded pull test")
        images = add_images(ml, sorted(FILES)[:3], files)
        dataset = ml.create_dataset("Images", description="three images").dataset_rid
        ml.add_dataset_members(dataset, images)
        ml.increment_dataset_version(dataset, "major", "first release")
        parent = ml.create_dataset("Parent", description="holds Images").dataset_rid
        ml.add_dataset_members(parent, [dataset])
        ml.increment_dataset_version(parent, "major", "first release")
        fourth = add_images(ml, sorted(FILES)[3:], files)
        ml.add_dataset_members(dataset, fourth)
        assert str(ml.current_dataset_version(dataset)) == "1.1.0"
        yield catalog_id, dataset, parent, images + fourth


def test_pull_copies_a_dataset_version_with_its_files(recorded, source, tmp_path):
    catalog_id, dataset, parent, images = source
    out = derivaml("pull", f"{recorded.host}/{catalog_id}", f"{dataset}@1.0.0",
                   "--catalog", "offline")
    assert f"Pulled dataset {dataset} version 1.0.0 of {recorded.host}/{catalog_id}" in out
    assert "3 files" in out

    local = DerivaML("local", "offline")
    assert str(local.current_dataset_version(dataset)) == "1.0.0"
    members = local.list_dataset_members(dataset)["Image"]
    assert sorted(m["RID"] for m in members) == sorted(images[:3])
    for row in members:
        dest = tmp_path / "got" / row["Filename"]
        local.catalog.get_object(row["URL"], dest)
        assert dest.read_bytes() == FILES[row["Filename"]]

    again = derivaml("pull", f"{recorded.host}/{catalog_id}", f"{dataset}@1.0.0",
                     "--catalog", "offline")
    assert "already in local catalog 'offline'; nothing added" in again

    latest = derivaml("pull", f"{recorded.host}/{catalog_id}", dataset, "--catalog", "latest")
    assert f"Pulled dataset {dataset} version 1.1.0" in latest and "4 files" in latest
    assert sorted(m["RID"] for m in DerivaML("local", "latest").list_dataset_members(
        dataset)["Image"]) == sorted(images)

    nested = derivaml("pull", f"{recorded.host}/{catalog_id}", parent, "--catalog", "nested")
    assert "4 files" not in nested and "3 files" in nested
    pulled = DerivaML("local", "nested")
    assert [m["RID"] for m in pulled.list_dataset_members(parent)["Dataset"]] == [dataset]
    assert len(pulled.list_dataset_members(parent, recurse=True)["Image"]) == 3
