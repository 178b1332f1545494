"""Executions side by side: what each ran (workflow, status, duration), the Hydra config it ran
with (the choice of each config group and every field), the metrics it recorded, and what it
read and wrote; and a sweep's jobs as a table, a row per job with its overrides and metrics.

Metrics come from the execution's output files named ``*metrics*.json`` (one JSON object,
nested objects flattened with dots) or ``*metrics*.jsonl`` (one record per line: the last
value of each key). The config is what ``ml.lookup_experiment(rid)`` reads.

Example::

    ml.compare_executions(["1-AB12", "1-AB14"], only_differences=True)
"""

from __future__ import annotations

import json
import math
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import DerivaMLValidationError
from .experiment import (
    HYDRA_SUFFIX,
    OVERRIDES_SUFFIX,
    hydra_metadata,
    metadata_text,
    read_hydra_config,
)

if TYPE_CHECKING:
    import pandas as pd

    from ..ml import DerivaML

SECTIONS = ("execution", "config", "metrics", "inputs", "outputs")
METRICS_FILE = re.compile(r".*metrics.*\.jsonl?", re.IGNORECASE)
MAX_METRICS_BYTES = 20 * 1024 * 1024


def compare_executions(ml: DerivaML, execution_rids: Iterable[str],
                       only_differences: bool = False) -> pd.DataFrame:
    """A table with a column per execution and a row per fact, indexed by (section, name);
    a fact an execution lacks is NaN. ``only_differences`` keeps the rows whose values are
    not all the same."""
    import pandas as pd

    rids = list(dict.fromkeys(execution_rids))
    if not rids:
        raise DerivaMLValidationError("Give the RIDs of the executions to compare.")
    frame = pd.DataFrame({rid: execution_facts(ml, rid) for rid in rids}, columns=rids)
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["section", "name"])
    order = [(SECTIONS.index(section), name) for section, name in frame.index]
    frame = frame.iloc[sorted(range(len(order)), key=order.__getitem__)]
    if only_differences:
        frame = frame[[differ(row) for row in frame.itertuples(False)]]
    return frame


def execution_facts(ml: DerivaML, rid: str) -> dict[tuple[str, str], Any]:
    """The facts of one execution by (section, name)."""
    record = ml.lookup_execution(rid)
    workflow = record.workflow
    facts: dict[tuple[str, str], Any] = {
        ("execution", "workflow"): workflow.name if workflow else None,
        ("execution", "status"): str(getattr(record.status, "value", record.status)),
        ("execution", "description"): record.description,
        ("execution", "duration"): record.duration,
        ("execution", "start_time"): record.start_time,
    }
    facts.update({("config", name): value
                  for name, value in flatten(read_hydra_config(ml, rid)).items()})
    outputs = record.outputs["assets"]
    facts.update({("metrics", name): value
                  for name, value in read_metrics(ml, outputs).items()})
    facts[("inputs", "datasets")] = ", ".join(
        f"{d['rid']}@{d['version']}" for d in record.inputs["datasets"]) or None
    for side, assets in (("inputs", record.inputs["assets"]), ("outputs", outputs)):
        for table, rows in assets.items():
            facts[(side, table)] = ", ".join(sorted(r["Filename"] for r in rows))
    return facts


def recorded_overrides(ml: DerivaML, rid: str) -> list[str] | None:
    """The Hydra overrides execution ``rid`` ran with (its ``hydra-*-overrides.yaml``, as
    ``deriva-ml-run`` and ``deriva-ml-run-notebook`` record it); None when it recorded none."""
    import yaml

    text = metadata_text(ml, hydra_metadata(ml, rid), OVERRIDES_SUFFIX)
    return None if text is None else [str(o) for o in yaml.safe_load(text) or []]


def recorded_config_name(ml: DerivaML, rid: str) -> str | None:
    """The top-level Hydra config execution ``rid`` ran (``hydra.job.config_name`` of its
    ``hydra-*-hydra.yaml``); None when it recorded none."""
    import yaml

    hydra = yaml.safe_load(metadata_text(ml, hydra_metadata(ml, rid), HYDRA_SUFFIX) or "") or {}
    return ((hydra.get("hydra") or {}).get("job") or {}).get("config_name")


