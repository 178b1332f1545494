"""Dataset bags: contents, files and MD5s, versions, metadata-only bags, the cache, errors."""

from __future__ import annotations

import csv
import errno
import hashlib
import json
import os
import threading
from pathlib import Path
from urllib.parse import unquote

import pytest
from bdbag import bdbag_api

from derivaml_jupyter.core.errors import (
    DerivaMLException,
    DerivaMLNotFound,
    DerivaMLValidationError,
)
from derivaml_jupyter.dataset import bag as bag_module
from derivaml_jupyter.dataset.dataset_bag import DatasetBag
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.ml import DerivaML

pytestmark = pytest.mark.real_server


def md5(path: Path) -> str:
    return hashlib.md5(Path(path).read_bytes()).hexdigest()


def read_csv(bag: DatasetBag, schema: str, table: str) -> list[dict]:
    with open(bag.path / "data" / schema / f"{table}.csv", newline="") as f:
        return list(csv.DictReader(f))


def add_images(ml: DerivaML, folder: Path, names: list[str]) -> dict[str, dict]:
    """Store one file per name as an Image asset; returns RID -> {name, md5, content}."""
    folder.mkdir(exist_ok=True)
    rows, files = [], []
    for name in names:
        path = folder / name
        content = f"pixels of {name} ".encode() * (len(name) + 3)
        path.write_bytes(content)
        info = ml.catalog.put_object("Image", name, path)
        rows.append({"URL": info.url, "Filename": name, "Length": info.length,
                     "MD5": info.md5, "Label": name.replace(" ", "_").split("_")[0]})
        files.append({"name": name, "md5": hashlib.md5(content).hexdigest(),
                      "content": content})
    return {r["RID"]: f for r, f in zip(ml.insert_rows("Image", rows), files)}


@pytest.fixture
def images(ml, tmp_path) -> dict[str, dict]:
    ml.create_asset("Image", {"Label": "text"})
    ml.add_dataset_element_type("Image")
    names = ["cat_1.png", "cat_2.png", "dog_1.png", "dog 2.png", "bird_1.png", "bird_2.png"]
    return add_images(ml, tmp_path / "files", names)


def make_split(ml: DerivaML, rids: list[str]):
    """A Split dataset nesting Training (first four images) and Testing (the rest)."""
    training = ml.create_dataset("Training", description="train part")
    testing = ml.create_dataset("Testing", description="test part")
    training.add_dataset_members(rids[:4])
    testing.add_dataset_members(rids[4:])
    parent = ml.create_dataset("Split", description="the split")
    parent.add_dataset_members([training.rid, testing.rid])
    return parent, training, testing


@pytest.fixture
def split(ml, images):
    return make_split(ml, list(images))


@pytest.fixture
def bdbag_cfg(tmp_path) -> str:
    return str(tmp_path / "bdbag.cfg")  # keeps bdbag from writing its config under $HOME


def object_file(ml: DerivaML, url: str) -> Path:
    """Where the local catalog stores the object at ``url``."""
    return ml.catalog.objects.path_of(url)


