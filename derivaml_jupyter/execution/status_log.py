"""The status history of an execution on this machine: each status it was given, with its
detail and time, appended to ``<working_dir>/status.jsonl`` (the catalog row keeps only the
latest). A failed upload followed by a resume shows there as Failed, then Uploaded."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

STATUS_LOG = "status.jsonl"


def append_status(working_dir: Path, status: str, detail: str | None) -> None:
    """Add one ``{"time", "status", "detail"}`` line to the log (none for an execution
    without a working directory here, e.g. one run on another machine)."""
    if not Path(working_dir).is_dir():
        return
    line = json.dumps({"time": datetime.now(UTC).isoformat(), "status": str(status),
                       "detail": detail or ""})
    with open(Path(working_dir) / STATUS_LOG, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def read_status_history(working_dir: Path) -> list[dict]:
    """The logged statuses, oldest first (a line a killed process cut short is skipped)."""
    path = Path(working_dir) / STATUS_LOG
    if not path.is_file():
        return []
    history = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            history.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return history
