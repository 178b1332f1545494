"""Times and durations as an execution's row records them."""

from __future__ import annotations

from datetime import UTC, datetime


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def format_duration(seconds: float) -> str:
    """``3723.25`` -> ``"1H 2min 3.25sec"``."""
    hours, rest = divmod(max(seconds, 0.0), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours)}H {int(minutes)}min {secs:.2f}sec"
