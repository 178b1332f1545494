"""``FileAPI``: deriva-ml's ``File`` table methods of ``DerivaML`` — references to files
the catalog does not store (URL, MD5, length), grouped into datasets that mirror their
directories.

Example::

    with ml.create_execution(config) as exe:
        root = exe.add_files(FileSpec.create_filespecs("data/raw", "Raw scans"))
    ml.list_files(["File"])
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable
from itertools import islice
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..core.definitions import ML_SCHEMA, MLVocab
from ..core.errors import DerivaMLValidationError
from ..core.filespec import FileSpec

if TYPE_CHECKING:
    from ..dataset.dataset import Dataset

# Dataset types of every dataset add_files makes.
FILE_DATASET_TYPES = ("File", "Directory")


class FileAPI:
    """Mixed into ``DerivaML`` (through ``AssetAPI``)."""

    def add_files(self, files: Iterable[FileSpec | dict], execution_rid: str,
                  dataset_types: str | list[str] | None = None, description: str = "",
                  chunk_size: int = 500, *, root_name: str | None = None) -> Dataset:
        """Record ``files`` (``FileSpec``s, or dicts of their fields) in the ``File`` table,
        with their ``Asset_Type`` terms, ``chunk_size`` at a time (a generator is read
        once); return a dataset of them made by execution ``execution_rid``, with one
        nested dataset per directory, and record it as read by that execution.

        Every dataset made has the ``Dataset_Type`` terms File, Directory and
        ``dataset_types``. The root's description is ``root_name``, else its directory's
        name; the others' is ``description``.
        """
        execution_rid = self._execution_row(execution_rid)["RID"]
        extra = [dataset_types] if isinstance(dataset_types, str) else list(dataset_types or [])
        types = self._check_terms(MLVocab.dataset_type, dict.fromkeys([*FILE_DATASET_TYPES,
                                                                       *extra]))
        by_folder: dict[PurePosixPath, list[str]] = defaultdict(list)
        files = iter(files)
        while batch := list(islice(files, chunk_size)):
            specs = [f if isinstance(f, FileSpec) else FileSpec.from_mapping(f) for f in batch]
            for spec, rid in zip(specs, self._insert_files(specs)):
                by_folder[_url_path(spec).parent].append(rid)
        if not by_folder:
            raise DerivaMLValidationError("add_files received no files to add.")
        root, folders = _folder_tree(by_folder)
        root_description = root_name or root.name or description or "root"
        datasets = {folder: self.create_dataset(
            types, root_description if folder == root else description,
            execution_rid=execution_rid) for folder in folders}
        for folder in sorted(folders, key=lambda f: len(f.parts), reverse=True):
            children = [d.dataset_rid for f, d in datasets.items()
                        if f != folder and f.parent == folder]
            members = {"File": by_folder.get(folder, []), "Dataset": children}
            datasets[folder].add_dataset_members(
                {k: v for k, v in members.items() if v}, validate=False,
                execution_rid=execution_rid)
        top = datasets[root]
        self.catalog.insert(ML_SCHEMA, "Dataset_Execution", [
            self.profile.dataset_execution_row(
                top.dataset_rid, execution_rid,
                self.dataset_version_record(top.dataset_rid)["RID"])], on_conflict_skip=True)
        return top

    def _insert_files(self, specs: list[FileSpec]) -> list[str]:
        """RIDs of new ``File`` rows of ``specs``, tagged with their file types."""
        names = sorted({t for s in specs for t in s.file_types})
        canonical = dict(zip(names, self._check_terms(MLVocab.asset_type, names)))
        with self.catalog.transaction():
            rows = self.catalog.insert(ML_SCHEMA, "File", [
                {"URL": s.url, "Filename": _url_path(s).name, "Length": s.length,
                 "MD5": s.md5, "Description": s.description} for s in specs])
            types = [{"File": row["RID"], MLVocab.asset_type: canonical[t]}
                     for row, s in zip(rows, specs) for t in dict.fromkeys(s.file_types)]
            if types:
                self.catalog.insert(ML_SCHEMA, "File_Asset_Type", types)
        return [row["RID"] for row in rows]

    def list_files(self, file_types: list[str] | None = None) -> list[dict[str, Any]]:
        """The ``File`` rows (RID, URL, MD5, Length, Description) with their ``File_Types``
        (``Asset_Type`` terms); only those with one of ``file_types`` if given."""
        links: dict[str, list[str]] = defaultdict(list)
        for r in self.catalog.select(ML_SCHEMA, "File_Asset_Type", sort=["RID"]):
            links[r["File"]].append(r[MLVocab.asset_type])
        wanted = None if file_types is None else set(
            self._check_terms(MLVocab.asset_type, file_types))
        return [{**{c: row[c] for c in ("RID", "URL", "MD5", "Length", "Description")},
                 "File_Types": links.get(row["RID"], [])}
                for row in self.catalog.select(ML_SCHEMA, "File", sort=["RID"])
                if wanted is None or wanted & set(links.get(row["RID"], []))]


def _url_path(spec: FileSpec) -> PurePosixPath:
    """The path of a file's URL, absolute: a ``tag:`` URL's ``file://`` path parses with
    extra leading slashes, which are dropped."""
    return PurePosixPath(re.sub(r"^/+", "/", os.path.normpath(urlsplit(spec.url).path)))


def _folder_tree(folders: Iterable[PurePosixPath]) -> tuple[PurePosixPath, set[PurePosixPath]]:
    """The common folder of ``folders`` and every folder from it down to each of them."""
    folders = list(folders)
    root = PurePosixPath(os.path.commonpath([str(f) for f in folders]))
    tree = {root}
    for folder in folders:
        while folder != root:
            tree.add(folder)
            folder = folder.parent
    return root, tree
