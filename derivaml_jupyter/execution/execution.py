"""``Execution``: one run of a workflow — its status and timing, staged outputs and upload.

Made by ``ml.create_execution(config)`` or, as in deriva-ml, ``Execution(config, ml)``; an
existing one by ``ml.restore_execution(rid)`` or ``Execution(config, ml, reload=rid)``.

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
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from ..asset.asset_record import metadata_columns
from ..core.definitions import ML_SCHEMA, ExecMetadataType, MLAsset, MLVocab, Status
from ..core.errors import DerivaMLException, DerivaMLUploadError, DerivaMLValidationError
from ..core.filenames import check_name_part
from ..core.rid import normalize_rid
from ..feature.staging import FeatureStage
from . import opening
from .asset_path import AssetFilePath
from .configuration import ExecutionConfiguration
from .pending import PendingSummary
from .progress import UploadProgress, progress_reporter
from .records import ExecutionRecord
from .status_log import append_status, read_status_history, recorded_status_history
from .table_rows import insert_staged_rows, staged_table_files, table_file
from .timing import format_duration, now_iso
from .upload import Manifest, ManifestEntry, Uploader, upload_entries

if TYPE_CHECKING:
    from ..asset.asset_record import AssetRecord
    from ..asset.record import Asset
    from ..dataset.dataset import Dataset
    from ..feature.record import FeatureRecord
    from ..ml import DerivaML
    from .workflow import Workflow

log = logging.getLogger("derivaml")

# Status_Detail of an execution whose upload failed (the run itself did not).
UPLOAD_FAILED = "Upload failed: "
# Statuses an ``error`` of ``update_status`` belongs to.
TERMINAL = (Status.failed, Status.aborted)


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

    def __init__(self, configuration: ExecutionConfiguration | None, ml_object: DerivaML,
                 workflow: Workflow | None = None, reload: str | None = None,
                 dry_run: bool = False):
        """Record a new execution of ``configuration`` (status Created; ``workflow``, if
        given, replaces the configuration's) and download its inputs, or, with ``reload``
        (an execution's RID), bind to that existing execution. ``dry_run``: RID ``"0000"``,
        inputs downloaded, nothing written to the catalog."""
        if reload is not None:
            opening.reload(self, ml_object, reload, configuration)
        else:
            opening.start(self, ml_object, configuration, workflow, dry_run)

    def _bind(self, ml: DerivaML, configuration: ExecutionConfiguration, execution_rid: str,
              workflow_rid: str | None, dry_run: bool = False) -> None:
        """Set the state of the execution ``execution_rid`` (its catalog row exists)."""
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
        self._datasets: list[Any] | None = None
        self.asset_paths: dict[str, list[AssetFilePath]] = {}
        self._status = Status.created
        self._detail: str | None = None
        self._start_time: datetime | None = None

    @classmethod
    def from_registry(cls, *, ml_object: DerivaML, execution_rid: str) -> Execution:
        """The existing execution ``execution_rid``, as deriva-ml's ``resume_execution``
        binds it: its configuration read back from the catalog, its staged files from this
        machine (the same as ``ml.restore_execution(execution_rid)``)."""
        return cls(None, ml_object, reload=execution_rid)

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
            self._detail = columns.get("Status_Detail")
        if not self.dry_run:
            self._ml.catalog.update(ML_SCHEMA, "Execution", [{
                "RID": self.execution_rid, **self._ml.profile.execution_values(**columns)}])
            if "Status" in columns:
                append_status(self.working_dir, columns["Status"], columns.get("Status_Detail"))

    @property
    def error(self) -> str | None:
        """Why a Failed or Aborted execution ended (its ``Status_Detail``); else None."""
        if self.dry_run:
            return self._detail if self._status in TERMINAL else None
        view = self._ml.profile.execution_view(self._row())
        return view["Status_Detail"] if self._status_of(view) in TERMINAL else None

    def _time(self, column: str) -> datetime | None:
        if self.dry_run:
            return self._start_time if column == "Start_Time" else None
        value = self._ml.profile.execution_view(self._row())[column]
        return datetime.fromisoformat(value) if isinstance(value, str) else value

    @property
    def start_time(self) -> datetime | None:
        """When the execution started running (None before)."""
        return self._time("Start_Time")

    @property
    def stop_time(self) -> datetime | None:
        """When the execution stopped or failed (None before)."""
        return self._time("Stop_Time")

    @property
    def uploaded_assets(self) -> dict[str, list[AssetFilePath]]:
        """The output files uploaded so far, by ``schema/table``, with their asset RIDs."""
        done: dict[str, list[AssetFilePath]] = {}
        for entry in self.manifest.entries.values():
            if entry.state == "done":
                done.setdefault(f"{entry.schema}/{entry.table}", []).append(
                    self.manifest.asset_path(entry))
        return done

    @property
    def execution_record(self) -> ExecutionRecord | None:
        """What the catalog records about this execution (None for a dry run)."""
        return None if self.dry_run else self._ml.lookup_execution(self.execution_rid)

    @property
    def datasets(self) -> list[Any]:
        """The bags of the configured input datasets (of an execution bound again by
        ``reload``, downloaded when first read, as deriva-ml does when it reloads)."""
        if self._datasets is None:
            self._datasets = [self._ml.download_dataset_bag(spec)
                              for spec in self.configuration.datasets]
        return self._datasets

    @datasets.setter
    def datasets(self, bags: list[Any]) -> None:
        self._datasets = list(bags)

    @property
    def dataset_rids(self) -> list[str]:
        """RIDs of the configured input datasets."""
        return [d.rid for d in self.configuration.datasets]

    @property
    def catalog(self) -> DerivaML:
        """The ``DerivaML`` this execution belongs to (deriva-ml's name for it)."""
        return self._ml

    @property
    def status_history(self) -> list[dict]:
        """``{"time", "status", "detail"}`` of each status this execution was given, oldest
        first: an upload that failed and was resumed shows both. Read from this machine's
        log, else from the ``status_history.jsonl`` file ``derivaml push`` recorded with it."""
        return read_status_history(self.working_dir) or \
            recorded_status_history(self._ml.catalog, self.execution_rid)

    def update_status(self, target: Status | str, message: str = "", *,
                      error: str | None = None) -> None:
        """Set the status ``target`` and a progress message (``Status_Detail``); ``error``,
        as in deriva-ml, is the message of a Failed or Aborted status (it is logged and not
        recorded for any other).

        Example: ``exe.update_status(Status.running, "Epoch 3/10 done")``,
        ``exe.update_status(Status.failed, error="Network timeout")``.
        """
        status = self._ml.profile.parse_status(target)
        if error is not None and status not in TERMINAL:
            log.warning("error= is for a Failed or Aborted status, not %s; not recorded: %s",
                        status.value, error)
        elif error is not None:
            message = f"{message}: {error}" if message else error
        self._write(Status=status.value, Status_Detail=message)

    def abort(self) -> None:
        """Mark the execution Aborted (from any status but Uploaded); its staged files stay,
        to upload later or delete. Nothing happens for a dry run."""
        if self.dry_run:
            return
        if self.status is Status.uploaded:
            raise DerivaMLValidationError(
                f"Execution {self.execution_rid} is Uploaded, which is final; it cannot be "
                "aborted.")
        self.update_status(Status.aborted, "Execution aborted")

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
                        rename_file: str | None = None,
                        metadata: AssetRecord | dict[str, Any] | None = None,
                        description: str | None = None, **columns: Any) -> AssetFilePath:
        """Register an output file of asset table ``asset_name`` and return its staged path.

        ``file_name`` names a new file to write at the returned path
        (``<working_dir>/assets/<asset_name>/<file_name>``), or is the path of an existing
        file, which is staged by symlink (``copy_file=True``: copied) under ``rename_file``
        or its own name. ``asset_types`` are ``Asset_Type`` terms (default: the table name).
        Values for the asset table's own columns go in ``metadata`` (a dict or an
        ``AssetRecord`` of ``ml.asset_record_class(asset_name)``) or as keywords, e.g.
        ``exe.asset_file_path("Image", "mask.png", Subject="1-ABCD")``.
        """
        if not isinstance(file_name, (str, os.PathLike)):
            raise DerivaMLValidationError(
                f"file_name must be a file name such as 'model.pt' or the path of an existing "
                f"file, not {file_name!r}.")
        table = self._asset_table(asset_name)
        if hasattr(metadata, "model_dump"):  # an AssetRecord
            metadata = metadata.model_dump(exclude_none=True)
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
        key = target.relative_to(self.working_dir).as_posix()
        self.manifest.register(ManifestEntry(
            schema=table.schema, table=table.name, path=key, asset_types=types,
            description=description or "", metadata=values))
        return AssetFilePath(target, table.name, target.name, values, types)._bind_manifest(
            self.manifest, key, lambda names: self._ml._check_terms(MLVocab.asset_type, names))

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

    def upload_execution_outputs(
            self, clean_folder: bool | None = None,
            progress_callback: Callable[[UploadProgress], None] | None = None,
            progress: bool = True) -> dict[str, list[AssetFilePath]]:
        """Upload the registered output files, then insert the rows staged with
        ``table_path``; return the files' paths by ``schema/table``.

        Stops a Running execution first. A Failed run stays Failed (its partial outputs are
        still uploaded); otherwise the status goes Pending_Upload, then Uploaded. Safe to call
        again after an interruption: finished files are not sent again, and an execution
        whose earlier upload failed ends Uploaded (the failure stays in ``status_history``).
        A staged file that does not exist, or a file system or network error, raises
        ``DerivaMLUploadError`` and leaves the execution Failed until an upload succeeds.

        ``clean_folder`` (None: ``ml.clean_execution_dir``, True unless the ``DerivaML`` was
        made with ``clean_execution_dir=False``), as in deriva-ml: after a successful upload,
        delete the staged output files, rows and downloaded input assets (``assets/``,
        ``table/`` and ``downloaded-assets/`` of ``working_dir``; a file staged by symlink
        keeps its original),
        so the returned paths no longer exist. The manifest and status history stay.

        ``progress_callback`` (deriva-ml's) is called with an ``UploadProgress`` as bytes are
        sent and once the files are stored; ``progress`` shows a progress bar instead.
        """
        if self.dry_run:
            return {}
        row = self._row()
        status = self._status_of(row)
        row = self._ml.profile.execution_view(row)
        pending = self.manifest.pending()
        features = FeatureStage(self)
        if status is Status.uploaded and not pending and not features.pending() and \
                not staged_table_files(self.working_dir):
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
            result = self._upload(pending, progress, progress_callback)
            self._check_all_uploaded(pending)
            insert_staged_rows(self._ml.catalog, self.working_dir)
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

    def _upload(self, pending: list[ManifestEntry], progress: bool,
                callback: Callable[[UploadProgress], None] | None
                ) -> dict[str, list[AssetFilePath]]:
        if callback is None:
            return upload_entries(self._ml.catalog, self.manifest, self.execution_rid,
                                  pending, progress=progress)
        report = progress_reporter(callback, [self.manifest.file(e) for e in pending])
        result = Uploader(self._ml.catalog, self.manifest, self.execution_rid,
                          report).run(pending)
        for key, paths in result.items():
            callback(UploadProgress(file_name=key.split("/")[-1], percent_complete=100.0,
                                    phase="Uploaded", message=f"{key}: {len(paths)} file(s)"))
        return result

    def _clean_staged_files(self) -> None:
        """Delete the uploaded outputs, staged rows and downloaded inputs (symlinks, not
        their targets)."""
        for folder in (self.working_dir / "assets", self.working_dir / "downloaded-assets",
                       self.working_dir / "table"):
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

    def download_asset(self, asset_rid: str, dest_dir: str | Path, update_catalog: bool = True,
                       use_cache: bool = False) -> AssetFilePath:
        """Download asset ``asset_rid`` to ``dest_dir/<Filename>`` (replacing a file there),
        its MD5 checked, and, with ``update_catalog``, record it as an ``Input`` of this
        execution tagged ``Input_File``. ``use_cache``: keep one copy per RID and MD5 under
        ``ml.cache_dir/assets`` and link it into ``dest_dir``. Returns its path, with its asset
        table, types, RID and (as in deriva-ml) ``file_name`` the downloaded file's path."""
        from ..core.definitions import ExecAssetType

        ml = self._ml
        found = ml.catalog.resolve_rid(normalize_rid(asset_rid))
        if ml.catalog.model().table(found.schema, found.table).kind != "asset":
            raise DerivaMLValidationError(
                f"RID {asset_rid} is a row of {found.table}, not of an asset table: "
                "download_asset takes the RID of an asset (ml.find_assets() lists them).")
        row, table = found.row, found.table
        dest = Path(dest_dir).expanduser() / (row["Filename"] or row["URL"].rsplit("/", 1)[-1])
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.unlink(missing_ok=True)
        source = dest
        if use_cache and row["MD5"]:
            source = ml.cache_dir / "assets" / f"{row['RID']}_{row['MD5']}" / dest.name
        if not source.exists():
            info = ml.catalog.get_object(row["URL"], source)
            if row["MD5"] and info.md5 != row["MD5"]:
                source.unlink()
                raise DerivaMLValidationError(
                    f"{row['URL']} has MD5 {info.md5}, but asset {row['RID']} records "
                    f"{row['MD5']}.")
        if source != dest:
            dest.symlink_to(source)
        if update_catalog and not self.dry_run:
            ml.catalog.insert(found.schema, f"{table}_Execution", [{
                table: row["RID"], "Execution": self.execution_rid, "Asset_Role": "Input"}],
                on_conflict_skip=True)
            ml.lookup_asset(row["RID"]).add_asset_type(ExecAssetType.input_file)
        types = [r[MLVocab.asset_type] for r in ml.catalog.select(
            found.schema, f"{table}_Asset_Type", where={table: row["RID"]})]
        return AssetFilePath(dest, asset_table=table, file_name=dest, asset_types=types,
                             asset_rid=row["RID"])

    def add_features(self, features: list[FeatureRecord]) -> int:
        """Stage feature records (all of one feature; ``Execution`` filled in) to be written
        by ``upload_execution_outputs`` after the output files; return how many."""
        return FeatureStage(self).add(features)

    # -- datasets and nesting ----------------------------------------------------------------
    def create_dataset(self, dataset_types: str | list[str] | None = None,
                       version: Any = None, description: str = "") -> Dataset:
        """A new dataset produced by this execution (its versions record this execution)."""
        self._refuse_dry_run("create a dataset")
        return self._ml.create_dataset(dataset_types=dataset_types, description=description,
                                       execution_rid=self.execution_rid, version=version)

    def _refuse_dry_run(self, what: str) -> None:
        if self.dry_run:
            raise DerivaMLException(
                f"A dry run writes nothing to the catalog, so it cannot {what}; run without "
                "dry_run.")

    def download_dataset_bag(self, dataset: Any) -> Any:
        """Download a dataset version as a bag (see ``DerivaML.download_dataset_bag``)."""
        return self._ml.download_dataset_bag(dataset)

    def add_nested_execution(self, nested_execution: Execution | ExecutionRecord | str,
                             sequence: int | None = None) -> None:
        """Record ``nested_execution`` (an execution or its RID) as nested in this one, e.g.
        one job of a multirun sweep; ``sequence`` orders the children."""
        if self.dry_run:
            return
        self._ml._nest_execution(self.execution_rid, _rid_of(nested_execution), sequence)

    def list_nested_executions(self) -> list[ExecutionRecord]:
        """Executions nested in this one, ordered by Sequence."""
        return self._ml.lookup_execution(self.execution_rid).list_nested_executions()

    def list_parent_executions(self) -> list[ExecutionRecord]:
        """Executions this one is nested in."""
        return self._ml.lookup_execution(self.execution_rid).list_parent_executions()

    def _record(self, what: str) -> ExecutionRecord:
        if self.dry_run:
            raise DerivaMLException(
                f"{what} reads the catalog's record of the execution, and a dry run has none; "
                "run without dry_run.")
        return self._ml.lookup_execution(self.execution_rid)

    def is_nested(self) -> bool:
        """Whether this execution is nested in another (not for a dry run)."""
        return self._record("is_nested").is_nested()

    def is_parent(self) -> bool:
        """Whether other executions are nested in this one (not for a dry run)."""
        return self._record("is_parent").is_parent()

    def list_input_datasets(self) -> list[Dataset]:
        """The datasets this execution read (none for a dry run)."""
        return [] if self.dry_run else self._record("").list_input_datasets()

    def list_assets(self, asset_role: str | None = None) -> list[Asset]:
        """The assets linked to this execution (``asset_role``: only ``Input`` or ``Output``
        ones); none for a dry run."""
        return [] if self.dry_run else self._record("").list_assets(asset_role)

    def add_input_dataset(self, dataset_rid: str, version: Any = None) -> None:
        """Record dataset ``dataset_rid`` (at ``version``, if given) as read by this execution,
        without downloading it; once only. Nothing is written for a dry run."""
        rid = self._ml._dataset_row(dataset_rid, deleted=True)["RID"]
        version_rid = None if version is None else \
            self._ml.dataset_version_record(rid, version)["RID"]
        if self.dry_run or self._ml.catalog.count(
                ML_SCHEMA, "Dataset_Execution",
                where={"Dataset": rid, "Execution": self.execution_rid}):
            return
        self._ml.catalog.insert(ML_SCHEMA, "Dataset_Execution", [
            self._ml.profile.dataset_execution_row(rid, self.execution_rid, version_rid)])

    def add_files(self, files: Iterable[Any], dataset_types: str | list[str] | None = None,
                  description: str = "", chunk_size: int = 500, *,
                  root_name: str | None = None) -> Dataset:
        """Record ``files`` (``FileSpec``s) in the ``File`` table as read by this execution:
        a dataset of them by directory (see ``DerivaML.add_files``)."""
        self._refuse_dry_run("record files")
        return self._ml.add_files(files, self.execution_rid, dataset_types, description,
                                  chunk_size, root_name=root_name)

    def table_path(self, table: str) -> Path:
        """The CSV file in which to stage rows of domain table ``table`` (a header line of
        column names, then a row a line); ``upload_execution_outputs`` inserts them after
        the output files, once.

        Example::

            with exe.table_path("Measurement").open("w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=["Subject", "Score"])
                writer.writeheader()
                writer.writerow({"Subject": "1-ABC", "Score": 0.95})
        """
        t = self._ml.find_table(table)
        if t.schema not in self._ml.domain_schemas:
            raise DerivaMLValidationError(
                f"Table {table} is in schema {t.schema}, not in a domain schema "
                f"({', '.join(self._ml.domain_schemas)}): table_path stages rows of domain "
                "tables only.")
        return table_file(self.working_dir, t)

    def metrics_file(self, filename: str = "metrics.jsonl") -> AssetFilePath:
        """The path of a metrics file (an ``Execution_Metadata`` asset of type
        ``Metrics_File``) to write or append to; the same path for the same ``filename``.

        Example::

            with exe.metrics_file().open("a") as f:
                f.write(json.dumps({"epoch": 3, "loss": 0.2}) + "\\n")
        """
        table = MLAsset.execution_metadata.value
        key = f"assets/{table}/{staged_name(filename, 'filename')}"
        entry = self.manifest.entries.get(key)
        if entry is not None and entry.state == "pending":
            return self.manifest.asset_path(entry)
        return self.asset_file_path(table, filename,
                                    asset_types=[ExecMetadataType.metrics_file])

    def pending_summary(self) -> PendingSummary:
        """What this execution still has to upload: its staged files, by asset table."""
        return PendingSummary.from_manifest(self.execution_rid, self.working_dir)


def _asset_metadata(table: Any, values: dict[str, Any]) -> dict[str, Any]:
    """``values`` checked to be columns of the asset table the user may set."""
    own = metadata_columns(table)
    unknown = sorted(set(values) - set(own))
    if unknown:
        raise DerivaMLValidationError(
            f"{', '.join(unknown)} {'is not a column' if len(unknown) == 1 else 'are not columns'}"
            f" of asset table {table.name} that can be set here; its own columns are: "
            f"{', '.join(own) or '(none)'}.")
    return values


def _rid_of(execution: Execution | ExecutionRecord | str) -> str:
    return normalize_rid(getattr(execution, "execution_rid", execution))
