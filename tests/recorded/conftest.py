"""The ``recorded`` fixture: a DERIVA server for a test, real or replayed from its cassette.

With ``DERIVAML_RECORD=1`` and ``DERIVAML_TEST_HOST`` the test talks to that server and its
exchanges are saved to ``cassettes/<test>.json.gz``; otherwise they are answered from that
file, with no server. Either way the test (and every Python process it starts) reaches the
server as ``recorded.host`` without a login of its own.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from backends import TEST_HOST

from .cassette import NEUTRAL_HOST, cassette_path, load, save
from .transport import Journal, Settings, install

SITE = Path(__file__).parent / "site"  # holds the sitecustomize of the processes tests start


@dataclass
class Recorded:
    """The server of a recorded test: ``host`` to connect to, and ``mode``."""

    host: str
    mode: str
    journal: Journal

    def take_misses(self) -> list[str]:
        """The requests replay had no answer for so far (then no longer failing the test)."""
        return self.journal.take_misses()

    @contextmanager
    def new_catalog(self) -> Iterator[str]:
        """The id of a new catalog, deleted afterwards (both also recorded)."""
        from deriva.core import DerivaServer

        created = DerivaServer("https", self.host, None).create_ermrest_catalog()
        try:
            yield str(created.catalog_id)
        finally:
            created.delete_ermrest_catalog(really=True)


PASSED = pytest.StashKey[bool]()


def pytest_configure(config):
    config.addinivalue_line("markers", "cassette(name): replay the cassette of test `name`")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Notes whether the test itself passed: a failed recording keeps the old cassette."""
    report = yield
    if report.when == "call":
        item.stash[PASSED] = report.passed
    return report


def derivaml(*args: str) -> str:
    """Run ``derivaml ARGS`` in this process (so through the recorded layer); its output."""
    from derivaml_jupyter.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(args) == 0
    return out.getvalue()


def recording() -> bool:
    return os.environ.get("DERIVAML_RECORD") == "1" and bool(TEST_HOST)


@pytest.fixture
def recorded(request, tmp_path, monkeypatch) -> Iterator[Recorded]:
    """The server of the test; ``@pytest.mark.cassette(NAME)`` replays another test's
    cassette (such a test is not recorded)."""
    marker = request.node.get_closest_marker("cassette")
    if marker and recording():
        pytest.skip("replays the cassette of another test")
    path = cassette_path(marker.args[0] if marker else request.node.name)
    mode = "record" if recording() else "replay"
    settings = Settings(mode, tmp_path / "exchanges.sqlite", TEST_HOST if mode == "record"
                        else None, str(tmp_path))
    journal = Journal(settings.journal)
    if mode == "replay":
        if not path.is_file():
            pytest.fail(f"No cassette {path.name}: record it with DERIVAML_RECORD=1 "
                        "DERIVAML_TEST_HOST=<server>.")
        journal.load(load(path))
    for name, value in settings.environment().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        p for p in (str(SITE), os.environ.get("PYTHONPATH")) if p))
    install(settings, monkeypatch.setattr)
    yield Recorded(NEUTRAL_HOST, mode, journal)
    misses = journal.take_misses()
    if misses:
        pytest.fail("Requests the cassette has no answer for:\n" + "\n".join(misses),
                    pytrace=False)
    if mode == "record" and request.node.stash.get(PASSED, False):
        save(path, journal.exchanges())
