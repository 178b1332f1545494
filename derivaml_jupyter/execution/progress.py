"""``UploadProgress``: deriva-ml's record of one file's upload progress."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class UploadProgress:
    """How far the upload of one file has got.

    deriva-ml passes these to a ``progress_callback``; uploads here show a progress bar
    (``upload_execution_outputs(progress=True)``) and take no callback, so nothing here
    makes them: the type exists for code that builds or annotates with it.
    """

    file_path: str = ""
    file_name: str = ""
    bytes_completed: int = 0
    bytes_total: int = 0
    percent_complete: float = 0.0
    phase: str = ""
    message: str = ""
