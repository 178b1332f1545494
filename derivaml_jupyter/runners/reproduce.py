"""``derivaml reproduce RID`` (and ``deriva-ml-run --reproduce RID``): run a recorded
execution again as it ran.

The workflow's recorded commit is checked out in a temporary ``git worktree`` (fetched from
``origin`` or the recorded remote when the repository lacks it; refused when it cannot be
reached or its source file is not the code that ran). ``deriva-ml-run`` (or, for a
notebook, ``deriva-ml-run-notebook`` with its papermill parameters) runs there with the
recorded Hydra config name and task overrides, every input dataset pinned to the version
the original read. The new execution reuses the original's workflow and is linked to the
original: the original's ``configuration.json`` is recorded as an *Input*
``Execution_Metadata`` of the new one (so lineage leads from the reproduction to the
original), the new one's description starts with ``Reproduction of <RID>``, and its
``reproduction.json`` metadata holds the original RID, the commit, the overrides, the
dataset versions and how this environment differs from the recorded ``environment.json``
(also printed before the run). deriva-ml's schema has no "derived from" link between
executions; ``Execution_Nested_Execution`` means a sweep and its jobs, so it is not used.
``reproductions_of(ml, rid)`` follows the link back. A sweep's parent is reproduced job by
job (``reproduce_sweep``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.definitions import ML_SCHEMA, ExecAssetType
from ..core.rid import normalize_rid
from ..execution.records import nested_rids
from .reproduce_env import EnvironmentDiff, environment_diff
from .reproduce_git import checked_source, find_repository, worktree
from .reproduce_record import DerivaMLReproduceError, RecordedRun, read_recorded_run

if TYPE_CHECKING:
    from ..ml import DerivaML

REPRODUCTION_FILE = "reproduction.json"
_CONNECTION_KEYS = ("deriva_ml.hostname", "deriva_ml.catalog_id")
_RUNNER_VARIABLES = ("DERIVA_ML_NOTEBOOK_PATH", "DERIVA_ML_HYDRA_OVERRIDES", "JPY_SESSION_NAME",
                     "PAPERMILL_INPUT_PATH", "DERIVA_ML_WORKFLOW_URL",
                     "DERIVA_ML_WORKFLOW_CHECKSUM", "DERIVA_ML_SAVE_EXECUTION_RID")


@dataclass
class Reproduction:
    """The outcome of ``reproduce``: the original and new execution RIDs, the re-run's exit
    code and the environment differences."""

    original: str
    execution_rid: str
    returncode: int
    environment: EnvironmentDiff


def reproduce(ml: DerivaML, execution_rid: str, repo: str | Path | None = None,
              echo: Callable[[str], None] = print) -> Reproduction:
    """Run execution ``execution_rid`` of ``ml``'s catalog again as it ran (see the module
    docstring) and record the new execution, linked to it; a sweep's parent has each of its
    jobs run again, nested under a new parent. ``repo`` is the git repository holding the
    workflow's code (default: the one around the current directory, else the one the run
    recorded). Nothing is recorded when the commit cannot be reached."""
    rid = ml.lookup_execution(execution_rid).execution_rid
    jobs = nested_rids(ml, rid, children=True)
    if jobs:
        from .reproduce_sweep import reproduce_sweep

        return reproduce_sweep(ml, rid, [read_recorded_run(ml, job) for job in jobs], repo,
                               echo)
    run = read_recorded_run(ml, rid)
    repository = find_repository(run, repo)
    with worktree(repository, run.commit) as tree:
        return rerun(ml, run, checked_source(run, tree), repository, echo)


def rerun(ml: DerivaML, run: RecordedRun, source: Path, repository: Path,
          echo: Callable[[str], None]) -> Reproduction:
    """Run ``run`` again from ``source`` (its checked-out file), then link the new
    execution to it."""
    from ..execution.provenance import runtime_environment

    diff = environment_diff(run.environment, runtime_environment())
    echo(f"Reproducing execution {run.rid}: {run.source} at commit {run.commit[:12]} of "
         f"{repository}")
    echo(diff.report())
    pins = dataset_pins(run.config, run.datasets)
    with tempfile.TemporaryDirectory(prefix="derivaml-reproduce-") as scratch:
        command, env = (_notebook_command if run.is_notebook else _model_command)(
            ml, run, source, pins, Path(scratch))
        returncode, new_rid = _execute(command, env, _project_root(source), echo,
                                       Path(scratch) / "execution.json")
    if new_rid is None:
        raise DerivaMLReproduceError(
            f"The re-run of execution {run.rid} ended (exit status {returncode}) before it "
            "recorded an execution; its output above says why.")
    _link(ml, run, new_rid, repository, pins, diff)
    return Reproduction(run.rid, new_rid, returncode, diff)


def _project_root(source: Path) -> Path:
    """The project folder (the one holding ``src``) of a source file."""
    from ..config.run_notebook import find_project_src

    src = find_project_src(source)
    if src is None:
        raise DerivaMLReproduceError(
            f"No src/configs package above {source} in the checked-out commit, so its "
            "hydra-zen configs cannot be loaded.")
    return src.parent if src.name == "src" else src


# -- the configuration ----------------------------------------------------------------------
def _quote(value: Any) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _same_rid(text: Any, versions: dict[str, str]) -> str | None:
    try:
        rid = normalize_rid(str(text))
    except Exception:  # not spelled like a RID: not a dataset reference
        return None
    return rid if rid in versions else None


def dataset_pins(config: dict, versions: dict[str, str]) -> list[str]:
    """Hydra overrides that pin each dataset of the composed config's ``datasets`` to the
    version the original execution read (``++datasets.0.version='1.2.0'``); datasets already
    pinned to it need none."""
    pins: list[str] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            rid = _same_rid(node.get("rid"), versions) if "rid" in node else None
            if rid:
                if str(node.get("version") or "") != versions[rid]:
                    pins.append(f"++{path}.version={_quote(versions[rid])}")
                return
            for key, value in node.items():
                if key == "_args_" or not key.startswith("_"):
                    walk(value, f"{path}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{path}.{i}")
        elif isinstance(node, str):
            head, _, version = node.partition("@")
            rid = _same_rid(head, versions)
            if rid and version != versions[rid]:
                pins.append(f"++{path}={_quote(f'{rid}@{versions[rid]}')}")

    walk(config.get("datasets"), "datasets")
    return pins


def _overrides(run: RecordedRun) -> list[str]:
    """The recorded task overrides, less the connection (the re-run targets this catalog)."""
    return [o for o in run.overrides if o.lstrip("+~").split("=", 1)[0] not in _CONNECTION_KEYS]


def _environment(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _RUNNER_VARIABLES}
    return {**env, "PYTHONDONTWRITEBYTECODE": "1", **values}


def _model_command(ml: DerivaML, run: RecordedRun, source: Path, pins: list[str],
                   scratch: Path) -> tuple[list[str], dict[str, str]]:
    """``deriva-ml-run`` with the recorded config and overrides; the workflow keeps the
    recorded URL and checksum (verified), so the original's workflow record is reused."""
    from ..config.run_notebook import find_project_src

    keep = []
    if isinstance(run.config.get("workflow"), dict):
        keep = [f"++workflow.url={_quote(run.url)}", f"++workflow.checksum={run.checksum}"]
    command = [sys.executable, "-m", "derivaml_jupyter.runners.run_model_cli",
               "--config-dir", str(find_project_src(source) / "configs"),
               "--config-name", run.config_name or "deriva_model",
               "--host", ml.hostname, "--catalog", str(ml.catalog_id),
               *_overrides(run), *pins, *keep]
    return command, _environment(DERIVA_ML_SAVE_EXECUTION_RID=str(scratch / "execution.json"))