def override_parameters(overrides: Iterable[str]) -> dict[str, str]:
    """Overrides as parameters: ``key: value`` (``+``/``++`` dropped; ``~key`` deleted)."""
    parameters: dict[str, str] = {}
    for override in overrides:
        key, sep, value = override.partition("=")
        if key.startswith("~"):
            parameters[key[1:]] = "(deleted)"
        elif sep:
            parameters[key.lstrip("+")] = value
    return parameters


def sweep_overrides(jobs: Iterable[list[str] | None]) -> list[str] | None:
    """The overrides that run a sweep's ``jobs`` (each job's overrides) again as one multirun:
    each override key with its jobs' values in order, joined by commas (``key=a,b``); None
    when a job recorded none, the jobs set different keys, or a value is not a plain one
    (holds a comma, bracket or quote)."""
    jobs = list(jobs)
    if not jobs or None in jobs:
        return None
    split = [[o.partition("=") for o in job] for job in jobs]
    if any({k for k, _, _ in job} != {k for k, _, _ in split[0]} for job in split):
        return None
    values: dict[str, list[str]] = {}
    for key, sep, value in (part for job in split for part in job):
        if any(c in value for c in ",()[]{}'\""):
            return None
        found = values.setdefault(key + sep, [])
        if value not in found:
            found.append(value)
    return [key + ",".join(found) for key, found in values.items()]


def sweep_jobs(ml: DerivaML, parent_rid: str) -> list[dict[str, Any]]:
    """The jobs (nested executions) of sweep ``parent_rid`` in order, each with its RID,
    status, description, ``parameters`` (its overrides) and ``metrics`` (its metrics files);
    empty when it has none."""
    jobs = []
    for record in ml.lookup_execution(parent_rid).list_nested_executions():
        rid = record.execution_rid
        jobs.append({
            "rid": rid, "status": str(getattr(record.status, "value", record.status)),
            "description": record.description,
            "parameters": override_parameters(recorded_overrides(ml, rid) or []),
            "metrics": read_metrics(ml, record.outputs["assets"]),
        })
    return jobs


def read_metrics(ml: DerivaML, assets: Mapping[str, list[dict]]) -> dict[str, Any]:
    """The metrics in an execution's metrics files, by name (prefixed with the file's stem
    when it recorded several files)."""
    files = [r for rows in assets.values() for r in rows
             if METRICS_FILE.fullmatch(r["Filename"] or "") and
             (r.get("Length") or 0) <= MAX_METRICS_BYTES]
    metrics: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        for row in sorted(files, key=lambda r: r["Filename"]):
            path = Path(folder) / row["RID"]
            ml.catalog.get_object(row["URL"], path)
            values = _read_metrics_file(path, row["Filename"].lower().endswith(".jsonl"))
            prefix = f"{Path(row['Filename']).stem}." if len(files) > 1 else ""
            metrics.update({f"{prefix}{k}": v for k, v in flatten(values).items()})
    return metrics


def _read_metrics_file(path: Path, lines: bool) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        if not lines:
            value = json.loads(text)
            return value if isinstance(value, dict) else {"value": value}
        last: dict[str, Any] = {}
        for line in filter(str.strip, text.splitlines()):
            record = json.loads(line)
            if isinstance(record, dict):
                last.update(record)
        return last
    except ValueError:
        return {}  # not JSON after all: no metrics from this file


def flatten(values: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested mappings as one level, their keys joined with dots; lists as JSON text."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = json.dumps(value) if isinstance(value, (list, tuple, dict)) else value
    return flat


def differ(values: Iterable[Any]) -> bool:
    """Whether ``values`` are not all the same (NaN and None alike)."""
    return len({"" if is_missing(v) else str(v) for v in values}) > 1


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class CompareAPI:
    """``DerivaML.compare_executions``."""

    def compare_executions(self, execution_rids: Iterable[str],
                           only_differences: bool = False) -> pd.DataFrame:
        """Executions side by side: a column per execution, a row per (section, name) of
        their workflow and status, Hydra config, metrics, inputs and outputs (see
        ``execution.compare``); ``only_differences`` keeps the rows that differ."""
        return compare_executions(self, execution_rids, only_differences)
