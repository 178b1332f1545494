"""Feature records staged by an execution and written when its outputs are uploaded.

``exe.add_features(records)`` checks the records and appends them to
``<working_dir>/features.jsonl``; ``upload_execution_outputs`` writes them after the output
files (asset paths replaced by the uploaded assets' RIDs) and moves them to
``features.uploaded.jsonl``. Writing skips rows already there, so an interrupted upload can
simply be run again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import DerivaMLNotFound, DerivaMLValidationError
from .record import FeatureRecord

if TYPE_CHECKING:
    from ..execution.execution import Execution

STAGED = "features.jsonl"
UPLOADED = "features.uploaded.jsonl"


class FeatureStage:
    """The staged feature records of one execution."""

    def __init__(self, exe: Execution):
        self.exe = exe
        self.path = exe.working_dir / STAGED

    def add(self, features: list[FeatureRecord]) -> int:
        """Check and stage ``features`` (all of one feature); return how many."""
        if not features:
            raise ValueError("features list must not be empty")
        wrong = [f for f in features if not isinstance(f, FeatureRecord)
                 or type(f).feature is None]
        if wrong:
            raise DerivaMLValidationError(
                f"add_features takes records made with ml.feature_record_class(...), not "
                f"{wrong[0]!r}.")
        feature_tables = {type(f).feature.feature_table.name for f in features}
        if len(feature_tables) > 1:
            raise DerivaMLValidationError(
                f"add_features called with records of {len(feature_tables)} different features "
                f"({', '.join(sorted(feature_tables))}); all records must share one feature.")
        feature = type(features[0]).feature
        for f in features:
            if f.Execution is None:
                f.Execution = self.exe.execution_rid
        rows = [self._row(f.model_dump()) for f in features]
        self._check_references(feature, rows)
        table = feature.feature_table
        with open(self.path, "a", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps({"schema": table.schema, "table": table.name,
                                      "row": row}) + "\n")
        return len(features)

    def _row(self, values: dict[str, Any]) -> dict[str, Any]:
        values.pop("RCT", None)
        return {k: str(v) if isinstance(v, Path) else v for k, v in values.items()}

    def _check_references(self, feature, rows: list[dict]) -> None:
        """Required columns set; target rows and asset RIDs exist; asset paths staged."""
        catalog = self.exe._ml.catalog
        required = [c.name for c in feature.feature_columns if not c.nullok]
        for row in rows:
            missing = [c for c in required if row.get(c) is None]
            if missing:
                raise DerivaMLValidationError(
                    f"A {feature.feature_name} record for {row[feature.target_table.name]} "
                    f"lacks {', '.join(missing)}, which the feature requires.")
        staged = self._staged_files()
        checks = [(feature.target_table, feature.target_table.name)]
        model = catalog.model()
        for c in feature.asset_columns:
            fk = next(fk for fk in feature.feature_table.foreign_keys if fk.columns == (c.name,))
            checks.append((model.table(fk.pk_schema, fk.pk_table), c.name))
        for table, column in checks:
            values = {row[column] for row in rows if row.get(column) is not None}
            if column != feature.target_table.name:
                paths = {v for v in values if _is_path(v)}
                unstaged = sorted(p for p in paths if staged.get(os.path.abspath(p))
                                  != table.name)
                if unstaged:
                    raise DerivaMLValidationError(
                        f"{column} file(s) {unstaged} are not outputs of this execution; "
                        f"register them with exe.asset_file_path({table.name!r}, ...) first.")
                values -= paths
            found = {r["RID"] for r in catalog.select(table.schema, table.name,
                                                     where={"RID": sorted(values)},
                                                     columns=["RID"])} if values else set()
            if values - found:
                raise DerivaMLNotFound(
                    f"{column} RID(s) {sorted(values - found)} are not rows of {table.name}.")

    def _staged_files(self) -> dict[str, str]:
        """Absolute path of each output file registered in the manifest -> its asset table."""
        manifest = self.exe.manifest
        return {os.path.abspath(manifest.file(e)): e.table for e in manifest.entries.values()}

    def pending(self) -> bool:
        return self.path.exists()

    def flush(self) -> int:
        """Write the staged records (asset paths -> uploaded RIDs); return how many."""
        if not self.path.exists():
            return 0
        manifest = self.exe.manifest
        rids = {os.path.abspath(manifest.file(e)): e.rid for e in manifest.entries.values()}
        lines = [json.loads(line) for line in self.path.read_text("utf-8").splitlines() if line]
        catalog = self.exe._ml.catalog
        by_table: dict[tuple[str, str], list[dict]] = {}
        for item in lines:
            row = {k: _uploaded_rid(v, rids) for k, v in item["row"].items()}
            by_table.setdefault((item["schema"], item["table"]), []).append(row)
        with catalog.transaction():
            for (schema, table), rows in by_table.items():
                catalog.insert(schema, table, rows, on_conflict_skip=True)
        with open(self.exe.working_dir / UPLOADED, "a", encoding="utf-8") as done:
            done.write(self.path.read_text("utf-8"))
        self.path.unlink()
        return len(lines)


def _is_path(value: Any) -> bool:
    return isinstance(value, str) and ("/" in value or os.sep in value)


def _uploaded_rid(value: Any, rids: dict[str, str | None]) -> Any:
    if not _is_path(value):
        return value
    rid = rids.get(os.path.abspath(value))
    if rid is None:
        raise DerivaMLValidationError(
            f"The output file {value} of a feature record was not uploaded; check that it "
            "exists and run upload_execution_outputs() again.")
    return rid
