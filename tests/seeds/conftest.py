"""Fixtures of the seed tests: one ``DERIVAML_HOME`` per test module, so the catalogs a
module prepares are shared by its tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh ``DERIVAML_HOME`` for the whole module."""
    folder = tmp_path_factory.mktemp("derivaml-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DERIVAML_HOME", str(folder))
        for var in ("DERIVA_ML_NOTEBOOK_PATH", "DERIVA_ML_HYDRA_OVERRIDES",
                    "DERIVA_ML_SAVE_EXECUTION_RID", "DERIVA_ML_ALLOW_DIRTY", "JPY_SESSION_NAME"):
            mp.delenv(var, raising=False)
        yield folder
