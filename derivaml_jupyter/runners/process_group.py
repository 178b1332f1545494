"""Whether a run's process group is still alive, and ending it: SIGTERM, then SIGKILL for what
outlives a grace period. Processes that have ended but are not yet reaped (zombies) count as
gone."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

PROC = Path("/proc")


def _boot_id() -> str:
    return (PROC / "sys/kernel/random/boot_id").read_text().strip()


def leader_key(pid: int) -> str | None:
    """What tells process ``pid`` apart from a later one given the same number: this boot's id
    and its start time (None without /proc)."""
    try:
        started = (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[19]
        return f"{_boot_id()}:{started}"
    except (OSError, IndexError):
        return None


def group_alive(pgid: int, key: str | None = None) -> bool:
    """Whether any live process is in group ``pgid`` whose leader had ``leader_key`` ``key``.
    After a reboot, or once the leader's number belongs to another process, the group is not
    the one started."""
    if not PROC.is_dir():  # no /proc: zombies cannot be told apart
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    if key is not None and (not key.startswith(f"{_boot_id()}:") or
                            leader_key(pgid) not in (None, key)):
        return False
    for stat in PROC.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # ended while we looked
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def end_group(pgid: int, key: str | None = None, grace: float = 5.0) -> None:
    """SIGTERM to group ``pgid`` (if still the one whose leader had ``key``); SIGKILL to what
    is left of it after ``grace`` seconds."""
    if not group_alive(pgid, key):
        return
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