def test_bag_of_nested_dataset_holds_tables_files_and_md5s(ml, images, split, bdbag_cfg):
    parent, training, testing = split
    bag = ml.download_dataset_bag(DatasetSpec(rid=parent.rid))

    assert bag.path == ml.cache_dir / "bags" / f"{parent.rid}_{parent.current_version}"
    assert (bag.dataset_rid, bag.version, bag.current_version) == (
        parent.rid, parent.current_version, parent.current_version)
    assert bag.description == "the split" and bag.dataset_types == ["Split"]
    assert bag.snapshot == ml.dataset_version_record(parent.rid)["Snapshot"]

    # The CSVs, read without DatasetBag.
    assert {r["RID"] for r in read_csv(bag, "deriva-ml", "Dataset")} == {
        parent.rid, training.rid, testing.rid}
    assert {(r["Dataset"], r["Nested_Dataset"]) for r in read_csv(
        bag, "deriva-ml", "Dataset_Dataset")} == {(parent.rid, training.rid),
                                                  (parent.rid, testing.rid)}
    assert {r["Dataset_Type"] for r in read_csv(bag, "deriva-ml", "Dataset_Dataset_Type")} == {
        "Split", "Training", "Testing"}
    assert {r["Version"] for r in read_csv(bag, "deriva-ml", "Dataset_Version")
            if r["Dataset"] == training.rid} == {"0.1.0", "0.2.0"}
    assert len(read_csv(bag, "domain", "Dataset_Image")) == 6
    image_rows = read_csv(bag, "domain", "Image")
    assert {r["RID"]: r["MD5"] for r in image_rows} == {
        rid: f["md5"] for rid, f in images.items()}
    assert "Split" in {r["Name"] for r in read_csv(bag, "deriva-ml", "Dataset_Type")}
    schema = json.loads((bag.path / "data" / "schema.json").read_text())
    image_table = next(t for t in schema["tables"] if t["name"] == "Image")
    assert image_table["kind"] == "asset" and "Label" in [c["name"] for c in
                                                          image_table["columns"]]

    # The files, with the catalog's MD5s, and a bag bdbag accepts in full.
    for rid, f in images.items():
        assert md5(bag.path / "data" / "asset" / rid / "Image" / f["name"]) == f["md5"]
    bdbag_api.validate_bag(str(bag.path), config_file=bdbag_cfg)

    # The read API over the bag.
    top = bag.list_dataset_members()
    assert set(top) == {"Dataset"} and {d["RID"] for d in top["Dataset"]} == {
        training.rid, testing.rid}
    members = bag.list_dataset_members(recurse=True)["Image"]
    assert {m["RID"] for m in members} == set(images)
    for m in members:
        path = Path(m["Filename"])
        assert path.is_absolute() and path.is_file() and path.is_relative_to(bag.path)
        assert path.read_bytes() == images[m["RID"]]["content"]
        assert isinstance(m["Length"], int) and m["Label"] in ("cat", "dog", "bird")
    assert len(bag.list_dataset_members(recurse=True, limit=2)["Image"]) == 2
    children = {c.dataset_rid: c for c in bag.list_dataset_children()}
    assert set(children) == {training.rid, testing.rid}
    assert children[training.rid].dataset_types == ["Training"]
    assert children[training.rid].description == "train part"
    assert {m["RID"] for m in children[testing.rid].list_dataset_members()["Image"]} == set(
        list(images)[4:])
    assert [p.dataset_rid for p in children[testing.rid].list_dataset_parents()] == [parent.rid]


def test_tables_decode_types_from_the_schema(ml, images, split):
    ml.add_term("Dataset_Type", "Curated", description="Hand checked.",
                synonyms=["checked", "reviewed"])
    parent, _, _ = split
    parent.add_dataset_members({"Image": list(images)[:1]})
    bag = ml.download_dataset_bag(f"{parent.rid}@{parent.current_version}")

    assert {"domain.Image", "domain.Dataset_Image", "deriva-ml.Dataset",
            "deriva-ml.Dataset_Version", "deriva-ml.Dataset_Type"} <= set(bag.list_tables())
    frame = bag.get_table_as_dataframe("Image")
    assert sorted(frame["RID"]) == sorted(images)
    assert frame["Length"].dtype.kind == "i"
    datasets = list(bag.get_table_as_dict("Dataset"))
    assert datasets and all(d["Deleted"] is False for d in datasets)
    curated = next(t for t in bag.get_table_as_dict("deriva-ml.Dataset_Type")
                   if t["Name"] == "Curated")
    assert curated["Synonyms"] == ["checked", "reviewed"]
    assert [str(h.dataset_version) for h in bag.dataset_history()] == ["0.1.0", "0.2.0", "0.3.0"]
    with pytest.raises(DerivaMLNotFound, match="Nope"):
        bag.get_table_as_dataframe("Nope")
    with pytest.raises(DerivaMLNotFound, match="Nope"):
        bag.get_table_as_dict("Nope")


