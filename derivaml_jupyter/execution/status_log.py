"""The status history of an execution: each status it was given, with its detail and time.

On the machine that runs it, each new status is appended to ``<working_dir>/status.jsonl``
(the catalog row keeps only the latest). ``derivaml push`` keeps the same lines, read from the
local catalog's versions of the row, with the execution as its ``Execution_Metadata`` file
``status_history.jsonl``, so the history reaches the server. A failed upload followed by a
resume shows there as Failed, then Uploaded.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.definitions import ML_SCHEMA

if TYPE_CHECKING:
    from ..catalog.contract import Catalog

STATUS_LOG = "status.jsonl"
STATUS_HISTORY_FILE = "status_history.jsonl"  # the catalog's copy, made by a push


def status_line(time: str, status: str, detail: str | None) -> str:
    """One line of a status history."""
    return json.dumps({"time": time, "status": str(status), "detail": detail or ""})


def append_status(working_dir: Path, status: str, detail: str | None) -> None:
    """Add one ``{"time", "status", "detail"}`` line to the log (none for an execution
    without a working directory here, e.g. one run on another machine)."""
    if not Path(working_dir).is_dir():
        return
    line = status_line(datetime.now(UTC).isoformat(), status, detail)
    with open(Path(working_dir) / STATUS_LOG, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def parse_status_lines(text: str) -> list[dict]:
    """The statuses of a history's lines, oldest first (a line a killed process cut short is
    skipped)."""
    history = []
    for line in text.splitlines():
        try:
            history.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return history


def read_status_history(working_dir: Path) -> list[dict]:
    """The statuses logged on this machine, oldest first."""
    path = Path(working_dir) / STATUS_LOG
    return parse_status_lines(path.read_text(encoding="utf-8")) if path.is_file() else []


def recorded_status_history(catalog: Catalog, execution_rid: str) -> list[dict]:
    """The statuses of the execution's ``status_history.jsonl`` metadata file in
    ``catalog`` (recorded by ``derivaml push``), oldest first; empty when it has none."""
    if not catalog.model().has_table(ML_SCHEMA, "Execution_Metadata_Execution"):
        return []
    links = catalog.select(ML_SCHEMA, "Execution_Metadata_Execution", where={
        "Execution": execution_rid, "Asset_Role": "Output"}, columns=["Execution_Metadata"])
    files = catalog.select(ML_SCHEMA, "Execution_Metadata", where={
        "RID": [r["Execution_Metadata"] for r in links], "Filename": STATUS_HISTORY_FILE},
        sort=["-RCT"], limit=1) if links else []
    if not files or not files[0]["URL"]:
        return []
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / STATUS_HISTORY_FILE
        catalog.get_object(files[0]["URL"], dest)
        return parse_status_lines(dest.read_text(encoding="utf-8"))
