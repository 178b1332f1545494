"""Planning bags and the local cache: estimate_bag_size, bag_info, cache_dataset, the cached
bag and asset inventory, clear_cache, cache_table, cache_denormalized, validate_dataset_specs,
and the download options (concurrency, timeout) of DatasetSpec and DatasetBag."""

from __future__ import annotations

import warnings

import pytest

from derivaml_jupyter.annotations.bag_model import DatabaseModel, DerivaMLBagView
from derivaml_jupyter.core.connection_mode import IgnoredConfigWarning
from derivaml_jupyter.dataset import asset_fetch, cache
from derivaml_jupyter.dataset import bag as bag_module
from derivaml_jupyter.dataset.cache import CachedAsset, CachedBag, CacheStatus
from derivaml_jupyter.dataset.dataset_bag import DatasetBag
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.execution.configuration import AssetSpec, ExecutionConfiguration

pytestmark = pytest.mark.real_server


def test_estimate_counts_exactly_what_the_bag_holds(ml, clinic):
    spec = DatasetSpec(rid=clinic.split.rid, reachability_concurrency=1)
    estimate = ml.estimate_bag_size(spec)
    assert estimate == ml.estimate_bag_size(DatasetSpec(rid=clinic.split.rid,
                                                        reachability_concurrency=4))
    bag = ml.download_dataset_bag(spec)
    images = estimate["tables"]["Image"]
    assert images["row_count"] == 4 and images["is_asset"]
    assert images["asset_bytes"] == sum(r["Length"] for r in bag.get_table_as_dict("Image"))
    for name, entry in estimate["tables"].items():  # the CSV sizes are the bag's files
        t = ml.find_table(name)
        assert entry["csv_bytes"] == (bag.path / "data" / t.schema / f"{name}.csv").stat().st_size
        assert entry["row_count"] == len(list(bag.get_table_as_dict(t)))
    assert estimate["total_rows"] == sum(e["row_count"] for e in estimate["tables"].values())
    assert estimate["total_estimated_bytes"] == \
        estimate["total_asset_bytes"] + estimate["total_csv_bytes"]
    assert estimate["total_asset_size"].endswith((" B", "KB")) and not estimate["incomplete"]
    assert clinic.split.estimate_bag_size(exclude_tables={"Image"})["tables"].get("Image") \
        is None


def test_cache_dataset_warms_the_cache_and_bag_info_reports_it(ml, clinic):
    training = clinic.training
    spec = DatasetSpec(rid=training.rid, version=training.current_version)
    info = ml.bag_info(spec)
    assert (info["status"], info["cache_path"], info["versions_cached"]) == \
        ("not_cached", None, [])
    assert ml.cache_dataset(spec, materialize=False)["status"] == "cached_metadata_only"
    info = training.cache(training.current_version)
    assert info["status"] == CacheStatus.cached_materialized
    assert info["versions_cached"] == [str(training.current_version)]
    assert info["total_rows"] == ml.estimate_bag_size(spec)["total_rows"]

    [cached] = ml.list_cached_bags()
    assert isinstance(cached, CachedBag) and cached.path == ml.download_dataset_bag(spec).path
    assert (cached.dataset_rid, cached.version) == (training.rid, str(training.current_version))
    assert cached.status is CacheStatus.cached_materialized and cached.size_bytes > 0
    assert ml.delete_cached_bag(training.rid, version="9.9.9") == \
        {"bags_removed": 0, "bytes_freed": 0}
    removed = ml.delete_cached_bag(training.rid)
    assert removed == {"bags_removed": 1, "bytes_freed": cached.size_bytes}
    assert ml.list_cached_bags() == [] and not cached.path.exists()


def test_cached_assets_and_clearing_the_cache(ml, clinic):
    image = clinic.images["a1.png"]
    ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Reader", "Training"), description="reads a1",
        assets=[AssetSpec(rid=image, cache=True)]))
    [asset] = ml.list_cached_assets()
    assert isinstance(asset, CachedAsset) and asset.rid == image and asset.file_count == 1
    assert asset.md5 == ml.catalog.resolve_rid(image).row["MD5"]
    clinic.testing.cache()
    summary = ml.get_storage_summary()
    assert (summary["bag_count"], summary["asset_count"], summary["execution_dir_count"]) == \
        (1, 1, len(ml.list_execution_dirs()))
    assert summary["cache_size_mb"] >= summary["bag_size_mb"] + summary["asset_size_mb"] > 0

    size = ml.get_cache_size()
    assert size["total_bytes"] > 0 and size["total_mb"] == size["total_bytes"] / 2**20
    assert ml.clear_cache(older_than_days=1)["bytes_freed"] == 0  # all of it is new
    assert ml.delete_cached_asset(image, md5="0" * 32)["assets_removed"] == 0
    assert ml.delete_cached_asset(image) == {"assets_removed": 1,
                                             "bytes_freed": asset.size_bytes}
    stats = ml.clear_cache()
    assert stats["bytes_freed"] == size["total_bytes"] - asset.size_bytes
    assert stats["errors"] == 0 and stats["dirs_removed"] >= 1
    assert ml.get_cache_size()["total_bytes"] == 0
    assert ml.list_cached_bags() == [] and ml.list_cached_assets() == []
    assert ml.download_dir(cached=True) == ml.cache_dir
    assert ml.download_dir() == ml.working_dir


