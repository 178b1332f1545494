"""The code a recorded execution ran, checked out again for ``derivaml reproduce``: the git
repository holding its commit (fetched when missing), a temporary worktree at that commit,
and its source file there, checked against the workflow's recorded checksum."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .reproduce_record import DerivaMLReproduceError, RecordedRun


def _git(cwd: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout)


def _toplevel(folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    found = _git(folder, "rev-parse", "--show-toplevel")
    return Path(found.stdout.strip()) if found.returncode == 0 else None


def _has_commit(repository: Path, commit: str) -> bool:
    return _git(repository, "cat-file", "-e", f"{commit}^{{commit}}").returncode == 0


def find_repository(run: RecordedRun, repo: str | Path | None = None) -> Path:
    """The git repository holding the run's commit: ``repo``, else the one around the
    current directory, else the one the run recorded; fetched from ``origin`` (or the
    remote the run recorded) when it lacks the commit. Raises ``DerivaMLReproduceError``
    when the commit cannot be reached."""
    given = [Path(repo).expanduser()] if repo else [Path.cwd(), run.recorded_root]
    candidates = list(dict.fromkeys(t for f in given if f for t in [_toplevel(f)] if t))
    if not candidates:
        where = str(given[0]) if repo else f"{Path.cwd()} or {run.recorded_root}"
        raise DerivaMLReproduceError(
            f"No git repository at {where} to check execution {run.rid}'s commit "
            f"{run.commit} out of: run this in a clone of its code or pass --repo PATH.")
    for candidate in candidates:
        if _has_commit(candidate, run.commit):
            return candidate
    remotes = list(dict.fromkeys(["origin", *([run.recorded_remote] if run.recorded_remote
                                              else [])]))
    for candidate in candidates:
        for remote in remotes:
            fetched = _git(candidate, "fetch", "--quiet", remote, run.commit, timeout=300)
            if fetched.returncode == 0 and _has_commit(candidate, run.commit):
                return candidate
    raise DerivaMLReproduceError(
        f"Execution {run.rid} ran commit {run.commit}, which cannot be reached: it is not in "
        f"the history of {', '.join(map(str, candidates))}, nor could it be fetched from "
        f"{' or '.join(remotes)}. Fetch the branch that holds it (it may have been rebased "
        "away), or pass --repo PATH of a clone that has it. Nothing was recorded.")


@contextlib.contextmanager
def worktree(repository: Path, commit: str) -> Iterator[Path]:
    """A temporary detached ``git worktree`` of ``repository`` at ``commit``, removed after."""
    parent = Path(tempfile.mkdtemp(prefix="derivaml-reproduce-"))
    tree = parent / "worktree"
    added = _git(repository, "worktree", "add", "--detach", "--quiet", str(tree), commit)
    if added.returncode:
        shutil.rmtree(parent, ignore_errors=True)
        raise DerivaMLReproduceError(
            f"Could not check commit {commit} out of {repository}: {added.stderr.strip()}")
    try:
        yield tree
    finally:
        _git(repository, "worktree", "remove", "--force", str(tree))
        shutil.rmtree(parent, ignore_errors=True)
        _git(repository, "worktree", "prune")


def checked_source(run: RecordedRun, tree: Path) -> Path:
    """The run's source file in the worktree, refused unless its checksum is the recorded
    one (else the commit does not hold the code that ran)."""
    from ..execution.provenance import source_checksum

    source = tree / run.source
    if not source.is_file():
        raise DerivaMLReproduceError(
            f"Commit {run.commit} has no file {run.source}, the source of execution "
            f"{run.rid}'s workflow ({run.url}).")
    if run.checksum and source_checksum(source, True, run.is_notebook) != run.checksum:
        dirty = f" It ran with uncommitted changes: {'; '.join(run.was_dirty[:5])}." \
            if run.was_dirty else ""
        raise DerivaMLReproduceError(
            f"{run.source} at commit {run.commit} is not the code execution {run.rid} ran "
            f"(its checksum differs from the recorded {run.checksum}).{dirty} Nothing was "
            "recorded.")
    return source
