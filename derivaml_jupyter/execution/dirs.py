"""Executions on this machine: their working directories (``<ml.working_dir>/execution/<RID>``)
and what they still have to upload — deriva-ml's workspace methods.

deriva-ml keeps a SQLite registry of the executions a workspace made; here that registry is
the execution directories themselves: each holds its manifest (``manifest.jsonl``, the files
staged for upload) and status log (``status.jsonl``), and the catalog row holds the status.
"""

from __future__ import annotations

import logging
import shutil
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..catalog.connect import derivaml_home
from ..core.definitions import DRY_RUN_RID, Status
from ..core.errors import DerivaMLNotFound
from ..feature.staging import STAGED
from .pending import PendingSummary, UploadReport, WorkspacePendingSummary
from .status_log import STATUS_LOG
from .upload import MANIFEST

if TYPE_CHECKING:
    from .records import ExecutionRecord

log = logging.getLogger("derivaml")

#: Statuses after which an execution has nothing left to do (deriva-ml's terminal states).
DONE = (Status.uploaded, Status.aborted)


def default_working_dir(hostname: str | None, catalog_id: str | int | None,
                        root: Path | None = None) -> Path:
    """The working directory of a connection: ``root`` (default ``$DERIVAML_HOME/work``),
    then ``<hostname>/<catalog_id>`` for those given."""
    path = root or derivaml_home() / "work"
    for part in (hostname, catalog_id):
        if part is not None:
            path /= str(part)
    return path


def _tree_size(root: Path) -> tuple[int, int]:
    """Bytes and number of files under ``root``; unreadable files are skipped."""
    size = count = 0
    for path in root.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                size, count = size + path.stat().st_size, count + 1
        except OSError:
            continue
    return size, count


class ExecutionDirsAPI:
    """``DerivaML`` methods on the executions that have a working directory here."""

    working_dir: Path

    @property
    def _execution_root(self) -> Path:
        return self.working_dir / "execution"

    def _execution_dirs(self) -> list[Path]:
        root = self._execution_root
        return sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []

    def list_execution_dirs(self) -> list[dict[str, Any]]:
        """Each execution directory, newest first: ``execution_rid``, ``path``,
        ``size_bytes``, ``size_mb``, ``modified`` (datetime) and ``file_count``."""
        out = []
        for entry in self._execution_dirs():
            size, count = _tree_size(entry)
            out.append({"execution_rid": entry.name, "path": str(entry), "size_bytes": size,
                        "size_mb": size / (1024 * 1024),
                        "modified": datetime.fromtimestamp(entry.stat().st_mtime),
                        "file_count": count})
        return sorted(out, key=lambda d: d["modified"], reverse=True)

    def clean_execution_dirs(self, older_than_days: int | None = None,
                             exclude_rids: list[str] | None = None) -> dict[str, int]:
        """Delete execution directories (only those not modified for ``older_than_days``
        when given; never those of ``exclude_rids``). Returns ``dirs_removed``,
        ``bytes_freed`` and ``errors``. The catalog keeps the executions."""
        stats = {"dirs_removed": 0, "bytes_freed": 0, "errors": 0}
        cutoff = None if older_than_days is None else time.time() - older_than_days * 86400
        keep = set(exclude_rids or ())
        for entry in self._execution_dirs():
            if entry.name in keep or (cutoff is not None and entry.stat().st_mtime > cutoff):
                continue
            size, _ = _tree_size(entry)
            try:
                shutil.rmtree(entry)
            except OSError as e:
                log.warning("Could not remove execution directory %s: %s", entry, e)
                stats["errors"] += 1
                continue
            stats["dirs_removed"] += 1
            stats["bytes_freed"] += size
        return stats

    def _local_records(self, rids: Iterable[str] | None = None) -> list[ExecutionRecord]:
        """The catalog records of the executions with a directory here (or of ``rids``); a
        directory whose execution the catalog does not have is skipped with a warning (that of
        dry runs, ``0000``, silently)."""
        records = []
        if rids is None:
            rids = [d.name for d in self._execution_dirs() if d.name != DRY_RUN_RID]
        for rid in rids:
            try:
                records.append(self.lookup_execution(rid))
            except DerivaMLNotFound:
                log.warning("Execution directory %s has no execution in the catalog.", rid)
        return records

    def gc_executions(self, *, older_than: timedelta | None = None,
                      status: Status | str | list[Status | str] | None = None,
                      delete_working_dir: bool = False) -> int:
        """Forget executions on this machine: those with ``status`` (one or a list; None:
        any) whose directory was last changed more than ``older_than`` ago. Their manifest,
        staged feature records and status log go (nothing of theirs is pending any more); with
        ``delete_working_dir`` their whole directory. The catalog is not touched. Returns how
        many executions were forgotten."""
        wanted = None if status is None else {
            Status(s) for s in ([status] if isinstance(status, str | Status) else status)}
        cutoff = None if older_than is None else time.time() - older_than.total_seconds()
        count = 0
        for record in self._local_records():
            folder = self._execution_root / record.execution_rid
            if (wanted is not None and Status(record.status or Status.created) not in wanted) \
                    or (cutoff is not None and folder.stat().st_mtime > cutoff):
                continue
            if delete_working_dir:
                shutil.rmtree(folder)
            else:
                for name in (MANIFEST, STATUS_LOG, STAGED):
                    (folder / name).unlink(missing_ok=True)
            count += 1
        return count

    def find_incomplete_executions(self) -> list[ExecutionRecord]:
        """The executions with a directory here that are not done (not Uploaded nor
        Aborted): those to resume, upload or clean up."""
        return [r for r in self._local_records()
                if Status(r.status or Status.created) not in DONE]

    def pending_summary(self) -> WorkspacePendingSummary:
        """What each execution with a directory here still has to upload."""
        return WorkspacePendingSummary([
            PendingSummary.from_manifest(d.name, d) for d in self._execution_dirs()])

    def commit_pending_executions(self, *, execution_rids: list[str] | None = None,
                                  clean_folder: bool = False) -> UploadReport:
        """Upload the pending outputs of ``execution_rids`` (None: of every execution here
        with something pending; ``[]``: none). One execution failing does not stop the
        others: it is counted in ``total_failed`` and described in ``errors``."""
        if execution_rids is None:
            execution_rids = [s.execution_rid for s in self.pending_summary().per_execution
                              if s.has_pending]
        report = UploadReport(list(execution_rids))
        for rid in report.execution_rids:
            try:
                uploaded = self.restore_execution(rid).upload_execution_outputs(
                    clean_folder=clean_folder, progress=False)
            except Exception as e:  # noqa: BLE001 - each failure is reported, the rest go on
                report.total_failed += 1
                report.errors.append(f"execution {rid}: {e}")
                continue
            for table, paths in uploaded.items():
                counts = report.per_table.setdefault(table.replace("/", ":"),
                                                     {"uploaded": 0, "failed": 0})
                counts["uploaded"] += len(paths)
                report.total_uploaded += len(paths)
        return report

