"""Whether a run's process group is still alive, and ending it: SIGTERM, then SIGKILL for what
outlives a grace period. Processes that have ended but are not yet reaped (zombies) count as
gone."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

PROC = Path("/proc")


def group_alive(pgid: int) -> bool:
    """Whether any live process is in group ``pgid`` (its leader is reaped first if it is a
    child of this process)."""
    try:
        os.waitpid(pgid, os.WNOHANG)
    except ChildProcessError:
        pass
    if not PROC.is_dir():  # no /proc: zombies cannot be told apart
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # ended while we looked
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def end_group(pgid: int, grace: float = 5.0) -> None:
    """SIGTERM to group ``pgid``; SIGKILL to what is left of it after ``grace`` seconds."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not group_alive(pgid):
                return
            time.sleep(0.05)
