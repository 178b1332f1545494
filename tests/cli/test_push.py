"""``derivaml push --to HOST/CATALOG [RID...]``, run for real in subprocesses: offline work on
the default local catalog pushed to another local catalog (and, with DERIVAML_TEST_HOST, to a
fresh catalog of that server); again, nothing is added; bad input is one clear error."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from backends import BACKENDS, TEST_HOST, new_deriva_catalog
from catalog.test_push import make_domain, record_offline_work

from cli.test_cli import derivaml
from derivaml_jupyter.catalog import connect_catalog
from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.ml import DerivaML


@pytest.fixture(params=BACKENDS)
def setup(request, tmp_path, monkeypatch):
    """The DERIVAML_HOME, ``HOST/CATALOG`` of a target with the project's tables, and the
    offline work's RIDs."""
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    work = record_offline_work(DerivaML(), tmp_path / "sources")
    if request.param == "local":
        make_domain(DerivaML("local", "shared"))
        yield tmp_path, "local/shared", work
        return
    with new_deriva_catalog() as catalog_id:
        make_domain(DerivaML(TEST_HOST, catalog_id))
        yield tmp_path, f"{TEST_HOST}/{catalog_id}", work


def test_push_prints_what_it_pushed_and_where(setup):
    home, to, work = setup
    result = derivaml(home, "push", "--to", to, work["execution"])
    assert result.returncode == 0, result.stderr
    pushed = dict(re.findall(r"^Execution (\S+) -> (\S+) on ", result.stdout, re.M))
    assert list(pushed) == [work["execution"]]
    assert "Local RID -> RID on the target:" in result.stdout
    host, _, catalog = to.rpartition("/")
    rows = connect_catalog(host, catalog).select(ML_SCHEMA, "Execution",
                                                 where={"RID": pushed[work["execution"]]})
    assert rows[0]["Description"] == "offline run"

    again = derivaml(home, "push", "--to", to, "--quiet")
    assert again.returncode == 0, again.stderr
    assert "0 rows inserted, 0 files sent." in again.stdout
    assert "Nothing to push: every execution of local catalog 'default'" in again.stdout
    assert f"Execution {work['execution']} -> " not in again.stdout


@pytest.mark.parametrize("args, message", [
    (["--to", "nocatalog"], "does not name a catalog"),
    (["--to", "local/default"], "to itself"),
    (["--to", "local/missing"], "no local catalog 'missing'"),
    (["--to", "local/default", "--catalog", "absent"], "no local catalog 'absent'"),
])
def test_push_refuses_bad_input(tmp_path, monkeypatch, args, message):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    DerivaML("local", "default")
    result = derivaml(tmp_path, "push", *args)
    assert result.returncode == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_push_to_an_unreachable_host_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    DerivaML("local", "default")
    result = derivaml(tmp_path, "push", "--to", "nosuchhost.invalid/1")
    assert result.returncode == 1
    assert "could not reach the DERIVA server nosuchhost.invalid" in result.stderr


def test_push_without_a_login_writes_nothing(setup, tmp_path):
    home, to, _ = setup
    if to.startswith("local/"):
        pytest.skip("a local catalog needs no login")
    host, _, catalog = to.rpartition("/")
    env_home = tmp_path / "no-login"
    env_home.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "derivaml_jupyter.cli.main", "push", "--to", to],
        env={**os.environ, "DERIVAML_HOME": str(home), "HOME": str(env_home)},
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert result.stderr.startswith("derivaml push: error: ")
    assert result.stderr.count("\n") == 1
    target = connect_catalog(host, catalog)
    assert target.count(ML_SCHEMA, "Execution") == 0
    assert not target.model().has_table(ML_SCHEMA, "Pushed_Row")
