"""``Execution``: one run of a workflow — its status and timing, staged outputs and upload.

Created by ``ml.create_execution(config)`` (or rebuilt by ``ml.restore_execution(rid)``).

Example::

    with ml.create_execution(config) as exe:
        exe.update_status(Status.running, "Training...")
        exe.asset_file_path("Model", "model.pt").write_bytes(weights)
    exe.upload_execution_outputs()
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..core.definitions import ML_SCHEMA, MLVocab, Status
from ..core.errors import DerivaMLException, DerivaMLUploadError, DerivaMLValidationError
from ..core.filenames import check_name_part
from ..core.rid import normalize_rid
from ..feature.staging import FeatureStage
from .asset_path import AssetFilePath
from .configuration import ExecutionConfiguration
from .records import ExecutionRecord
from .status_log import append_status, read_status_history
from .upload import Manifest, ManifestEntry, upload_entries

if TYPE_CHECKING:
    from ..dataset.dataset import Dataset
    from ..feature.record import FeatureRecord
    from ..ml import DerivaML

log = logging.getLogger("derivaml")

# Status_Detail of an execution whose upload failed (the run itself did not).
UPLOAD_FAILED = "Upload failed: "
# Columns of every asset table that the catalog and the upload fill in.
ASSET_FILE_COLUMNS = frozenset({"RID", "RCT", "RMT", "RCB", "RMB", "URL", "Filename", "Length",
                                "MD5", "Description"})


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def format_duration(seconds: float) -> str:
    """``3723.25`` -> ``"1H 2min 3.25sec"``."""
    hours, rest = divmod(max(seconds, 0.0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours)}H {int(minutes)}min {secs:.2f}sec"


def staged_name(name: str | Path, what: str) -> PurePosixPath:
    """A relative path that stays inside a staging folder and whose parts are valid file
    names (no control character, not too long to store), or a clear error."""
    text = str(name)
    normalized = PurePosixPath(os.path.normpath(text.replace("\\", "/")))
    if (not text or normalized.is_absolute() or normalized.parts[:1] == ("..",)
            or str(normalized) == "."):
        raise DerivaMLValidationError(
            f"{what} {text!r} would be written outside the execution's staging folder: give "
            "a plain file name such as 'model.pt' (or a relative path without '..').")
    for part in normalized.parts:
        check_name_part(part, what)
    return normalized


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for a name no file can have (too long, NUL)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


class Execution:
    """A run of a workflow, recorded in the catalog with its inputs and outputs.

    Attributes: ``execution_rid``, ``workflow_rid``, ``configuration``, ``working_dir``
    (``<ml.working_dir>/execution/<RID>/``), ``datasets`` (bags of the configured datasets),
    ``asset_paths`` (downloaded input assets by table), ``status``.
    """

    def __init__(self, ml: DerivaML, configuration: ExecutionConfiguration, execution_rid: str,
                 workflow_rid: str | None, dry_run: bool = False):
        self._ml = ml
        self.configuration = configuration
        self.execution_rid = execution_rid
        self.workflow_rid = workflow_rid
        self.dry_run = dry_run
        self.working_dir = ml.working_dir / "execution" / execution_rid
        self.working_dir.mkdir(parents=True, exist_ok=True)
        if dry_run:
            (self.working_dir / "manifest.jsonl").unlink(missing_ok=True)
        self.manifest = Manifest(self.working_dir)
        self.datasets: list[Any] = []
        self.asset_paths: dict[str, list[AssetFilePath]] = {}
        self._status = Status.created
        self._start_time: datetime | None = None

    def __repr__(self) -> str:
        return f"Execution({self.execution_rid!r}, status={self.status!r})"

    # -- status ------------------------------------------------------------------------------
    def _row(self) -> dict:
        return self._ml.catalog.select(ML_SCHEMA, "Execution",
                                       where={"RID": self.execution_rid})[0]

    @property
    def status(self) -> Status:
        """The current status (read from the catalog, so other processes' changes show)."""
        return self._status if self.dry_run else self._status_of(self._row())

    def _status_of(self, row: dict) -> Status:
        word = row["Status"]
        status = self._ml.profile.status_of(word)
        if status is None:
            raise DerivaMLValidationError(
                f"Execution {self.execution_rid} has status {word!r}, which DerivaML does not "
                "know; set a known one with update_status(...).")
        return status

    def _write(self, **columns: Any) -> None:
        """Update the execution's row; ``columns`` use our names (see ``SchemaProfile``). A
        new status is also added to the status history."""
        if "Status" in columns:
            self._status = Status(columns["Status"])
        if not self.dry_run:
            self._ml.catalog.update(ML_SCHEMA, "Execution", [{
                "RID": self.execution_rid, **self._ml.profile.execution_values(**columns)}])
            if "Status" in columns:
                append_status(self.working_dir, columns["Status"], columns.get("Status_Detail"))

    @property
    def status_history(self) -> list[dict]:
        """``{"time", "status", "detail"}`` of each status this execution was given on this
        machine, oldest first: an upload that failed and was resumed shows both."""
        return read_status_history(self.working_dir)

    def update_status(self, status: Status | str, message: str = "") -> None:
        """Set the status and a progress message (``Status_Detail``).

        Example: ``exe.update_status(Status.running, "Epoch 3/10 done")``.
        """
        status = self._ml.profile.parse_status(status)
        self._write(Status=status.value, Status_Detail=message)

    def execution_start(self) -> None:
        """Mark the execution Running and record its start time."""
        self._start_time = datetime.now(UTC)
        self._write(Status=Status.running.value, Status_Detail="Execution started",
                    Start_Time=self._start_time.isoformat())

    def _elapsed(self) -> str:
        start = self._start_time
        if start is None and not self.dry_run:
            recorded = self._ml.profile.execution_view(self._row())["Start_Time"]
            start = datetime.fromisoformat(recorded) if recorded else None
        return format_duration((datetime.now(UTC) - start).total_seconds() if start else 0.0)

    def execution_stop(self, error: BaseException | None = None) -> None:
        """Record stop time and duration: Stopped, or Failed with ``"<Type>: <message>"``."""
        duration = self._elapsed()
        if error is None:
            status, detail = Status.stopped, f"Execution completed in {duration}"
        else:
            status, detail = Status.failed, f"{type(error).__name__}: {error}"
        self._write(Status=status.value, Status_Detail=detail, Stop_Time=now_iso(),
                    Execution_Duration=duration)

    def __enter__(self) -> Execution:
        self.execution_start()
        return self

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is not None:
            log.error("Execution %s failed: %s: %s", self.execution_rid, exc_type.__name__, exc)
        # Not already stopped, e.g. by an upload inside (this process wrote every status
        # since __enter__, so no need to read it back).
        if self._status is Status.running:
            self.execution_stop(exc)
        return False

    def execute(self) -> Execution:
        """The execution itself, for ``with exe.execute():``."""
        return self

    # -- outputs -----------------------------------------------------------------------------
    def _asset_table(self, asset_name: str):
        tables = self._ml.list_assets()
        for t in tables:
            if asset_name in (t.name, f"{t.schema}.{t.name}", f"{t.schema}:{t.name}"):
                return t
        raise DerivaMLValidationError(
            f"{asset_name} is not an asset table; create it with "
            f"ml.create_asset({asset_name!r}). Asset tables: "
            f"{', '.join(sorted(t.name for t in tables))}.")

    def asset_file_path(self, asset_name: str, file_name: str | Path,
                        asset_types: list[str] | str | None = None, copy_file: bool = False,
                        rename_file: str | None = None, description: str | None = None,
                        metadata: dict[str, Any] | None = None,
                        **columns: Any) -> AssetFilePath:
        """Register an output file of asset table ``asset_name`` and return its staged path.

        ``file_name`` names a new file to write at the returned path
        (``<working_dir>/assets/<asset_name>/<file_name>``), or is the path of an existing
        file, which is staged by symlink (``copy_file=True``: copied) under ``rename_file``
        or its own name. ``asset_types`` are ``Asset_Type`` terms (default: the table name).
        Values for the asset table's own columns go in ``metadata`` or as keywords, e.g.
        ``exe.asset_file_path("Image", "mask.png", Subject="1-ABCD")``.
        """
        if not isinstance(file_name, (str, os.PathLike)):
            raise DerivaMLValidationError(
                f"file_name must be a file name such as 'model.pt' or the path of an existing "
                f"file, not {file_name!r}.")
        table = self._asset_table(asset_name)
        values = _asset_metadata(table, {**(metadata or {}), **columns})
        if asset_types is None:
            asset_types = [table.name]
        elif isinstance(asset_types, str):
            asset_types = [asset_types]
        types = self._ml._check_terms(MLVocab.asset_type, asset_types)
        staging = self.working_dir / "assets" / table.name
        source = Path(file_name).expanduser()
        if _is_file(source):
            relative = staged_name(rename_file or source.name, "rename_file")
            target = staging / relative
            self._stage_existing(source, target, copy_file)
        else:
            if source.is_absolute():
                raise DerivaMLValidationError(
                    f"{str(file_name)!r} does not exist. Give an existing file to stage it, or "
                    "a file name (such as 'model.pt') to get a path to write.")
            relative = staged_name(rename_file or file_name, "file_name")
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
        self.manifest.register(ManifestEntry(
            schema=table.schema, table=table.name,
            path=target.relative_to(self.working_dir).as_posix(), asset_types=types,
            description=description or "", metadata=values))
        return AssetFilePath(target, asset_table=table.name, asset_types=types)

    @staticmethod
    def _stage_existing(source: Path, target: Path, copy_file: bool) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() or target.is_symlink():
            if target.resolve() == source.resolve():
                return
            target.unlink()
        if not copy_file:
            try:
                target.symlink_to(source.resolve())
                return
            except OSError:
                pass
        shutil.copy2(source, target)

    def upload_execution_outputs(self, clean_folder: bool | None = None, progress: bool = True
                                 ) -> dict[str, list[AssetFilePath]]:
        """Upload the registered output files; return their paths by ``schema/table``.

        Stops a Running execution first. A Failed run stays Failed (its partial outputs are
        still uploaded); otherwise the status goes Pending_Upload, then Uploaded. Safe to call
        again after an interruption: finished files are not sent again, and an execution
        whose earlier upload failed ends Uploaded (the failure stays in ``status_history``).
        A staged file that does not exist, or a file system or network error, raises
        ``DerivaMLUploadError`` and leaves the execution Failed until an upload succeeds.

        ``clean_folder`` (None: ``ml.clean_execution_dir``, True unless the ``DerivaML`` was
        made with ``clean_execution_dir=False``), as in deriva-ml: after a successful upload,
        delete the staged output files and downloaded input assets (``assets/`` and
        ``downloaded-assets/`` of ``working_dir``; a file staged by symlink keeps its original),
        so the returned paths no longer exist. The manifest and status history stay.
        """
        if self.dry_run:
            return {}
        row = self._row()
        status = self._status_of(row)
        row = self._ml.profile.execution_view(row)
        pending = self.manifest.pending()
        features = FeatureStage(self)
        if status is Status.uploaded and not pending and not features.pending():
            return {}
        if status is Status.running:
            self.execution_stop()
        earlier = row.get("Status_Detail") or ""
        resumed = status is Status.failed and earlier.startswith(UPLOAD_FAILED)
        failed = status is Status.failed and not resumed  # the run itself failed
        if not failed:
            self.update_status(Status.pending_upload, "Uploading outputs")
        started = time.monotonic()
        try:
            result = upload_entries(self._ml.catalog, self.manifest, self.execution_rid,
                                    pending, progress=progress)
            self._check_all_uploaded(pending)
            features.flush()
        except BaseException as e:
            duration = format_duration(time.monotonic() - started)
            if failed:  # keep the run's own error visible
                self._write(Upload_Duration=duration)
                log.error("Upload of outputs of failed execution %s failed: %s",
                          self.execution_rid, e)
            else:
                self._write(Upload_Duration=duration, Status=Status.failed.value,
                            Status_Detail=f"{UPLOAD_FAILED}{type(e).__name__}: {e}")
            if isinstance(e, OSError):
                raise DerivaMLUploadError(
                    f"Uploading the outputs of execution {self.execution_rid} failed: {e}. "
                    "Files already stored stay stored: fix the cause (e.g. free disk space), "
                    f"then upload again (`derivaml upload {self.execution_rid}`, or "
                    f"ml.restore_execution({self.execution_rid!r})"
                    ".upload_execution_outputs()).") from e
            raise
        done = {} if failed else {
            "Status": Status.uploaded.value,
            "Status_Detail": f"Uploaded {sum(len(v) for v in result.values())} file(s)" + (
                f", resuming after: {earlier}" if resumed else "")}
        self._write(Upload_Duration=format_duration(time.monotonic() - started), **done)
        if self._ml.clean_execution_dir if clean_folder is None else clean_folder:
            self._clean_staged_files()
        return result

    def _clean_staged_files(self) -> None:
        """Delete the uploaded outputs and downloaded inputs (symlinks, not their targets)."""
        for folder in (self.working_dir / "assets", self.working_dir / "downloaded-assets"):
            try:
                shutil.rmtree(folder)
            except FileNotFoundError:
                pass
            except OSError as e:
                log.warning("Could not remove %s after uploading execution %s: %s", folder,
                            self.execution_rid, e)

    def _check_all_uploaded(self, entries: list[ManifestEntry]) -> None:
        """Refuse to call an upload complete while a staged file was skipped (missing)."""
        skipped = [e.path for e in self.manifest.pending(e.key for e in entries)]
        if skipped:
            raise DerivaMLUploadError(
                f"{len(skipped)} output file(s) of execution {self.execution_rid} were "
                f"registered with asset_file_path but never written, so they were not "
                f"uploaded: {', '.join(skipped)} (under {self.working_dir}). Write them, "
                "then upload again.")

    commit_output_assets = upload_execution_outputs

    def add_features(self, features: list[FeatureRecord]) -> int:
        """Stage feature records (all of one feature; ``Execution`` filled in) to be written
        by ``upload_execution_outputs`` after the output files; return how many."""
        return FeatureStage(self).add(features)

    # -- datasets and nesting ----------------------------------------------------------------
    def create_dataset(self, dataset_types: str | list[str] | None = None,
                       version: Any = None, description: str = "") -> Dataset:
        """A new dataset produced by this execution (its versions record this execution)."""
        if self.dry_run:
            raise DerivaMLException(
                "A dry run writes nothing to the catalog, so it cannot create a dataset; "
                "run without dry_run to create it.")
        return self._ml.create_dataset(dataset_types=dataset_types, description=description,
                                       execution_rid=self.execution_rid, version=version)

    def download_dataset_bag(self, spec: Any) -> Any:
        """Download a dataset version as a bag (see ``DerivaML.download_dataset_bag``)."""
        return self._ml.download_dataset_bag(spec)

    def add_nested_execution(self, child: Execution | ExecutionRecord | str,
                             sequence: int | None = None) -> None:
        """Record ``child`` (an execution or its RID) as nested in this one, e.g. one job
        of a multirun sweep; ``sequence`` orders the children."""
        if self.dry_run:
            return
        self._ml._nest_execution(self.execution_rid, _rid_of(child), sequence)

    def list_nested_executions(self) -> list[ExecutionRecord]:
        """Executions nested in this one, ordered by Sequence."""
        return self._ml.lookup_execution(self.execution_rid).list_nested_executions()

    def list_parent_executions(self) -> list[ExecutionRecord]:
        """Executions this one is nested in."""
        return self._ml.lookup_execution(self.execution_rid).list_parent_executions()


def _asset_metadata(table: Any, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` checked to be columns of the asset table the user may set."""
    own = [c.name for c in table.columns if c.name not in ASSET_FILE_COLUMNS]
    unknown = sorted(set(values) - set(own))
    if unknown:
        raise DerivaMLValidationError(
            f"{', '.join(unknown)} {'is not a column' if len(unknown) == 1 else 'are not columns'}"
            f" of asset table {table.name} that can be set here; its own columns are: "
            f"{', '.join(own) or '(none)'}.")
    return values


def _rid_of(execution: Execution | ExecutionRecord | str) -> str:
    return normalize_rid(getattr(execution, "execution_rid", execution))
