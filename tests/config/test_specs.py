"""Connection and input configs instantiate to the objects the execution layer takes."""

from __future__ import annotations

from hydra_zen import builds, instantiate, to_yaml

from derivaml_jupyter.config import (
    AssetSpecConfig,
    DatasetSpecConfig,
    DerivaMLConfig,
    DescribedList,
    with_description,
)
from derivaml_jupyter.dataset.spec import DatasetSpec, DatasetVersion
from derivaml_jupyter.execution.configuration import AssetSpec, ExecutionConfiguration


def test_deriva_ml_config_builds_with_full_signature():
    conf = builds(DerivaMLConfig, populate_full_signature=True)
    cfg = instantiate(conf(hostname="local", catalog_id=7))
    assert isinstance(cfg, DerivaMLConfig)
    assert (cfg.hostname, cfg.catalog_id, cfg.logging_level) == ("local", "7", "WARNING")
    assert cfg.clean_execution_dir is True  # as deriva-ml
    assert cfg.hydra_runtime_output_dir is None  # not inside a Hydra job
    assert "hydra_runtime_output_dir: null" in to_yaml(conf)  # deriva-ml's field, set in Hydra


def test_dataset_spec_config():
    spec = instantiate(DatasetSpecConfig(rid="1-ABCD", version="1.2.0"))
    assert isinstance(spec, DatasetSpec)
    assert spec.version == DatasetVersion("1.2.0") and spec.materialize is True
    assert instantiate(DatasetSpecConfig(rid="1-ABCD")).version is None


def test_with_description_and_bare_rids():
    datasets = instantiate(with_description(
        [DatasetSpecConfig(rid="1-ABCD", version="1.0.0", materialize=False)], "Training set."))
    assets = instantiate(with_description(["6-EPNR", AssetSpecConfig(rid="6-EPNS", cache=True)],
                                          "Weights."))
    assert isinstance(datasets, DescribedList) and datasets.description == "Training set."
    assert assets.description == "Weights."
    config = ExecutionConfiguration(datasets=datasets, assets=assets)
    assert config.datasets[0].materialize is False
    assert [type(a) for a in config.assets] == [AssetSpec, AssetSpec]
    assert config.assets[1].cache is True