def test_old_version_keeps_its_members_after_later_additions(ml, tmp_path, images, split):
    _, training, _ = split
    assert str(training.current_version) == "0.2.0"
    new = add_images(ml, tmp_path / "more", ["fox_1.png", "fox_2.png"])
    assert str(training.add_dataset_members(list(new))) == "0.3.0"

    old = ml.download_dataset_bag(DatasetSpec(rid=training.rid, version="0.2.0"))
    now = ml.download_dataset_bag(DatasetSpec(rid=training.rid))
    assert old.path != now.path and str(old.version) == "0.2.0" and str(now.version) == "0.3.0"
    old_members = {m["RID"] for m in old.list_dataset_members()["Image"]}
    assert old_members == set(list(images)[:4])
    assert {m["RID"] for m in now.list_dataset_members()["Image"]} == old_members | set(new)
    assert not any((old.path / "data" / "asset" / rid).exists() for rid in new)
    assert [str(h.dataset_version) for h in old.dataset_history()] == ["0.1.0", "0.2.0"]
    assert {r["RID"] for r in read_csv(old, "domain", "Image")} == old_members


def test_metadata_only_bag_lists_files_in_fetch_txt_then_materializes(ml, images, split,
                                                                      bdbag_cfg):
    parent, _, _ = split
    bag = ml.download_dataset_bag(DatasetSpec(rid=parent.rid, materialize=False))

    assert not (bag.path / "data" / "asset").exists()
    fetch = [line.split("\t") for line in (bag.path / "fetch.txt").read_text().splitlines()]
    by_rid = {unquote(path).split("/")[2]: (unquote(url), int(length))
              for url, length, path in fetch}
    rows = {r["RID"]: r for r in ml.list_dataset_members(parent.rid, recurse=True)["Image"]}
    assert by_rid == {rid: (unquote(rows[rid]["URL"]), rows[rid]["Length"]) for rid in images}
    bdbag_api.validate_bag_structure(str(bag.path), skip_remote=True)
    members = bag.list_dataset_members(recurse=True)["Image"]
    assert members and not any(Path(m["Filename"]).exists() for m in members)

    assert bag.materialize() is bag
    for m in members:
        assert md5(m["Filename"]) == images[m["RID"]]["md5"]
    assert not list(bag.path.rglob("*.partial"))
    bdbag_api.validate_bag(str(bag.path), config_file=bdbag_cfg)


def test_materialized_download_of_a_cached_metadata_only_bag_fetches_files(ml, images, split):
    parent, _, _ = split
    lean = ml.download_dataset_bag(DatasetSpec(rid=parent.rid, materialize=False))
    full = ml.download_dataset_bag(DatasetSpec(rid=parent.rid))
    assert full.path == lean.path
    assert all(Path(m["Filename"]).is_file()
               for m in full.list_dataset_members(recurse=True)["Image"])


@pytest.mark.local_only
def test_second_download_is_a_cache_hit(ml, images, split):
    parent, _, _ = split
    first = ml.download_dataset_bag(DatasetSpec(rid=parent.rid))
    some = next(iter(images))
    copied = first.path / "data" / "asset" / some / "Image" / images[some]["name"]
    before = (copied.stat().st_mtime_ns, copied.stat().st_ino, first.path.stat().st_ino,
              (first.path / "manifest-md5.txt").stat().st_mtime_ns)
    # With the stored objects gone, anything but a cache hit would fail.
    for row in ml.list_dataset_members(parent.rid, recurse=True)["Image"]:
        object_file(ml, row["URL"]).unlink()

    second = ml.download_dataset_bag(DatasetSpec(rid=parent.rid))
    assert second.path == first.path
    assert (copied.stat().st_mtime_ns, copied.stat().st_ino, second.path.stat().st_ino,
            (second.path / "manifest-md5.txt").stat().st_mtime_ns) == before
    assert sorted(p.name for p in (ml.cache_dir / "bags").iterdir()) == [first.path.name]


