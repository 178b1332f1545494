"""``UploadProgress``: deriva-ml's record of how far an upload has got, and the reporter that
feeds them to a ``progress_callback``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class UploadProgress:
    """How far an upload has got: ``commit_output_assets(progress_callback=...)`` gets one
    (phase ``Uploading``) as bytes are sent, then one per asset table (phase ``Uploaded``)."""

    file_path: str = ""
    file_name: str = ""
    bytes_completed: int = 0
    bytes_total: int = 0
    percent_complete: float = 0.0
    phase: str = ""
    message: str = ""


def progress_reporter(callback: Callable[[UploadProgress], None], files: list[Path]
                      ) -> Callable[[int], None]:
    """A function to call with each count of bytes sent (from several threads), which passes
    ``callback`` the running total over ``files``."""
    total = sum(f.stat().st_size for f in files if f.is_file())
    sent = 0
    lock = threading.Lock()

    def add(count: int) -> None:
        nonlocal sent
        with lock:
            sent += count
            done = min(sent, total)
            callback(UploadProgress(
                bytes_completed=done, bytes_total=total,
                percent_complete=100.0 * done / total if total else 100.0, phase="Uploading",
                message=f"Uploading {len(files)} file(s)"))

    return add
