"""``derivaml pull HOST/CATALOG DATASET[@VERSION]``, run for real in subprocesses: the demo
data of a local catalog (and, with DERIVAML_TEST_HOST, of a fresh catalog of that server)
pulled into a local catalog of a temporary DERIVAML_HOME."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from backends import BACKENDS, TEST_HOST, new_deriva_catalog

from cli.test_cli import IMAGES, TESTING, derivaml, member_counts


@pytest.fixture(scope="module", params=BACKENDS)
def source(request, tmp_path_factory) -> tuple[Path, str, dict[str, str]]:
    """A DERIVAML_HOME, ``HOST/CATALOG`` of a catalog holding the demo data, and the dataset
    RIDs by key."""
    home = tmp_path_factory.mktemp("home")
    if request.param == "local":
        yield home, "local/default", _demo(home, "local", "default")
        return
    with new_deriva_catalog() as catalog_id:
        yield home, f"{TEST_HOST}/{catalog_id}", _demo(home, TEST_HOST, catalog_id)


def _demo(home: Path, host: str, catalog: str) -> dict[str, str]:
    result = derivaml(home, "demo", "--quiet", "--host", host, "--catalog", catalog)
    assert result.returncode == 0, result.stderr
    return dict(re.findall(r"^(\w+)\s+dataset (\S+) at version 1\.0\.0$", result.stdout, re.M))


def test_pull_makes_a_local_catalog_holding_the_version(source):
    home, catalog, rids = source
    result = derivaml(home, "pull", catalog, f"{rids['Training']}@1.0.0", "--catalog", "offline")
    assert result.returncode == 0, result.stderr
    assert f"Pulled dataset {rids['Training']} version 1.0.0 of {catalog}" in result.stdout
    assert f"{IMAGES - TESTING} files" in result.stdout

    shown = derivaml(home, "dataset", rids["Training"], "--members", "--catalog", "offline")
    assert shown.returncode == 0, shown.stderr
    assert member_counts(shown.stdout)["Image"] == (IMAGES - TESTING, IMAGES - TESTING)
    listed = derivaml(home, "datasets", "--catalog", "offline")
    assert rids["Training"] in listed.stdout and rids["Split"] not in listed.stdout

    again = derivaml(home, "pull", catalog, rids["Training"], "--catalog", "offline")
    assert again.returncode == 0, again.stderr
    assert "already in local catalog 'offline'; nothing added" in again.stdout


def test_pull_names_the_local_catalog_after_its_source(source):
    home, catalog, rids = source
    result = derivaml(home, "pull", catalog, rids["Testing"])
    assert result.returncode == 0, result.stderr
    name = catalog.replace("/", "-")
    assert f"into local catalog {name!r}" in result.stdout
    assert (home / "catalogs" / name / "catalog.db").is_file()


@pytest.mark.parametrize("args, message", [
    (["nocatalog", "1-0000"], "does not name a catalog"),
    (["local/missing", "1-0000"], "no local catalog 'missing'"),
])
def test_pull_refuses_a_bad_source(tmp_path, args, message):
    result = derivaml(tmp_path, "pull", *args)
    assert result.returncode == 1
    assert message in result.stderr
