"""``Workflow``: the computational process an execution runs (a script or a notebook)."""

from __future__ import annotations

import logging
import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.definitions import ML_SCHEMA, MLVocab
from ..core.errors import DerivaMLDirtyWorkflowError, DerivaMLWorkflowError

if TYPE_CHECKING:
    from ..ml import DerivaML

log = logging.getLogger("derivaml")

WORKFLOW_COLUMNS = ("RID", "Name", "Description", "URL", "Checksum", "Version", "Workflow_Type")


@dataclass
class Workflow:
    """A workflow: name, ``Workflow_Type`` term(s), description and code provenance.

    ``url``, ``checksum`` and ``version`` are filled from the source code (git commit, file
    checksum) when the execution starts, unless given here. ``workflow_rid`` is set once the
    workflow is recorded in the catalog; from then on, changing its types writes them there.
    """

    name: str
    workflow_type: str | list[str] = "Training"
    description: str | None = None
    url: str | None = None
    version: str | None = None
    checksum: str | None = None
    workflow_rid: str | None = None
    is_notebook: bool = False
    git_root: str | None = None
    allow_dirty: bool = False
    source_path: str | None = field(default=None, repr=False)
    _ml: DerivaML | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if isinstance(self.workflow_type, str):
            self.workflow_type = [self.workflow_type]
        else:
            self.workflow_type = list(self.workflow_type)

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in (
            "name", "workflow_type", "description", "url", "version", "checksum",
            "workflow_rid", "is_notebook")}

    def _bound_to(self, ml: DerivaML) -> Workflow:
        """This workflow, its type changes written to ``ml``'s catalog once it is recorded."""
        self._ml = ml
        return self

    # -- types -------------------------------------------------------------------------------
    def _term(self, workflow_type: Any) -> str:
        """The canonical name of a ``Workflow_Type`` term (a name, synonym or term object)."""
        name = getattr(workflow_type, "name", workflow_type)
        return self._ml.lookup_term(MLVocab.workflow_type, name)["Name"] if self._ml else name

    def _recorded(self) -> bool:
        return self._ml is not None and self.workflow_rid is not None

    def add_workflow_type(self, workflow_type: Any) -> None:
        """Give the workflow another ``Workflow_Type`` term (no change if it has it); a
        recorded workflow gets it in the catalog too."""
        name = self._term(workflow_type)
        if name in self.workflow_type:
            return
        if self._recorded():
            links = self._ml.profile.workflow_type_links(self.workflow_rid, [name])
            if not links:
                self._ml.profile.workflow_values([*self.workflow_type, name])  # raises
            self._ml.catalog.insert(ML_SCHEMA, "Workflow_Workflow_Type", links,
                                    on_conflict_skip=True)
        self.workflow_type.append(name)

    def add_workflow_types(self, workflow_types: Any) -> None:
        """``add_workflow_type`` of one term or each of a list."""
        for term in workflow_types if isinstance(workflow_types, list) else [workflow_types]:
            self.add_workflow_type(term)

    def remove_workflow_type(self, workflow_type: Any) -> None:
        """Take a ``Workflow_Type`` term off the workflow (no change if it lacks it)."""
        name = self._term(workflow_type)
        if name not in self.workflow_type:
            return
        if self._recorded():
            if not self._ml.profile.has_table("Workflow_Workflow_Type"):
                raise DerivaMLWorkflowError(
                    f"Catalog {self._ml.catalog_id} stores one type per workflow (deriva-ml "
                    "1.17's Workflow.Workflow_Type column), which cannot be removed.")
            self._ml.catalog.delete(ML_SCHEMA, "Workflow_Workflow_Type",
                                    {"Workflow": self.workflow_rid, "Workflow_Type": name})
        self.workflow_type.remove(name)

    # -- code provenance ---------------------------------------------------------------------
    @staticmethod
    def get_url_and_checksum(executable_path: Path, allow_dirty: bool = False
                             ) -> tuple[str, str]:
        """``(url, checksum)`` of a script or notebook in a git repository: its URL at the
        current commit and its git blob hash (a notebook's without its outputs).

        Outside a git repository: an error, or ``("", "")`` with ``allow_dirty``. Uncommitted
        changes raise ``DerivaMLDirtyWorkflowError``, or only warn with ``allow_dirty``.
        """
        from .provenance import git_state, source_checksum, source_url

        path = Path(executable_path).expanduser().resolve()
        git = git_state(path) if path.is_file() else None
        if git is None:
            if not path.is_file():
                raise DerivaMLWorkflowError(f"{executable_path} is not a file.")
            if allow_dirty:
                log.warning("%s is not in a git repository; its URL and checksum are empty.",
                            path)
                return "", ""
            raise DerivaMLWorkflowError(
                f"{path} is not in a git repository, so its code cannot be traced: commit it "
                "to one, or pass allow_dirty=True.")
        if git.changes:
            if not allow_dirty:
                raise DerivaMLDirtyWorkflowError(str(path), dirty_paths=git.changes)
            log.warning("%s has uncommitted changes: %s", git.root, "; ".join(git.changes[:3]))
        return source_url(path, git), source_checksum(path, True, path.suffix == ".ipynb")

    @staticmethod
    def get_dynamic_version(root: str | os.PathLike | None = None) -> str:
        """The version of the git repository at ``root`` (default: the current directory) in
        setuptools-scm's form: ``1.2.3`` at a tag ``v1.2.3``, else
        ``1.2.4.dev<commits since>+g<commit>``, with ``.d<today, YYYYMMDD>`` when there are
        uncommitted changes."""
        folder = Path(root or Path.cwd())

        def git(*args: str) -> str:
            result = subprocess.run(["git", *args], cwd=folder, capture_output=True,
                                    text=True)
            if result.returncode:
                raise DerivaMLWorkflowError(
                    f"{folder} is not in a git repository, so it has no version: "
                    f"{result.stderr.strip()}")
            return result.stdout.strip()

        described = git("describe", "--tags", "--long", "--dirty", "--always",
                        "--match", "*[0-9]*")
        dirty = described.endswith("-dirty")
        described = described.removesuffix("-dirty")
        found = re.fullmatch(r"v?(?P<tag>.+)-(?P<distance>\d+)-g(?P<sha>[0-9a-f]+)", described)
        if found:
            tag, distance, sha = found["tag"], int(found["distance"]), found["sha"]
        else:  # no tag: every commit counts
            tag, distance, sha = "0.0", int(git("rev-list", "--count", "HEAD")), described
        if distance == 0 and not dirty:
            return tag
        version = _next_version(tag) + f".dev{distance}+g{sha}"
        return version + (f".d{date.today():%Y%m%d}" if dirty else "")


def _next_version(tag: str) -> str:
    """``1.2.3`` -> ``1.2.4`` (the last number of a tag, plus one)."""
    head, number = re.match(r"(.*?)(\d+)\D*$", tag).groups() if re.search(r"\d", tag) \
        else (tag + ".", "0")
    return f"{head}{int(number) + 1}"


def workflow_rows(workflows: Sequence[Workflow]) -> list[dict[str, Any]]:
    """The table of a listing of workflows: the ``Workflow`` columns and its types."""
    return [{"RID": w.workflow_rid, "Name": w.name, "Description": w.description, "URL": w.url,
             "Checksum": w.checksum, "Version": w.version,
             "Workflow_Type": list(w.workflow_type)} for w in workflows]
