"""Shared fixtures: a DerivaML on a fresh local catalog under a temporary DERIVAML_HOME."""

from __future__ import annotations

import pytest

from derivaml_jupyter.ml import DerivaML


@pytest.fixture
def ml(tmp_path, monkeypatch) -> DerivaML:
    """``DerivaML()`` on the default local catalog of a temporary ``DERIVAML_HOME``."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    return DerivaML()
