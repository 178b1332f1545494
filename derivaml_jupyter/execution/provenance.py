"""Where a workflow's code comes from (git commit, URL, checksum) and what it ran on.

``resolve_workflow_source`` fills a ``Workflow``'s ``url``, ``checksum`` and ``version`` from
its source file: a script (``workflow.source_path``, else the ``__main__`` file) or a notebook
(checksummed over its cells without outputs). ``runtime_environment`` describes the Python,
platform, installed distributions and git state — never environment variable values.
"""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .workflow import Workflow

ENV_WORKFLOW_URL = "DERIVA_ML_WORKFLOW_URL"
ENV_WORKFLOW_CHECKSUM = "DERIVA_ML_WORKFLOW_CHECKSUM"
ENV_ALLOW_DIRTY = "DERIVA_ML_ALLOW_DIRTY"


class DirtyWorkflowWarning(UserWarning):
    """The workflow's git repository has uncommitted changes, so its URL does not pin the
    code that actually ran."""


@dataclass
class GitState:
    """The git repository holding a file: root, HEAD commit, origin URL and uncommitted
    changes (``git status --porcelain`` lines)."""

    root: Path
    commit: str | None
    remote: str | None
    changes: list[str] = field(default_factory=list)

    @property
    def short_commit(self) -> str | None:
        return self.commit[:7] if self.commit else None

    def to_dict(self) -> dict:
        return {"root": str(self.root), "commit": self.commit, "remote": self.remote,
                "dirty": bool(self.changes), "changes": self.changes}


def _git(cwd: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                                timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.rstrip() if result.returncode == 0 else None


def git_state(path: Path) -> GitState | None:
    """The git state of the repository containing ``path`` (a file or folder), or None."""
    folder = path if path.is_dir() else path.parent
    root = _git(folder, "rev-parse", "--show-toplevel")
    if not root:
        return None
    status = _git(folder, "status", "--porcelain") or ""
    return GitState(Path(root), _git(folder, "rev-parse", "HEAD"),
                    _git(folder, "remote", "get-url", "origin"),
                    [line for line in status.splitlines() if line.strip()])


def web_url(remote: str) -> str:
    """An origin remote as a browsable URL: no ``.git`` suffix, SSH form rewritten to https."""
    url = remote.removesuffix(".git")
    if url.startswith("git@") and ":" in url:
        host, _, repo = url[len("git@"):].partition(":")
        url = f"https://{host}/{repo}"
    return url


def notebook_source_bytes(path: Path) -> bytes:
    """A notebook's JSON with outputs and execution counts removed, so re-running it does not
    change its checksum."""
    import nbformat

    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.get("metadata", {}).pop("execution", None)
    return nbformat.writes(nb).encode()


def source_checksum(path: Path, in_git: bool, notebook: bool) -> str:
    """``git hash-object`` of the file (its blob id) in a git repository, else its sha256;
    notebooks are hashed without their outputs."""
    data = notebook_source_bytes(path) if notebook else path.read_bytes()
    if in_git:
        return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    return hashlib.sha256(data).hexdigest()


def source_url(path: Path, git: GitState) -> str:
    """Where ``path`` is at the repository's commit: its page on the origin remote, else a
    ``file:`` URL of the repository with the commit."""
    relative = path.relative_to(git.root).as_posix()
    if git.remote:
        return f"{web_url(git.remote)}/blob/{git.commit or 'HEAD'}/{relative}"
    return f"{git.root.as_uri()}@{git.commit or 'uncommitted'}/{relative}"


def calling_file() -> Path | None:
    """The file being run: ``__main__``'s file, else ``sys.argv[0]``; None for console
    scripts of the Python installation (pytest, CLIs), which are tools, not workflows."""
    main = sys.modules.get("__main__")
    installed = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    for candidate in (getattr(main, "__file__", None), sys.argv[0] if sys.argv else None):
        if candidate and Path(candidate).is_file():
            path = Path(candidate).resolve()
            if installed.isdisjoint(Path(candidate).absolute().parents):
                return path
    return None


def _allow_dirty(workflow: Workflow) -> bool:
    return workflow.allow_dirty or os.environ.get(ENV_ALLOW_DIRTY, "").lower() in (
        "1", "true", "yes")


def resolve_workflow_source(workflow: Workflow) -> Workflow:
    """Fill ``url``, ``checksum``, ``version`` and ``git_root`` of ``workflow`` where unset.

    The notebook runner's ``DERIVA_ML_WORKFLOW_URL``/``DERIVA_ML_WORKFLOW_CHECKSUM`` win;
    otherwise the source file is ``workflow.source_path`` or the running script. Warns
    (``DirtyWorkflowWarning``) when the repository has uncommitted changes, unless
    ``workflow.allow_dirty`` or ``DERIVA_ML_ALLOW_DIRTY=true``.
    """
    if workflow.url and workflow.checksum:
        return workflow
    if os.environ.get(ENV_WORKFLOW_URL):
        workflow.url = workflow.url or os.environ[ENV_WORKFLOW_URL]
        workflow.checksum = workflow.checksum or os.environ.get(ENV_WORKFLOW_CHECKSUM)
        workflow.is_notebook = True
        return workflow
    path = Path(workflow.source_path).resolve() if workflow.source_path else calling_file()
    if path is None or not path.is_file():
        return workflow
    notebook = workflow.is_notebook or path.suffix == ".ipynb"
    workflow.is_notebook = notebook
    git = git_state(path)
    workflow.checksum = workflow.checksum or source_checksum(path, git is not None, notebook)
    if git is None:
        workflow.url = workflow.url or path.as_uri()
        return workflow
    workflow.git_root = str(git.root)
    workflow.version = workflow.version or git.short_commit
    workflow.url = workflow.url or source_url(path, git)
    if git.changes and not _allow_dirty(workflow):
        shown = "; ".join(git.changes[:3]) + (" ..." if len(git.changes) > 3 else "")
        warnings.warn(
            f"The git repository {git.root} has uncommitted changes ({shown}), so the recorded "
            f"workflow URL does not pin the code that runs. Commit first, or set "
            f"{ENV_ALLOW_DIRTY}=true (or workflow.allow_dirty=True) to silence this warning.",
            DirtyWorkflowWarning, stacklevel=3)
    return workflow


def runtime_environment(source: Path | None = None) -> dict:
    """Python, platform, installed distributions (name -> version) and the git state of
    ``source``. Environment variable values are never included."""
    from importlib import metadata

    packages = dict(filter(None, map(_name_and_version, metadata.distributions())))
    git = git_state(source) if source else None
    return {
        "python": {"version": sys.version, "implementation": platform.python_implementation(),
                   "executable": sys.executable},
        "platform": {"system": platform.system(), "release": platform.release(),
                     "machine": platform.machine(), "platform": platform.platform(),
                     "processor": platform.processor(), "node": platform.node()},
        "argv": list(sys.argv),
        "cwd": os.getcwd(),
        "packages": dict(sorted(packages.items(), key=lambda kv: kv[0].lower())),
        "git": git.to_dict() if git else None,
    }


def _name_and_version(dist: Any) -> tuple[str, str] | None:
    """A distribution's name and version from the header of its metadata file, without
    parsing the whole file as ``dist.metadata`` does (long descriptions make that ~3 ms a
    distribution, a second for a typical environment)."""
    found: dict[str, str] = {}
    text = dist.read_text("METADATA") or dist.read_text("PKG-INFO") or ""
    for line in text.splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        if key in ("Name", "Version") and key not in found:
            found[key] = value.strip()
    return (found["Name"], found.get("Version", "")) if found.get("Name") else None
