"""deriva-ml's data types of file uploads: ``UploadState``, ``FileUploadState`` and the
``UploadCallback`` protocol of ``progress_callback`` functions.

Uploads here go through the execution's own resumable manifest (``execution/upload.py``);
``commit_output_assets(progress_callback=...)`` calls an ``UploadCallback`` with
``UploadProgress`` records. ``UploadState`` and ``FileUploadState`` are the plain data types
deriva-ml exports with them, for code that builds or inspects them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..execution.progress import UploadProgress


class UploadState(Enum):
    """The states of a file upload."""

    success = 0
    failed = 1
    pending = 2
    running = 3
    paused = 4
    aborted = 5
    cancelled = 6
    timeout = 7


@dataclass(kw_only=True)
class FileUploadState:
    """The outcome of one file's upload: its ``state``, a ``status`` message and the
    ``result`` (the catalog row made for it, if any)."""

    state: UploadState
    status: str
    result: Any

    @property
    def rid(self) -> str | None:
        """The RID of the row the upload made, if any."""
        return self.result["RID"] if self.result else None


class UploadCallback(Protocol):
    """A ``progress_callback``: called with an ``UploadProgress`` as an upload goes on.

    Example::

        def show(progress: UploadProgress) -> None:
            print(f"{progress.phase}: {progress.percent_complete:.0f}%")

        execution.commit_output_assets(progress_callback=show)
    """

    def __call__(self, progress: UploadProgress) -> None: ...
