"""The BagIt files of a dataset bag: written from the catalog's MD5s and lengths, read back by
bdbag (library and command line), by the cache's status and by DatasetBag, whatever the
asset file names hold (spaces, ``%``, non-ASCII letters; CR and LF in the escaping itself)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from bdbag import bdbag_api, bdbagit

from derivaml_jupyter.dataset.bagit_files import (
    PayloadFile,
    fetched_paths,
    write_bag_files,
    write_payload,
)
from derivaml_jupyter.dataset.cache import CacheStatus, bag_status
from derivaml_jupyter.dataset.spec import DatasetSpec

from .test_bag import add_images

NAMES = ["plain.png", "dog 2.png", "100% sure.png", "%41 literal.png", "naïve café.png",
         "Ωmega 猫.png"]


@pytest.fixture
def odd_images(ml, tmp_path) -> dict[str, dict]:
    ml.create_asset("Image", {"Label": "text"})
    ml.add_dataset_element_type("Image")
    return add_images(ml, tmp_path / "odd", NAMES)


@pytest.fixture
def dataset(ml, odd_images):
    dataset = ml.create_dataset("Training", description="odd names")
    dataset.add_dataset_members(list(odd_images))
    return dataset


def bdbag_cli(*args: str) -> subprocess.CompletedProcess:
    bdbag = Path(sys.executable).with_name("bdbag")
    return subprocess.run([str(bdbag), *args], capture_output=True, text=True, timeout=120)


@pytest.mark.real_server
def test_materialized_bag_with_odd_file_names_validates_and_reads_back(ml, odd_images,
                                                                       dataset, tmp_path):
    bag = ml.download_dataset_bag(DatasetSpec(rid=dataset.rid))

    cfg = str(tmp_path / "bdbag.cfg")
    bdbag_api.validate_bag(str(bag.path), fast=True, config_file=cfg)  # Payload-Oxum
    bdbag_api.validate_bag(str(bag.path), config_file=cfg)  # every file against its MD5
    result = bdbag_cli("--validate", "full", str(bag.path))
    assert result.returncode == 0 and "is valid" in result.stderr, result.stderr

    for rid, f in odd_images.items():
        assert (bag.path / "data" / "asset" / rid / "Image" / f["name"]).read_bytes() == \
            f["content"]
    assert sorted(fetched_paths(bag.path)) == sorted(
        f"data/asset/{rid}/Image/{f['name']}" for rid, f in odd_images.items())
    assert bag_status(bag.path) == CacheStatus.cached_materialized
    members = bag.list_dataset_members()["Image"]
    assert {Path(m["Filename"]).name for m in members} == set(NAMES)


@pytest.mark.real_server
def test_metadata_only_bag_with_odd_file_names_lists_and_fetches_them(ml, odd_images,
                                                                      dataset, tmp_path):
    bag = ml.download_dataset_bag(DatasetSpec(rid=dataset.rid, materialize=False))

    bdbag_api.validate_bag_structure(str(bag.path), skip_remote=True)
    fetched = sorted(unquote(path) for _, _, path in bdbagit.BDBag(str(bag.path)).fetch_entries())
    assert fetched == sorted(fetched_paths(bag.path)) == sorted(
        f"data/asset/{rid}/Image/{f['name']}" for rid, f in odd_images.items())
    assert bag_status(bag.path) == CacheStatus.cached_metadata_only
    first = sorted(fetched_paths(bag.path))[0]
    (bag.path / first).parent.mkdir(parents=True)
    (bag.path / first).write_bytes(b"x")
    assert bag_status(bag.path) == CacheStatus.cached_holey
    (bag.path / first).unlink()

    bag.materialize()
    assert bag_status(bag.path) == CacheStatus.cached_materialized
    bdbag_api.validate_bag(str(bag.path), config_file=str(tmp_path / "bdbag.cfg"))
    for rid, f in odd_images.items():
        assert (bag.path / "data" / "asset" / rid / "Image" / f["name"]).read_bytes() == \
            f["content"]


def test_cr_and_lf_in_paths_are_escaped_as_bagit_reads_them(tmp_path):
    root = tmp_path / "bag"
    data = root / "data"
    table = write_payload(data, "domain/Image.csv", b"RID\n1-ABC\n")
    odd = "asset/1-ABC/Image/line\nbreak\rand %25.png"
    remote = PayloadFile(odd, "0" * 32, 12, "https://example.org/hatrac/a b\tc")
    write_bag_files(root, [table, remote], {"External-Description": "two\nlines"})

    bag = bdbagit.BDBag(str(root))
    assert set(bag.payload_entries()) == {"data/domain/Image.csv", f"data/{odd}"}
    [(url, length, path)] = bag.fetch_entries()
    assert (url, length, unquote(path)) == ("https://example.org/hatrac/a%20b%09c", "12",
                                            f"data/{odd}")
    assert fetched_paths(root) == [f"data/{odd}"]
    assert bag.info["External-Description"] == "twolines"
    assert bag.info["Payload-Oxum"] == f"{table.length + 12}.2"
    bdbag_api.validate_bag_structure(str(root), skip_remote=True)


def test_tag_files_are_listed_in_the_tag_manifest_with_their_md5(tmp_path):
    root = tmp_path / "bag"
    write_bag_files(root, [write_payload(root / "data", "schema.json", b"{}")], {"A": "b"})
    bag = bdbagit.BDBag(str(root))
    assert set(bag.tagfile_entries()) == {"bagit.txt", "bag-info.txt", "manifest-md5.txt"}
    assert not (root / "fetch.txt").exists()
    bag.validate()