def test_cache_table_reads_the_catalog_once(ml, clinic):
    assert len(ml.cache_table("Subject")) == 3
    ml.insert_rows("Subject", [{"Name": "Dan", "Age": 40}])
    assert len(ml.cache_table("Subject")) == 3  # from the cache
    assert sorted(ml.cache_table("Subject", force=True)["Name"]) == \
        ["Alice", "Bob", "Carol", "Dan"]


def test_cache_denormalized_keeps_the_wide_table(ml, clinic):
    training = clinic.training
    wide = training.cache_denormalized(["Image", "Subject"])
    assert wide.equals(training.get_denormalized_as_dataframe(["Image", "Subject"]))
    [saved] = (ml.cache_dir / "denormalized").iterdir()
    assert saved.name.startswith(f"{training.rid}_{training.current_version}_")
    assert training.cache_denormalized(["Subject", "Image"]).equals(wide)
    assert len(list((ml.cache_dir / "denormalized").iterdir())) == 1
    assert training.cache_denormalized(["Image", "Subject"], force=True).equals(wide)


def test_estimate_denormalized_size_over_the_catalog(ml, clinic):
    info = ml.estimate_denormalized_size(["Image", "Subject"])
    assert info["join_path"][0] == "Image" and "Subject" in info["join_path"]
    assert info["tables"]["Image"]["row_count"] == 4
    assert info["tables"]["Subject"] == {"row_count": 3, "is_asset": False, "asset_bytes": 0}
    assert info["tables"]["Image"]["asset_bytes"] == sum(
        r["Length"] for r in ml.catalog.select(ml.domain_schema, "Image"))
    assert ("Image.Filename", "text") in info["columns"]


def test_validate_dataset_specs_reports_every_problem(ml, clinic):
    training = clinic.training
    report = ml.validate_dataset_specs([
        DatasetSpec(rid=training.rid, version=training.current_version),
        f"{training.rid}@9.9.9", {"rid": clinic.images["a1.png"]}, "9-ZZZZ", training.rid])
    assert not report.all_valid
    ok, wrong_version, image, missing, current = report.results
    assert ok.valid and ok.resolved_version == str(training.current_version)
    assert ok.dataset_name == "train"
    assert wrong_version.reasons == ["version_not_found"]
    assert wrong_version.available_versions == ["0.3.0", "0.2.0", "0.1.0"]
    assert (image.reasons, image.actual_table) == (["not_a_dataset"], "Image")
    assert missing.reasons == ["rid_not_found"]
    assert current.valid and current.resolved_version == "0.3.0"
    assert ml.validate_dataset_specs([training.rid]).all_valid


@pytest.mark.filterwarnings("ignore:DatabaseModel")
def test_bag_constructor_options_and_concurrent_fetches(ml, clinic, monkeypatch):
    split = clinic.split
    bag = ml.download_dataset_bag(DatasetSpec(rid=split.rid, materialize=False))
    reopened = DatasetBag(bag.path, dataset_types=["Custom"], description="mine",
                          execution_rid="1-XYZ")
    assert (reopened.dataset_types, reopened.description, reopened.execution_rid) == \
        (["Custom"], "mine", "1-XYZ")
    plain = DatasetBag(catalog=bag.path)
    assert (plain.dataset_types, plain.description) == (["Split"], "the split")
    assert plain.execution_rid is None
    view = DerivaMLBagView(DatabaseModel(None, bag.path, bag.path))  # deriva-ml's catalog
    nested = DatasetBag(view, clinic.training.rid)
    assert (nested.dataset_rid, nested.path) == (clinic.training.rid, bag.path)
    assert nested.dataset_types == ["Training"]
    assert {b.dataset_rid for b in bag.find_datasets()} == \
        {split.rid, clinic.training.rid, clinic.testing.rid}
    assert {b.dataset_rid for b in bag.list_dataset_children(recurse=True, _visited=None)} \
        == {clinic.training.rid, clinic.testing.rid}
    assert bag.list_dataset_members(_visited=None).keys() == {"Dataset"}
    assert ml.bag_info(DatasetSpec(rid=split.rid))["status"] == "cached_metadata_only"

    threads, pool = [], bag_module.ThreadPoolExecutor
    for module in (bag_module, asset_fetch):  # rows are read by one, files copied by the other
        monkeypatch.setattr(module, "ThreadPoolExecutor", lambda n: threads.append(n) or pool(n))
    bag.materialize(fetch_concurrency=3)
    assert threads == [3]
    threads.clear()  # a new bag: its rows found 5 queries at a time, its files on 2 threads
    ml.download_dataset_bag(DatasetSpec(rid=clinic.training.rid, fetch_concurrency=2,
                                        reachability_concurrency=5))
    assert 5 in threads and 2 in threads
    assert ml.bag_info(DatasetSpec(rid=split.rid))["status"] == "cached_materialized"


def test_timeout_and_use_minid(ml, clinic, monkeypatch, backend):
    monkeypatch.setattr(cache, "_WARNED", set())
    training = clinic.training
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bag = training.download_dataset_bag(training.current_version, use_minid=True,
                                            timeout=(10, 60))
        training.download_dataset_bag(training.current_version, use_minid=True)
    messages = [str(w.message) for w in caught if w.category is IgnoredConfigWarning]
    assert sum("use_minid" in m for m in messages) == 1
    # The embedded catalog makes no requests to bound; a server's download is bounded.
    assert sum("timeout" in m for m in messages) == (1 if backend == "local" else 0)
    if backend != "local":
        timed = bag_module.with_timeout(ml.catalog, (10, 60))
        assert timed is not ml.catalog and timed._session_config["timeout"] == (10, 60)
    assert len(list(bag.get_table_as_dict("Image"))) == 3
