"""Fixtures of the schema tests: local catalogs shaped like those deriva-ml releases make."""

from __future__ import annotations

import pytest

from derivaml_jupyter.catalog import connect_catalog

from .dml_shapes import RELEASES, DemoCatalog, build


@pytest.fixture(params=RELEASES, ids=[f"deriva-ml-{r}" for r in RELEASES])
def dml(request, tmp_path, monkeypatch) -> DemoCatalog:
    """A local catalog ``dml`` as deriva-ml ``release`` makes it (see ``dml_shapes``)."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    return build(connect_catalog("local", "dml"), request.param, tmp_path / "files")
