"""``derivaml reproduce`` of a sweep's parent execution: each job runs again as it ran, and
a new parent execution nests the reproductions in the jobs' order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..execution.configuration import ExecutionConfiguration
from ..execution.experiment import hydra_metadata
from .reproduce import Reproduction, link_to_original, reproduction_description, rerun
from .reproduce_git import checked_source, find_repository, worktree
from .reproduce_record import CONFIGURATION, DerivaMLReproduceError, RecordedRun

if TYPE_CHECKING:
    from ..ml import DerivaML


def reproduce_sweep(ml: DerivaML, rid: str, jobs: list[RecordedRun], repo: str | Path | None,
                    echo: Callable[[str], None]) -> Reproduction:
    """Run every job of sweep ``rid`` again (all at the jobs' one commit, each checked
    before any runs), then record a new parent nesting them, linked to ``rid``. The result
    names the new parent; it ends Failed, naming them, when jobs failed."""
    commits = sorted({job.commit for job in jobs})
    if len(commits) > 1:
        raise DerivaMLReproduceError(
            f"The jobs of sweep {rid} ran different commits ({', '.join(commits)}); "
            "reproduce them one by one.")
    repository = find_repository(jobs[0], repo)
    with worktree(repository, commits[0]) as tree:
        sources = [checked_source(job, tree) for job in jobs]
        done = [rerun(ml, job, source, repository, echo) for job, source in zip(jobs, sources)]
    parent = _record_parent(ml, rid, commits[0], done)
    echo(f"Sweep {rid} reproduced as execution {parent}: "
         + ", ".join(f"{d.original} -> {d.execution_rid}" for d in done))
    return Reproduction(rid, parent, max(d.returncode for d in done), done[0].environment)


def _record_parent(ml: DerivaML, rid: str, commit: str, done: list[Reproduction]) -> str:
    """A new execution of the original parent's workflow nesting the reproduced jobs."""
    original = ml.lookup_execution(rid)
    workflow = ml.lookup_workflow(original.workflow.workflow_rid)
    parent = ml.create_execution(ExecutionConfiguration(
        workflow=workflow, description=reproduction_description(rid, commit,
                                                                original.description)))
    with parent:
        for sequence, job in enumerate(done):
            parent.add_nested_execution(job.execution_rid, sequence=sequence)
        failed = [d.execution_rid for d in done if d.returncode]
        if failed:
            parent.execution_stop(DerivaMLReproduceError(
                f"{len(failed)} reproduced job(s) failed: {', '.join(failed)}"))
    parent.upload_execution_outputs(progress=False)
    configuration = hydra_metadata(ml, rid).get(CONFIGURATION)
    link_to_original(ml, configuration and configuration["RID"], parent.execution_rid)
    return parent.execution_rid
