"""Cloning a dataset into a local catalog through its bag (``clone_via_bag``,
``create_ml_workspace``, ``localize_assets``) and ``pull_dataset``. The source is the clinic
of ``dataset/clinic.py`` on the local catalog, and on a fresh catalog of DERIVAML_TEST_HOST
in the ``real_server`` run; the destination is always a local catalog."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from dataset.clinic import Clinic, build_clinic

from derivaml import DatasetSpec, ExecutionConfiguration
from derivaml.catalog import (
    OrphanStrategy,
    clone_via_bag,
    create_ml_workspace,
    get_catalog_provenance,
    localize_assets,
)
from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.catalog.clone.load import load_bag
from derivaml_jupyter.catalog.clone.options import AssetMode, CloneOptions, RIDAnchor
from derivaml_jupyter.catalog.clone.pull import pull_dataset, pulls
from derivaml_jupyter.core.errors import (
    DerivaMLConflict,
    DerivaMLNotImplemented,
    DerivaMLValidationError,
)
from derivaml_jupyter.ml import DerivaML

pytestmark = pytest.mark.real_server


@pytest.fixture
def clinic(ml, tmp_path, monkeypatch) -> Clinic:
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))  # where the local copies go
    return build_clinic(ml, tmp_path / "files")


def clone(ml: DerivaML, tmp_path, name: str = "copy", **kwargs):
    return clone_via_bag(source_hostname=ml.hostname, source_catalog_id=ml.catalog_id,
                         dest_hostname="local", dest_catalog_id=name,
                         output_dir=tmp_path / "bags", **kwargs)


def members(ml: DerivaML, rid: str) -> dict[str, list[str]]:
    return {t: sorted(r["RID"] for r in rows)
            for t, rows in ml.list_dataset_members(rid, recurse=True).items()}


def test_clone_keeps_rids_rows_and_files(ml, clinic, tmp_path):
    result = clone(ml, tmp_path, root_rid=clinic.split.rid)
    copy = DerivaML("local", "copy")
    assert members(copy, clinic.split.rid) == members(ml, clinic.split.rid)
    assert copy.lookup_dataset(clinic.split.rid).current_version == clinic.split.current_version
    report = result.load_report
    assert report.table_stats[f"{ml.domain_schema}.Image"].rows_inserted == 4
    assert report.files_stored == 4
    for row in copy.catalog.select(ml.domain_schema, "Image"):  # files in the local store
        assert copy.catalog.object_path(row["URL"]).read_bytes() == \
            f"pixels of {row['Filename']}".encode() * 20
    features = copy.feature_values("Image", "Diagnosis")
    assert len(list(features)) == 4
    provenance = get_catalog_provenance(copy)
    assert provenance.is_clone
    assert (provenance.clone_details.source_hostname,
            provenance.clone_details.source_catalog_id) == (ml.hostname, str(ml.catalog_id))
    assert result.bag_path.is_dir() and tmp_path / "bags" in result.bag_path.parents

    again = clone(ml, tmp_path, root_rid=clinic.split.rid)
    assert again.load_report.total_rows_inserted == 0
    assert copy.catalog.count(ml.domain_schema, "Image") == 4


def test_a_run_on_the_clone_finds_its_dataset(ml, clinic, tmp_path):
    clone(ml, tmp_path, anchors=[RIDAnchor("Dataset", [clinic.training.rid])])
    copy = DerivaML("local", "copy")
    version = str(clinic.training.current_version)
    [history] = copy.dataset_history(clinic.training.rid)  # the version cloned only
    assert str(history.dataset_version) == version
    exe = copy.create_execution(ExecutionConfiguration(
        workflow=copy.create_workflow("Train", "Training"),
        datasets=[DatasetSpec(rid=clinic.training.rid, version=version)]))
    with exe:
        [bag] = exe.datasets
        assert sorted(r["RID"] for r in bag.list_dataset_members()["Image"]) == \
            sorted(clinic.images[n] for n in ("a1.png", "a2.png", "a3.png"))
    rids = [row["RID"] for t in copy.catalog.model().tables()
            for row in copy.catalog.select(t.schema, t.name, columns=["RID"])]
    assert len(rids) == len(set(rids))  # new local RIDs come after the cloned ones


def test_rows_only_then_localize_assets(ml, clinic, tmp_path):
    clone(ml, tmp_path, root_rid=clinic.testing.rid,
          policy=CloneOptions(asset_mode=AssetMode.ROWS_ONLY))
    copy = DerivaML("local", "copy")
    [image] = copy.catalog.select(ml.domain_schema, "Image")
    assert copy.catalog.object_info(image["URL"]) is None  # still at the source

    dry = localize_assets(copy, "Image", [image["RID"]], dry_run=True)
    assert (dry.assets_processed, copy.catalog.select(ml.domain_schema, "Image")[0]["URL"]) \
        == (1, image["URL"])
    result = localize_assets(copy, "Image", [image["RID"], "1-ZZZZ"])
    assert (result.assets_processed, result.assets_skipped, result.errors) == (1, 1, [])
    [(rid, old, new)] = result.localized_assets
    assert (rid, old) == (image["RID"], image["URL"])
    assert copy.catalog.object_path(new).read_bytes() == b"pixels of b1.png" * 20
    assert copy.catalog.select(ml.domain_schema, "Image")[0]["URL"] == new
    assert get_catalog_provenance(copy).clone_details.assets_localized
    assert localize_assets(copy, "Image", [image["RID"]]).assets_skipped == 1


@pytest.mark.local_only
def test_a_row_made_here_with_a_source_rid_is_not_taken_for_it(ml, clinic, tmp_path):
    clone(ml, tmp_path, "clash", root_rid=clinic.testing.rid)
    copy = DerivaML("local", "clash").catalog
    carol = clinic.subjects["Carol"]
    copy.delete(ml.domain_schema, "Dataset_Subject", {"Subject": carol})
    [row] = copy.select(ml.domain_schema, "Subject", where={"RID": carol})
    copy.delete(ml.domain_schema, "Subject", {"RID": carol})
    copy.import_rows(ml.domain_schema, "Subject", [
        {**row, "Name": "Mallory", "RCT": "2000-01-01T00:00:00+00:00"}])
    with pytest.raises(DerivaMLConflict, match=carol):
        clone(ml, tmp_path, "clash", root_rid=clinic.testing.rid)


@pytest.mark.local_only
def test_a_bag_as_deriva_ml_catalogs_make_it_loads(ml, clinic, tmp_path):
    """ERMrest types the local catalog lacks (``timestamp``), a foreign key from Dataset to
    its current version (a cycle) that lags behind the newest version, empty required text."""
    bag = ml.download_dataset_bag(f"{clinic.split.rid}@{clinic.split.current_version}").path
    data = bag / "data"
    spec = json.loads((data / "schema.json").read_text())
    for t in spec["tables"]:
        if t["name"] == "Observation":
            t["columns"] = [{**c, "type": "timestamp"} if c["name"] == "Date" else c
                            for c in t["columns"]]
        if t["name"] == "Dataset":
            t["foreign_keys"].append({"columns": ["Version"], "pk_schema": ml.ml_schema,
                                      "pk_table": "Dataset_Version", "pk_columns": ["RID"],
                                      "on_delete": "NO ACTION"})
    (data / "schema.json").write_text(json.dumps(spec))
    versions = read_csv(data / ml.ml_schema / "Dataset_Version.csv")
    oldest = {r["Dataset"]: r["RID"] for r in reversed(versions)}
    datasets = read_csv(data / ml.ml_schema / "Dataset.csv")
    write_csv(data / ml.ml_schema / "Dataset.csv",
              [{**r, "Version": oldest[r["RID"]]} for r in datasets])
    types = read_csv(data / ml.ml_schema / "Dataset_Type.csv")
    write_csv(data / ml.ml_schema / "Dataset_Type.csv", [{**r, "Description": ""} for r in types])

    report = load_bag(connect_catalog("local", "deriva-ml-made"), bag, CloneOptions())
    copy = DerivaML("local", "deriva-ml-made")
    assert copy.lookup_dataset(clinic.split.rid).current_version == clinic.split.current_version
    record = copy.dataset_version_record(clinic.split.rid)
    assert record["Snapshot"] == report.snapshot
    assert copy.catalog.model().table(ml.domain_schema, "Observation").column("Date").type \
        == "timestamptz"
    assert members(copy, clinic.split.rid) == members(ml, clinic.split.rid)


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.local_only
def test_uses_of_earlier_versions_keep_their_dataset_only(ml, clinic, tmp_path):
    first, *_, last = ml.dataset_history(clinic.training.rid)
    for version in (first.dataset_version, last.dataset_version):
        exe = ml.create_execution(ExecutionConfiguration(
            workflow=ml.create_workflow("Train", "Training"),
            datasets=[DatasetSpec(rid=clinic.training.rid, version=str(version))]))
        exe.upload_execution_outputs(progress=False)
    clinic.training.increment_dataset_version(description="used twice")
    create_ml_workspace(ml.hostname, ml.catalog_id, clinic.training.rid, dest_hostname="local",
                        dest_catalog_id="used", output_dir=tmp_path / "b")  # FAIL on orphans
    uses = DerivaML("local", "used").catalog.select(ml.ml_schema, "Dataset_Execution",
                                                    where={"Dataset": clinic.training.rid})
    assert [r["Dataset_Version"] for r in uses] == [None, None]  # versions not cloned


@pytest.mark.local_only
def test_orphan_strategies(ml, clinic, tmp_path):
    observation = f"{ml.domain_schema}:Observation"  # left out: images point at it
    with pytest.raises(DerivaMLValidationError, match="Observation"):
        create_ml_workspace(ml.hostname, ml.catalog_id, clinic.training.rid,
                            dest_hostname="local", dest_catalog_id="failed",
                            exclude_objects=[observation], output_dir=tmp_path / "b")
    assert DerivaML("local", "failed").catalog.count(ml.domain_schema, "Image") == 0

    kept = create_ml_workspace(ml.hostname, ml.catalog_id, clinic.training.rid,
                               dest_hostname="local", dest_catalog_id="nullified",
                               exclude_objects=[observation], asset_mode="full",
                               orphan_strategy=OrphanStrategy.NULLIFY, output_dir=tmp_path / "b")
    images = DerivaML("local", "nullified").catalog.select(ml.domain_schema, "Image")
    assert len(images) == 3 and {r["Observation"] for r in images} == {None}
    assert kept.load_report.table_stats[f"{ml.domain_schema}.Image"].rows_nullified_orphan == 3

    dropped = create_ml_workspace(ml.hostname, ml.catalog_id, clinic.training.rid,
                                  dest_hostname="local", dest_catalog_id="deleted",
                                  exclude_objects=[observation],
                                  orphan_strategy=OrphanStrategy.DELETE,
                                  output_dir=tmp_path / "b")
    deleted = DerivaML("local", "deleted")
    assert deleted.catalog.count(ml.domain_schema, "Image") == 0
    assert members(deleted, clinic.training.rid).get("Image", []) == []
    assert dropped.load_report.table_stats[f"{ml.domain_schema}.Image"].rows_skipped_orphan == 3


@pytest.mark.local_only
def test_what_clones_refuse(ml, clinic, tmp_path):
    with pytest.raises(DerivaMLValidationError, match="dest_catalog_id"):
        create_ml_workspace("local", "default", clinic.split.rid)
    with pytest.raises(DerivaMLNotImplemented, match="DERIVA server"):
        clone_via_bag(source_hostname="local", source_catalog_id="default",
                      dest_hostname="www.example.org", dest_catalog_id="1", root_rid="1-0000")
    with pytest.raises(DerivaMLNotImplemented, match="start at datasets"):
        clone(ml, tmp_path, anchors=[RIDAnchor("Image", [clinic.images["a1.png"]])])
    with pytest.raises(DerivaMLValidationError, match="anchors or root_rid"):
        clone(ml, tmp_path)
    with pytest.warns(DeprecationWarning, match="table_concurrency"):
        create_ml_workspace("local", "default", clinic.testing.rid, dest_hostname="local",
                            dest_catalog_id="warned", table_concurrency=4,
                            output_dir=tmp_path / "b")


def test_pull_dataset_is_idempotent(ml, clinic, tmp_path):
    version = str(clinic.split.current_version)
    result = pull_dataset(ml.hostname, ml.catalog_id, clinic.split.rid, version, "pulled")
    assert not result.already_there and result.files_stored == 4
    local = DerivaML("local", "pulled")
    [pull] = pulls(local)
    assert (pull.host, pull.catalog, pull.dataset, pull.version) == \
        (ml.hostname, str(ml.catalog_id), clinic.split.rid, version)
    assert pull.snapshot == ml.dataset_version_record(clinic.split.rid, version)["Snapshot"]
    record = local.dataset_version_record(clinic.split.rid, version)
    assert record["Snapshot"] == pull.local_snapshot
    bag = local.download_dataset_bag(f"{clinic.split.rid}@{version}")
    assert sorted(r["RID"] for r in bag.list_dataset_members(recurse=True)["Image"]) == \
        sorted(clinic.images.values())
    assert get_catalog_provenance(local).clone_details.source_snapshot == pull.snapshot

    again = pull_dataset(ml.hostname, ml.catalog_id, clinic.split.rid, None, "pulled")
    assert again.already_there and again.pull == pull and len(pulls(local)) == 1
    first = str(ml.dataset_history(clinic.split.rid)[0].dataset_version)
    with pytest.raises(DerivaMLConflict, match=f"holds version {version} .* version {first}"):
        pull_dataset(ml.hostname, ml.catalog_id, clinic.split.rid, first, "pulled")