def _notebook_command(ml: DerivaML, run: RecordedRun, source: Path, pins: list[str],
                      scratch: Path) -> tuple[list[str], dict[str, str]]:
    """``deriva-ml-run-notebook`` with the recorded overrides and papermill parameters."""
    parameters = scratch / "parameters.json"
    parameters.write_text(json.dumps(run.notebook_parameters), encoding="utf-8")
    command = [sys.executable, "-m", "derivaml_jupyter.runners.run_notebook_cli", str(source),
               *_overrides(run), *pins, "-f", str(parameters),
               "--host", ml.hostname, "--catalog", str(ml.catalog_id)]
    return command, _environment(DERIVA_ML_WORKFLOW_URL=run.url,
                                 DERIVA_ML_WORKFLOW_CHECKSUM=run.checksum or "")


# -- running and linking ----------------------------------------------------------------------
_NOTEBOOK_RID = re.compile(r"^Execution (\S+): ")
_PREFIX = re.compile(r"^Reproduction of \S+ at commit [0-9a-f]+: ")


def _execute(command: list[str], env: dict[str, str], cwd: Path,
             echo: Callable[[str], None], rid_file: Path) -> tuple[int, str | None]:
    """Run the re-run, echoing its output; ``(exit status, new execution RID or None)``."""
    new_rid = None
    with subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, text=True) as proc:
        for line in proc.stdout:
            echo(line.rstrip("\n"))
            found = _NOTEBOOK_RID.match(line)
            new_rid = new_rid or (found and found[1])
    if rid_file.is_file():
        new_rid = json.loads(rid_file.read_text(encoding="utf-8"))["execution_rid"]
    return proc.returncode, new_rid


