"""What an execution recorded about how it ran, read back for ``derivaml reproduce``.

An execution made by ``deriva-ml-run`` or ``deriva-ml-run-notebook`` has a ``Workflow``
(URL at a git commit, checksum of its source file) and ``Execution_Metadata`` outputs:
``environment.json`` (Python, packages, git state), ``configuration.json`` and Hydra's
``hydra-<run>-overrides.yaml`` / ``-config.yaml`` / ``-hydra.yaml``. A notebook execution
also uploaded its executed notebook, whose papermill metadata holds its parameters.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import DerivaMLWorkflowError
from ..execution.experiment import (
    CONFIG_SUFFIX,
    HYDRA_SUFFIX,
    OVERRIDES_SUFFIX,
    asset_text,
    hydra_metadata,
    metadata_name,
)
from ..execution.records import input_datasets, linked_assets

if TYPE_CHECKING:
    from ..ml import DerivaML

CONFIGURATION, ENVIRONMENT = "configuration.json", "environment.json"
# ``<repo web URL>/blob/<commit>/<path>`` or ``file:///<root>@<commit>/<path>``
_URL_FORMS = (re.compile(r"/blob/(?P<commit>[0-9a-f]{7,40})/(?P<path>.+)$"),
              re.compile(r"@(?P<commit>[0-9a-f]{7,40})/(?P<path>.+)$"))


class DerivaMLReproduceError(DerivaMLWorkflowError):
    """An execution that cannot be run again as it ran (no recorded config, commit out of
    reach, code that differs from what ran)."""


@dataclass
class RecordedRun:
    """How execution ``rid`` ran: its workflow's code (URL, checksum, commit, path in the
    repository), the Hydra config name and task overrides, the composed config, the input
    dataset versions, the runtime environment and, for a notebook, its parameters."""

    rid: str
    description: str
    workflow_rid: str | None
    url: str
    checksum: str | None
    commit: str
    source: str
    overrides: list[str]
    config_name: str | None
    config: dict[str, Any]
    datasets: dict[str, str]
    environment: dict[str, Any]
    configuration_asset: str | None
    notebook_parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def is_notebook(self) -> bool:
        return self.source.endswith(".ipynb")

    @property
    def recorded_root(self) -> Path | None:
        """The repository the run was made in, as it recorded it."""
        root = (self.environment.get("git") or {}).get("root")
        return Path(root) if root else None

    @property
    def recorded_remote(self) -> str | None:
        """The ``origin`` of the repository the run was made in."""
        return (self.environment.get("git") or {}).get("remote")

    @property
    def was_dirty(self) -> list[str]:
        """The uncommitted changes the run's repository had (``git status`` lines)."""
        git = self.environment.get("git") or {}
        return [c.strip() for c in git.get("changes") or []] if git.get("dirty") else []


def read_recorded_run(ml: DerivaML, rid: str) -> RecordedRun:
    """Read what ``rid`` (not a sweep's parent: that records only its first job's config)
    recorded; a clear error when it lacks what a re-run needs."""
    record = ml.lookup_execution(rid)
    rid = record.execution_rid
    files = hydra_metadata(ml, rid)
    overrides_file = metadata_name(files, OVERRIDES_SUFFIX)
    if overrides_file is None:
        raise DerivaMLReproduceError(
            f"Execution {rid} recorded no Hydra overrides (hydra-*{OVERRIDES_SUFFIX}), so it "
            "cannot be re-run as it ran: it was not run by deriva-ml-run or "
            "deriva-ml-run-notebook, which record the Hydra config a re-run needs.")
    workflow = record.workflow
    environment = _json(ml, files.get(ENVIRONMENT)) or {}
    commit, source = _code_location(rid, workflow.url if workflow else None, environment)
    hydra = _yaml(ml, files.get(metadata_name(files, HYDRA_SUFFIX))) or {}
    configuration = files.get(CONFIGURATION)
    run = RecordedRun(
        rid=rid, description=record.description or "",
        workflow_rid=workflow.workflow_rid if workflow else None,
        url=workflow.url if workflow else "", checksum=workflow.checksum if workflow else None,
        commit=commit, source=source,
        overrides=[str(o) for o in _yaml(ml, files[overrides_file]) or []],
        config_name=((hydra.get("hydra") or {}).get("job") or {}).get("config_name"),
        config=_yaml(ml, files.get(metadata_name(files, CONFIG_SUFFIX))) or {},
        datasets={d["rid"]: d["version"] for d in input_datasets(ml, rid) if d["version"]},
        environment=environment,
        configuration_asset=configuration["RID"] if configuration else None,
    )
    if run.is_notebook:
        run.notebook_parameters = _notebook_parameters(ml, rid, Path(source).name)
    return run


def recorded_checkout(ml: DerivaML, rid: str, url: str | None) -> Path | None:
    """Where the file execution ``rid`` ran was on the machine that ran it: the git root its
    ``environment.json`` recorded joined with the path in the repository its workflow URL
    names (``.../blob/<commit>/<path>``, as for a repository with a remote); None when either
    is missing."""
    found = next((m for m in (form.search(url or "") for form in _URL_FORMS) if m), None)
    if found is None:
        return None
    environment = _json(ml, hydra_metadata(ml, rid).get(ENVIRONMENT)) or {}
    root = (environment.get("git") or {}).get("root")
    return Path(root) / found["path"] if root else None


def _json(ml: DerivaML, row: dict | None) -> Any:
    text = asset_text(ml, row) if row else None
    return json.loads(text) if text else None


def _yaml(ml: DerivaML, row: dict | None) -> Any:
    import yaml

    text = asset_text(ml, row) if row else None
    return yaml.safe_load(text) if text else None


def _code_location(rid: str, url: str | None, environment: dict) -> tuple[str, str]:
    """``(commit, path in the repository)`` of the workflow's source file: from its URL
    (``.../blob/<commit>/<path>`` or ``file:///<root>@<commit>/<path>``)."""
    for form in _URL_FORMS:
        found = form.search(url or "")
        if found:
            return found["commit"], found["path"]
    commit = (environment.get("git") or {}).get("commit")
    raise DerivaMLReproduceError(
        f"Execution {rid}'s workflow URL {url!r} names no git commit and path"
        + (f" (its environment.json names commit {commit}, but not which file ran)"
           if commit else "")
        + ", so its code cannot be checked out: it ran outside a git repository or with "
        "uncommitted changes allowed.")


def _notebook_parameters(ml: DerivaML, rid: str, notebook_name: str) -> dict[str, Any]:
    """The papermill parameters of the executed notebook the execution uploaded."""
    rows = linked_assets(ml, rid, "Output").get("Execution_Asset", [])
    executed = next((r for r in rows if r.get("Filename") == notebook_name), None)
    notebook = _json(ml, executed) or {}
    return dict(((notebook.get("metadata") or {}).get("papermill") or {}).get("parameters")
                or {})
