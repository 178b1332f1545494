"""Shared fixtures: a DerivaML on a fresh catalog under a temporary DERIVAML_HOME.

``ml`` is the default local catalog. Tests and modules marked ``real_server`` also run with
``ml`` on a fresh catalog of the DERIVA server named by ``DERIVAML_TEST_HOST`` (logged in
through the standard deriva-py credential file), created for the test and deleted after it;
without that variable those runs are skipped. ``local_only`` exempts a test of such a module
(one that reaches into the local backend's files).
"""

from __future__ import annotations

import pytest
from backends import BACKENDS, TEST_HOST, new_deriva_catalog

from derivaml_jupyter.ml import DerivaML


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_server: run with `ml` on the local catalog and on a fresh catalog of "
        "DERIVAML_TEST_HOST")
    config.addinivalue_line(
        "markers", "local_only: a test of a real_server module that runs on the local catalog "
        "only")


def pytest_generate_tests(metafunc):
    marked = metafunc.definition.get_closest_marker
    if "backend" in metafunc.fixturenames and marked("real_server") and not marked("local_only"):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request) -> str:
    """``local``, or ``deriva`` in a ``real_server`` test's run against DERIVAML_TEST_HOST."""
    return getattr(request, "param", "local")


@pytest.fixture
def fresh_deriva_catalog() -> str:
    """The id of a new catalog on DERIVAML_TEST_HOST, deleted after the test."""
    with new_deriva_catalog() as catalog_id:
        yield catalog_id


@pytest.fixture
def remote_catalog(request, backend) -> tuple[str, str] | None:
    """``(host, catalog)`` of a fresh catalog of DERIVAML_TEST_HOST in a ``real_server``
    test's second run; None in its local run."""
    if backend == "local":
        return None
    return TEST_HOST, request.getfixturevalue("fresh_deriva_catalog")


@pytest.fixture
def ml(request, backend, tmp_path, monkeypatch) -> DerivaML:
    """``DerivaML()`` on the default local catalog of a temporary ``DERIVAML_HOME``; in a
    ``real_server`` test's second run, on a fresh catalog of DERIVAML_TEST_HOST."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    if backend == "local":
        return DerivaML()
    return DerivaML(TEST_HOST, request.getfixturevalue("fresh_deriva_catalog"))