def test_new_version_gets_a_new_bag(ml, images, split):
    _, training, _ = split
    first = ml.download_dataset_bag(DatasetSpec(rid=training.rid, materialize=False))
    training.delete_dataset_members(list(images)[:1])
    second = ml.download_dataset_bag(DatasetSpec(rid=training.rid, materialize=False))
    assert second.path != first.path
    assert len(second.list_dataset_members()["Image"]) == 3
    assert len(first.list_dataset_members()["Image"]) == 4


def test_bad_specs_give_clear_errors_and_leave_no_bag(ml, images, split):
    parent, _, _ = split
    with pytest.raises(DerivaMLNotFound, match=r"9\.9\.9.*Available versions"):
        ml.download_dataset_bag(DatasetSpec(rid=parent.rid, version="9.9.9"))
    with pytest.raises(DerivaMLNotFound, match="does not exist"):
        ml.download_dataset_bag("1-ZZZZ@0.1.0")
    with pytest.raises(DerivaMLValidationError, match="RID@version"):
        ml.download_dataset_bag(42)
    with pytest.raises(DerivaMLValidationError, match="not a dataset version"):
        ml.download_dataset_bag(f"{parent.rid}@latest")
    bags = ml.cache_dir / "bags"
    assert not bags.exists() or not list(bags.iterdir())


@pytest.mark.local_only
def test_failed_file_copy_leaves_no_bag_behind(ml, images, split):
    parent, _, _ = split
    row = ml.list_dataset_members(parent.rid, recurse=True)["Image"][-1]
    object_file(ml, row["URL"]).unlink()
    with pytest.raises(DerivaMLNotFound, match="No object stored"):
        ml.download_dataset_bag(DatasetSpec(rid=parent.rid))
    assert not list((ml.cache_dir / "bags").iterdir())


@pytest.mark.local_only
def test_files_are_copied_while_the_tables_are_written_and_a_failure_stops_them(
        ml, images, split, monkeypatch):
    parent, _, _ = split
    copied, get_object = threading.Event(), type(ml.catalog).get_object

    def get_and_tell(catalog, url, dest, **kwargs):
        info = get_object(catalog, url, dest, **kwargs)
        copied.set()
        return info

    def disk_full(*args):
        assert copied.wait(10), "no file was copied while the BagIt files were being written"
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(type(ml.catalog), "get_object", get_and_tell)
    monkeypatch.setattr(bag_module, "write_bag_files", disk_full)
    with pytest.raises(OSError, match="No space left"):
        ml.download_dataset_bag(DatasetSpec(rid=parent.rid))
    assert not list((ml.cache_dir / "bags").iterdir())  # no copy went on writing after


def test_bag_opened_without_catalog_reads_but_cannot_fetch(ml, images, split):
    parent, _, _ = split
    lean = ml.download_dataset_bag(DatasetSpec(rid=parent.rid, materialize=False))
    offline = DatasetBag(lean.path)
    assert offline.dataset_rid == parent.rid and offline.version == parent.current_version
    assert len(offline.list_dataset_members(recurse=True)["Image"]) == 6
    with pytest.raises(DerivaMLException, match="without a catalog"):
        offline.materialize()
    with pytest.raises(DerivaMLNotFound, match="not a bag"):
        DatasetBag(lean.path / "data")


