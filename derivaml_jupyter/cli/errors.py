"""How the console scripts end: a DerivaML error is one line on stderr and exit status 1."""

from __future__ import annotations

import sys
from collections.abc import Callable

from ..core.errors import DerivaMLException


def run_command(prog: str, action: Callable[[], object]) -> int:
    """Run ``action``; 0 when it succeeds, 1 after printing ``<prog>: error: <message>`` for a
    ``DerivaMLException``, 130 when interrupted."""
    try:
        action()
    except DerivaMLException as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    return 0
