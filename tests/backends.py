"""The backends tests run against: ``local`` always; ``deriva`` when ``DERIVAML_TEST_HOST``
names a DERIVA server (logged in through the standard deriva-py credential file)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

TEST_HOST = os.environ.get("DERIVAML_TEST_HOST")
if TEST_HOST:
    # deriva-py fixes the credential file's path when it is imported; import it before
    # pytest-jupyter's fixtures move HOME, so tests of the server still find the login.
    import deriva.core  # noqa: F401
BACKENDS = [
    "local",
    pytest.param("deriva", marks=pytest.mark.skipif(
        not TEST_HOST, reason="set DERIVAML_TEST_HOST to a DERIVA server to run this test "
        "against it too")),
]


@contextmanager
def new_deriva_catalog() -> Iterator[str]:
    """The id of a new catalog on DERIVAML_TEST_HOST, deleted afterwards."""
    from deriva.core import DerivaServer, get_credential

    from derivaml_jupyter.catalog.deriva.retry import call

    server = DerivaServer("https", TEST_HOST, get_credential(TEST_HOST))
    # A busy server aborts some transactions (503), after which sending again is safe.
    created = call(server.create_ermrest_catalog, "create a test catalog", TEST_HOST,
                   idempotent=False)
    try:
        yield str(created.catalog_id)
    finally:
        call(lambda: created.delete_ermrest_catalog(really=True), "delete a test catalog",
             TEST_HOST, idempotent=True)