@pytest.mark.local_only
def test_cached_bag_of_another_catalog_state_is_replaced(ml, tmp_path, images, split):
    parent, _, _ = split
    stale = ml.download_dataset_bag(DatasetSpec(rid=parent.rid, materialize=False))
    # A second catalog sharing the cache, built the same way: same RIDs and versions,
    # other snapshots and other files.
    other = DerivaML("local", "other", cache_dir=ml.cache_dir)
    other.create_asset("Image", {"Label": "text"})
    other.add_dataset_element_type("Image")
    files = add_images(other, tmp_path / "other", [f"x{i}.png" for i in range(6)])
    assert list(files) == list(images)
    again, _, _ = make_split(other, list(files))
    assert (again.rid, again.current_version) == (parent.rid, parent.current_version)

    fresh = other.download_dataset_bag(DatasetSpec(rid=again.rid))
    assert fresh.path == stale.path and fresh.snapshot != stale.snapshot
    for m in fresh.list_dataset_members(recurse=True)["Image"]:
        assert md5(m["Filename"]) == files[m["RID"]]["md5"]
    assert [p.name for p in (ml.cache_dir / "bags").iterdir()] == [fresh.path.name]
    assert os.listdir(fresh.path / "data" / "asset")


def test_excluded_tables_are_left_out_of_a_bag_cached_apart(ml, images, split):
    parent, _, _ = split
    full = ml.download_dataset_bag(DatasetSpec(rid=parent.rid))
    lean = ml.download_dataset_bag(DatasetSpec(rid=parent.rid, exclude_tables={"Image"}))
    assert lean.path != full.path
    assert "domain.Image" in full.list_tables() and "domain.Image" not in lean.list_tables()
    assert not (lean.path / "data" / "asset").exists()
    assert len(read_csv(lean, "domain", "Dataset_Image")) == 6  # membership is still there
    assert "Image" in full.list_dataset_members(recurse=True)


@pytest.mark.parametrize("table, message", [("Dataset", "cannot be excluded"),
                                            ("Nope", "no table named 'Nope'")])
def test_excluding_the_dataset_or_an_unknown_table_is_refused(ml, images, split, table,
                                                                 message):
    with pytest.raises(DerivaMLException, match=message):
        ml.download_dataset_bag(DatasetSpec(rid=split[0].rid, exclude_tables={table}))


def test_bag_of_a_version_older_than_a_new_table(ml, images, split):
    parent, _, _ = split
    old = parent.current_version
    ml.create_table("Later", {"Name": "text"})
    ml.add_dataset_element_type("Later")  # Dataset_Later: not in the version's snapshot
    bag = ml.download_dataset_bag(DatasetSpec(rid=parent.rid, version=old, materialize=False))
    assert not (bag.path / "data" / "domain" / "Dataset_Later.csv").exists()
    assert len(bag.list_dataset_members(recurse=True)["Image"]) == len(images)


@pytest.mark.local_only
def test_writing_to_a_bag_file_changes_neither_the_store_nor_another_bag(ml, images, split):
    parent, training, _ = split
    rid = next(iter(images))  # a member of both Training and Split
    name, content = images[rid]["name"], images[rid]["content"]
    mine = ml.download_dataset_bag(DatasetSpec(rid=parent.rid))
    other = ml.download_dataset_bag(DatasetSpec(rid=training.rid))
    mine_file, other_file = (bag.path / "data" / "asset" / rid / "Image" / name
                             for bag in (mine, other))
    stored = object_file(ml, ml.list_dataset_members(training.rid)["Image"][0]["URL"])
    assert stored.read_bytes() == content

    with open(mine_file, "r+b") as f:  # in place, as a link to the same inode would share
        f.write(b"X" * len(content))
    with open(mine_file, "ab") as f:
        f.write(b"more")

    assert mine_file.read_bytes() == b"X" * len(content) + b"more"
    assert stored.read_bytes() == content and other_file.read_bytes() == content
    assert os.stat(mine_file).st_nlink == 1


@pytest.mark.local_only
def test_files_are_copied_where_the_kernel_cannot_copy_between_them(ml, images, split,
                                                                    monkeypatch, bdbag_cfg):
    def cross_device(*args):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "copy_file_range", cross_device)
    parent, _, _ = split
    bag = ml.download_dataset_bag(DatasetSpec(rid=parent.rid))
    for m in bag.list_dataset_members(recurse=True)["Image"]:
        assert Path(m["Filename"]).read_bytes() == images[m["RID"]]["content"]
    bdbag_api.validate_bag(str(bag.path), config_file=bdbag_cfg)
