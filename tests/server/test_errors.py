"""DerivaML errors become HTTP statuses in one table; an upload that could not finish is a
503 (fix the cause, then upload again), never a 500."""

from __future__ import annotations

import pytest

from derivaml_jupyter.core.errors import (
    DerivaMLException,
    DerivaMLInvalidTerm,
    DerivaMLNotFound,
    DerivaMLUploadError,
)
from derivaml_jupyter.server.errors import status_of


@pytest.mark.parametrize("error, status", [
    (DerivaMLUploadError("disk full"), 503),
    (DerivaMLNotFound("no such RID"), 404),
    (DerivaMLInvalidTerm("Asset_Type", "Nope"), 404),
    (DerivaMLException("anything else"), 500),
])
def test_status_of_each_kind_of_error(error, status):
    assert status_of(error) == status
