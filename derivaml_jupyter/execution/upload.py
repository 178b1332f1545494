"""The output manifest of an execution and its idempotent, resumable upload.

Every file registered with ``asset_file_path`` gets a manifest entry; the manifest is an
append-only JSON-lines log in the execution's working directory, so a process killed at any
moment leaves a readable record. Upload of one entry, each step safe to repeat:

1. ``storing``: the file is being put into the object store (hashed while copied); a rerun
   that finds an entry in this state hashes the file first, so an object already stored is
   not sent again;
2. ``stored``: its URL and MD5 are known;
3. once every file is stored, per asset table and in batches of ``RECORD_BATCH``, in one
   catalog transaction: the asset rows (found by URL, else inserted), their asset types and
   their ``<Asset>_Execution`` Output links (both skipped when present), each kind of row in
   one request, so the number of catalog requests does not grow with the number of files;
4. ``done``: written after that transaction commits, with the asset RID.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..catalog.contract import Catalog
from ..core.definitions import ExecAssetType
from ..core.hashing import file_md5
from .asset_path import AssetFilePath

log = logging.getLogger("derivaml")

MANIFEST = "manifest.jsonl"
WORKERS = 4
RECORD_BATCH = 1000


@dataclass
class ManifestEntry:
    """One staged output file and how far its upload got."""

    schema: str
    table: str
    path: str  # relative to the execution's working directory
    asset_types: list[str]
    description: str = ""
    metadata: dict = field(default_factory=dict)  # values of the asset table's own columns
    state: str = "pending"  # pending, storing, stored, done
    md5: str | None = None
    length: int | None = None
    url: str | None = None
    rid: str | None = None

    @property
    def key(self) -> str:
        return self.path

    @property
    def filename(self) -> str:
        return Path(self.path).name


class Manifest:
    """The manifest of one execution: ``<working_dir>/manifest.jsonl``."""

    def __init__(self, working_dir: Path):
        self.root = Path(working_dir)
        self.path = self.root / MANIFEST
        self._lock = threading.Lock()
        self.entries: dict[str, ManifestEntry] = {}
        if self.path.exists():
            self._replay()

    def _replay(self) -> None:
        with open(self.path, encoding="utf-8") as f:
            for line in f:
                try:
                    event = json.loads(line)
                except json.JSONDecodeError:  # a line cut short by a killed process
                    continue
                self._apply(event)

    def _apply(self, event: dict) -> None:
        op = event.pop("op")
        key = event.pop("key")
        if op == "register":
            self.entries[key] = ManifestEntry(**event)
        elif key in self.entries:
            entry = self.entries[key]
            entry.state = op
            for name, value in event.items():
                setattr(entry, name, value)

    def _append(self, event: dict) -> None:
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "a+b") as f:
                f.seek(0, os.SEEK_END)
                if f.tell():
                    f.seek(-1, os.SEEK_END)
                    if f.read(1) != b"\n":  # finish a line a killed process left open
                        f.write(b"\n")
                f.write((json.dumps(event) + "\n").encode())
            self._apply(dict(event))

    def register(self, entry: ManifestEntry) -> None:
        """Add (or reset to pending) the entry for a staged file."""
        self._append({"op": "register", "key": entry.key, **asdict(entry)})

    def mark(self, key: str, state: str, **values: object) -> None:
        self._append({"op": state, "key": key, **values})

    def file(self, entry: ManifestEntry) -> Path:
        return self.root / entry.path

    def asset_path(self, entry: ManifestEntry) -> AssetFilePath:
        return AssetFilePath(self.file(entry), asset_table=entry.table,
                             asset_types=entry.asset_types, asset_rid=entry.rid)

    def pending(self, keys: Iterable[str] | None = None) -> list[ManifestEntry]:
        wanted = self.entries.keys() if keys is None else keys
        return [self.entries[k] for k in wanted if self.entries[k].state != "done"]


@dataclass
class Uploader:
    """Uploads manifest entries of execution ``execution_rid`` into ``catalog``."""

    catalog: Catalog
    manifest: Manifest
    execution_rid: str
    progress: Callable[[int], None] | None = None

    def store(self, entry: ManifestEntry) -> None:
        """Put the file into the object store unless it is already there."""
        source = self.manifest.file(entry)
        namespace = f"{entry.schema}/{entry.table}"
        if entry.state == "stored" and self.catalog.object_info(entry.url):
            if self.progress:
                self.progress(entry.length or 0)
            return
        known = entry.md5 if entry.state == "stored" else \
            file_md5(source) if entry.state == "storing" else None
        self.manifest.mark(entry.key, "storing")
        info = self.catalog.put_object(namespace, entry.filename, source, md5=known,
                                       progress=self.progress)
        self.manifest.mark(entry.key, "stored", md5=info.md5, length=info.length, url=info.url)

    def record(self, entries: list[ManifestEntry]) -> None:
        """Asset rows, asset types and Output links of stored entries of one asset table, in
        one transaction and one request per kind of row."""
        c, schema, table = self.catalog, entries[0].schema, entries[0].table
        with c.transaction():
            urls = list(dict.fromkeys(e.url for e in entries))
            rids = {r["URL"]: r["RID"] for r in c.select(
                schema, table, where={"URL": urls}, columns=["RID", "URL"])}
            new = {e.url: e for e in entries if e.url not in rids}
            inserted = c.insert(schema, table, [{
                **e.metadata, "URL": e.url, "Filename": e.filename, "Length": e.length,
                "MD5": e.md5, "Description": e.description or None,
            } for e in new.values()]) if new else []
            rids.update((row["URL"], row["RID"]) for row in inserted)
            output = ExecAssetType.output_file.value
            c.insert(schema, f"{table}_Asset_Type", [
                {table: rids[e.url], "Asset_Type": t}
                for e in entries for t in dict.fromkeys([*e.asset_types, output])],
                on_conflict_skip=True)
            c.insert(schema, f"{table}_Execution", [
                {table: rid, "Execution": self.execution_rid, "Asset_Role": "Output"}
                for rid in dict.fromkeys(rids[e.url] for e in entries)],
                on_conflict_skip=True)
        for entry in entries:
            self.manifest.mark(entry.key, "done", rid=rids[entry.url])

    def store_one(self, entry: ManifestEntry) -> ManifestEntry | None:
        """Store one entry's file; None when the staged file is gone."""
        if not self.manifest.file(entry).is_file():
            log.warning("Staged file %s is missing; it was not uploaded.",
                        self.manifest.file(entry))
            return None
        self.store(entry)
        return entry

    def run(self, entries: list[ManifestEntry]) -> dict[str, list[AssetFilePath]]:
        """Store ``entries``' files (4 in parallel), then record them; return the uploaded
        paths by ``schema/table``."""
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            stored = [e for e in pool.map(self.store_one, entries) if e is not None]
        by_table: dict[str, list[ManifestEntry]] = {}
        for entry in stored:
            by_table.setdefault(f"{entry.schema}/{entry.table}", []).append(entry)
        for group in by_table.values():
            for start in range(0, len(group), RECORD_BATCH):
                self.record(group[start:start + RECORD_BATCH])
        return {key: [self.manifest.asset_path(e) for e in group]
                for key, group in by_table.items()}


def upload_entries(catalog: Catalog, manifest: Manifest, execution_rid: str,
                   entries: list[ManifestEntry], progress: bool = True
                   ) -> dict[str, list[AssetFilePath]]:
    """Upload ``entries`` with a progress bar over their total bytes (shown on a terminal)."""
    from tqdm.auto import tqdm

    files = [manifest.file(e) for e in entries]
    total = sum(f.stat().st_size for f in files if f.is_file())
    with tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024,
              desc="Uploading outputs", disable=None if progress else True) as bar:
        return Uploader(catalog, manifest, execution_rid, bar.update).run(entries)
