"""What executions on this machine still have to upload (``ml.pending_summary()``), and the
outcome of uploading them (``ml.commit_pending_executions()``), shaped as deriva-ml's.

Here an execution's pending work is its manifest (``upload.Manifest``): output files staged
with ``asset_file_path`` and not yet recorded in the catalog; and its feature records staged
with ``add_features`` (``feature.staging``), the only rows written at upload (others reach
the catalog as they are made)."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..feature.staging import STAGED, UPLOADED
from .upload import Manifest


@dataclass
class PendingRowCount:
    """Staged rows of one table ("schema:Table") by state."""

    table: str
    pending: int
    failed: int
    uploaded: int


@dataclass
class PendingAssetCount:
    """Staged files of one asset table ("schema:Table") by state, and the bytes to send."""

    table: str
    pending_files: int
    failed_files: int
    uploaded_files: int
    total_bytes_pending: int


@dataclass
class PendingSummary:
    """The pending uploads of one execution."""

    execution_rid: str
    rows: list[PendingRowCount] = field(default_factory=list)
    assets: list[PendingAssetCount] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)

    @classmethod
    def from_manifest(cls, execution_rid: str, working_dir: Path) -> PendingSummary:
        """The summary of the manifest in an execution's ``working_dir``. A staged file that
        is gone is a diagnostic (its upload would fail)."""
        manifest = Manifest(working_dir)
        counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # pending, done, bytes
        diagnostics = []
        for entry in manifest.entries.values():
            count = counts[f"{entry.schema}:{entry.table}"]
            if entry.state == "done":
                count[1] += 1
                continue
            count[0] += 1
            path = manifest.file(entry)
            if path.exists():
                count[2] += path.stat().st_size
            else:
                diagnostics.append(f"{entry.path} of {entry.table} is staged but missing")
        assets = [PendingAssetCount(table, pending, 0, done, size)
                  for table, (pending, done, size) in sorted(counts.items())]
        return cls(execution_rid, _feature_rows(Path(working_dir)), assets, diagnostics)

    @property
    def has_pending(self) -> bool:
        return self.total_pending_rows + self.total_pending_files > 0

    @property
    def total_pending_rows(self) -> int:
        return sum(r.pending + r.failed for r in self.rows)

    @property
    def total_pending_files(self) -> int:
        return sum(a.pending_files + a.failed_files for a in self.assets)

    def render(self) -> str:
        """A few lines for a terminal."""
        lines = [f"Execution {self.execution_rid}:"]
        lines += [f"  rows:    {r.table.split(':')[-1]} ({r.pending} pending, {r.failed} failed)"
                  for r in self.rows if r.pending or r.failed]
        lines += [f"  assets:  {a.table.split(':')[-1]} ({a.pending_files} pending, "
                  f"{a.failed_files} failed, {a.total_bytes_pending / 1e6:.1f}MB)"
                  for a in self.assets if a.pending_files or a.failed_files]
        if not self.has_pending:
            lines.append("  nothing pending")
        lines += [f"  - {d}" for d in self.diagnostics]
        return "\n".join(lines)


def _feature_rows(working_dir: Path) -> list[PendingRowCount]:
    """Feature records staged (pending) and written (uploaded), by feature table."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for state, name in enumerate((STAGED, UPLOADED)):
        path = working_dir / name
        for line in path.read_text("utf-8").splitlines() if path.exists() else ():
            try:
                item = json.loads(line)
            except json.JSONDecodeError:  # a line cut short by a killed process
                continue
            counts[f"{item['schema']}:{item['table']}"][state] += 1
    return [PendingRowCount(table, pending, 0, uploaded)
            for table, (pending, uploaded) in sorted(counts.items())]


@dataclass
class WorkspacePendingSummary:
    """``PendingSummary`` of each execution that has a working directory on this machine."""

    per_execution: list[PendingSummary]

    @property
    def has_pending(self) -> bool:
        return any(s.has_pending for s in self.per_execution)

    def render(self) -> str:
        pending = [s.render() for s in self.per_execution if s.has_pending]
        return "\n".join(pending) or "No pending uploads."


@dataclass
class UploadReport:
    """What ``commit_pending_executions`` uploaded: ``per_table`` maps "schema:Table" to
    ``{"uploaded": n, "failed": n}``; ``errors`` has one line per execution that failed."""

    execution_rids: list[str]
    total_uploaded: int = 0
    total_failed: int = 0
    per_table: dict[str, dict[str, int]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
