"""``Workflow``: the computational process an execution runs (a script or a notebook)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

WORKFLOW_COLUMNS = ("RID", "Name", "Description", "URL", "Checksum", "Version", "Workflow_Type")


@dataclass
class Workflow:
    """A workflow: name, ``Workflow_Type`` term(s), description and code provenance.

    ``url``, ``checksum`` and ``version`` are filled from the source code (git commit, file
    checksum) when the execution starts, unless given here. ``workflow_rid`` is set once the
    workflow is recorded in the catalog.
    """

    name: str
    workflow_type: str | list[str] = "Training"
    description: str = ""
    url: str | None = None
    version: str | None = None
    checksum: str | None = None
    workflow_rid: str | None = None
    is_notebook: bool = False
    git_root: str | None = None
    allow_dirty: bool = False
    source_path: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if isinstance(self.workflow_type, str):
            self.workflow_type = [self.workflow_type]
        else:
            self.workflow_type = list(self.workflow_type)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in (
            "name", "workflow_type", "description", "url", "version", "checksum",
            "workflow_rid", "is_notebook")}


def workflow_rows(workflows: Sequence[Workflow]) -> list[dict[str, Any]]:
    """The table of a listing of workflows: the ``Workflow`` columns and its types."""
    return [{"RID": w.workflow_rid, "Name": w.name, "Description": w.description, "URL": w.url,
             "Checksum": w.checksum, "Version": w.version,
             "Workflow_Type": list(w.workflow_type)} for w in workflows]
