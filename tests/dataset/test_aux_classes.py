"""deriva-ml's value classes of ``derivaml.dataset.aux_classes``: DatasetSpec's download
options, DatasetVersion's parameter names, DatasetMinid, DatasetReference, FeatureReference."""

from __future__ import annotations

import pytest

from derivaml.dataset.aux_classes import (
    DatasetMinid,
    DatasetReference,
    DatasetSpec,
    DatasetVersion,
    FeatureReference,
    VersionPart,
)
from derivaml_jupyter.core.errors import DerivaMLValidationError


def test_dataset_spec_takes_the_download_options():
    spec = DatasetSpec(rid="1-ABCD", version="1.0.0", timeout=[10, 610], fetch_concurrency=2,
                       reachability_concurrency=1)
    assert spec.timeout == (10, 610)
    assert (spec.fetch_concurrency, spec.reachability_concurrency) == (2, 1)
    defaults = DatasetSpec(rid="1-ABCD")
    assert (defaults.timeout, defaults.fetch_concurrency, defaults.reachability_concurrency) \
        == (None, 8, 8)
    with pytest.raises(DerivaMLValidationError, match=r"timeout.*\(connect, read\)"):
        DatasetSpec(rid="1-ABCD", timeout=(0, 10))
    with pytest.raises(DerivaMLValidationError, match="fetch_concurrency must be"):
        DatasetSpec(rid="1-ABCD", fetch_concurrency=0)


def test_shorthand_and_version_take_deriva_mls_parameter_names():
    spec = DatasetSpec.from_shorthand(s="1-ABCD@1.2.0")
    assert (spec.rid, str(spec.version)) == ("1-ABCD", "1.2.0")
    assert DatasetSpec.from_shorthand("1-ABCD").version is None  # the current version
    with pytest.raises(DerivaMLValidationError, match="RID@version"):
        DatasetSpec.from_shorthand("1-ABCD@1.0.0@2.0.0")
    assert DatasetVersion.parse(version="0.4.0.post1.dev3").is_devrelease
    assert DatasetVersion.parse("0.4.0.post1.dev3").next_release(bump=VersionPart.minor) == \
        DatasetVersion(0, 5, 0)
    assert DatasetVersion(0, 4, 7).next_release(VersionPart.major) == DatasetVersion(1, 0, 0)


def test_dataset_minid_reads_a_landing_page():
    minid = DatasetMinid.from_landing_page({
        "compact_uri": "minid:abc123", "identifier": "ark:/57799/abc123",
        "location": ["https://bags.example.org/1-ABCD.zip"],
        "checksums": [{"function": "md5", "value": "x"}, {"function": "sha256", "value": "f00"}],
        "metadata": {"RID": "1-ABCD@32S-W6DS-GAMG", "Title": "Images"}}, "1.0.0")
    assert minid.minid == "minid:abc123" and minid.bag_url.endswith("1-ABCD.zip")
    assert (minid.dataset_rid, minid.dataset_snapshot) == ("1-ABCD", "32S-W6DS-GAMG")
    assert minid.checksum == "f00" and minid.dataset_version == DatasetVersion(1, 0, 0)
    assert minid.metadata["Title"] == "Images"
    bare = DatasetMinid(dataset_version="0.1.0", bag_url="u", version_rid="1-ABCD")
    assert (bare.dataset_rid, bare.dataset_snapshot, bare.metadata) == ("1-ABCD", None, {})


def test_references_are_keyword_records():
    ref = DatasetReference(dataset_rid="1-ABCD", element_table="Image", member_count=3)
    assert ref.member_count == 3
    feature = FeatureReference(feature_name="Diagnosis", target_table="Image",
                               feature_table="Execution_Image_Diagnosis",
                               referencing_columns=["Image"])
    assert feature.referencing_columns == ["Image"]
    with pytest.raises(TypeError):
        DatasetReference("1-ABCD", "Image", 3)
