"""Fixtures of the dataset tests: the clinic of ``clinic.py`` and the bag of its Split."""

from __future__ import annotations

import pytest

from dataset.clinic import Clinic, build_clinic
from derivaml_jupyter.dataset.dataset_bag import DatasetBag


@pytest.fixture
def clinic(ml, tmp_path) -> Clinic:
    return build_clinic(ml, tmp_path / "files")


@pytest.fixture
def clinic_bag(ml, clinic) -> DatasetBag:
    """The bag of the Split dataset (nesting Training and Testing) at its current version."""
    return ml.download_dataset_bag(f"{clinic.split.rid}@{clinic.split.current_version}")
