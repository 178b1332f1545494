"""Catalog fixtures, parametrized over backends: ``local`` always; ``deriva`` when
``DERIVAML_TEST_HOST`` names a DERIVA server (``DERIVAML_TEST_CATALOG`` picks a catalog;
without it a fresh one is created and deleted). Each test gets its own schema so tests never
see each other's rows."""

from __future__ import annotations

import os
import uuid

import pytest
from backends import BACKENDS, TEST_HOST, new_deriva_catalog

from derivaml_jupyter.catalog import Column, ForeignKey, Table, connect_catalog
from derivaml_jupyter.catalog.contract import Catalog
from derivaml_jupyter.catalog.deriva import retry


@pytest.fixture(scope="session")
def deriva_catalog_id():
    """``DERIVAML_TEST_CATALOG``, or a catalog created on ``DERIVAML_TEST_HOST`` for this test
    session and deleted after it."""
    given = os.environ.get("DERIVAML_TEST_CATALOG")
    if given:
        yield given
        return
    with new_deriva_catalog() as catalog_id:
        yield catalog_id


@pytest.fixture(params=BACKENDS)
def catalog(request, tmp_path, monkeypatch) -> Catalog:
    """A catalog of each backend."""
    if request.param == "local":
        monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
        return connect_catalog("local", "contract")
    return connect_catalog(TEST_HOST, request.getfixturevalue("deriva_catalog_id"))


@pytest.fixture
def schema(catalog) -> str:
    """A fresh schema holding ``Parent`` (Name unique) and ``Thing`` (Name unique, Value int4,
    Score float8, Tags text[], Flag boolean, Meta jsonb, Parent -> Parent.RID)."""
    name = f"contract_{uuid.uuid4().hex[:8]}"
    catalog.create_schema(name)
    catalog.create_table(Table(name, "Parent", [Column("Name", nullok=False)], keys=[("Name",)]))
    catalog.create_table(Table(name, "Thing", [
        Column("Name", nullok=False), Column("Value", "int4"), Column("Score", "float8"),
        Column("Tags", "text[]"), Column("Flag", "boolean"), Column("Meta", "jsonb"),
        Column("Parent"),
    ], keys=[("Name",)], foreign_keys=[ForeignKey(("Parent",), name, "Parent")]))
    return name


@pytest.fixture
def slept(monkeypatch) -> list[float]:
    """The back-off delays of ``retry``, taken on a fake clock instead of waited."""
    now, delays = [0.0], []

    def sleep(seconds: float) -> None:
        delays.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(retry, "clock", lambda: now[0])
    monkeypatch.setattr(retry, "sleep", sleep)
    return delays