def _link(ml: DerivaML, run: RecordedRun, new_rid: str, repository: Path, pins: list[str],
          diff: EnvironmentDiff) -> None:
    """Link the new execution to the original: the original's configuration.json as its
    Input, ``Reproduction of <RID>`` in its description, and ``reproduction.json``."""
    from ..execution.upload import upload_entries

    link_to_original(ml, run.configuration_asset, new_rid)
    (row,) = ml.catalog.select(ML_SCHEMA, "Execution", where={"RID": new_rid})
    ml.catalog.update(ML_SCHEMA, "Execution", [{"RID": new_rid, "Description": (
        reproduction_description(run.rid, run.commit, run.description))}])
    exe = ml.restore_execution(new_rid)
    path = exe.asset_file_path("Execution_Metadata", REPRODUCTION_FILE,
                               asset_types=[ExecAssetType.execution_config.value])
    path.write_text(json.dumps({
        "reproduces": run.rid, "commit": run.commit, "source": run.source,
        "repository": str(repository), "workflow": run.workflow_rid,
        "config_name": run.config_name, "overrides": run.overrides, "dataset_pins": pins,
        "dataset_versions": run.datasets, "notebook_parameters": run.notebook_parameters,
        "previous_description": row["Description"], "environment_diff": diff.to_dict(),
    }, indent=2), encoding="utf-8")
    key = path.relative_to(exe.working_dir).as_posix()
    upload_entries(ml.catalog, exe.manifest, new_rid,
                   [e for e in exe.manifest.pending() if e.key == key], progress=False)


def link_to_original(ml: DerivaML, configuration_asset: str | None, new_rid: str) -> None:
    """Record the original's ``configuration.json`` (its RID) as an Input of ``new_rid``."""
    if configuration_asset:
        ml.catalog.insert(ML_SCHEMA, "Execution_Metadata_Execution", [{
            "Execution_Metadata": configuration_asset, "Execution": new_rid,
            "Asset_Role": "Input"}], on_conflict_skip=True)


def reproduction_description(rid: str, commit: str, description: str | None) -> str:
    """``Reproduction of <rid> at commit <commit>: <description>`` (one such prefix)."""
    return f"Reproduction of {rid} at commit {commit[:12]}: {_PREFIX.sub('', description or '')}"


def reproductions_of(ml: DerivaML, execution_rid: str) -> list[str]:
    """RIDs of the executions that reproduce ``execution_rid`` (those that read its
    ``configuration.json`` as an Input), oldest first."""
    from ..execution.experiment import hydra_metadata

    row = hydra_metadata(ml, normalize_rid(execution_rid)).get("configuration.json")
    if row is None:
        return []
    links = ml.catalog.select(ML_SCHEMA, "Execution_Metadata_Execution", sort=["RCT"],
                              where={"Execution_Metadata": row["RID"], "Asset_Role": "Input"})
    return [r["Execution"] for r in links]


def report_reproduction(result: Reproduction) -> None:
    """Print where the reproduction is recorded; a failed re-run raises after that."""
    print(f"Reproduction of {result.original}: execution {result.execution_rid}, linked to "
          f"{result.original} (it read its configuration.json)")
    if result.returncode:
        raise DerivaMLReproduceError(
            f"The re-run of {result.original} failed (exit status {result.returncode}); it "
            f"is recorded as execution {result.execution_rid}.")
