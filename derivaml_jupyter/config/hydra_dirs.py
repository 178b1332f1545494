"""Where Hydra writes its run and sweep folders: under the DerivaML working area, not the
current directory."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from ..catalog.connect import derivaml_home


def hydra_root() -> Path:
    """``$DERIVAML_HOME/work/hydra``."""
    return derivaml_home() / "work" / "hydra"


def _stamp() -> str:
    return f"{datetime.now():%Y-%m-%d_%H-%M-%S-%f}_{os.getpid()}"


def new_run_dir(kind: str) -> Path:
    """A fresh folder for one run, e.g. ``.../hydra/<kind>/2025-01-31_12-00-00-123456_42``."""
    return hydra_root() / kind / _stamp()


def new_sweep_dir(kind: str) -> Path:
    """A fresh folder for one sweep; Hydra puts each job in ``<sweep>/<job number>``."""
    return hydra_root() / f"{kind}-sweep" / _stamp()


def dir_overrides(run_dir: Path, sweep_dir: Path | None = None) -> list[str]:
    """Hydra overrides that put the run (and sweep) folders at the given paths."""
    overrides = [f"hydra.run.dir={_quote(run_dir)}"]
    if sweep_dir is not None:
        overrides.append(f"hydra.sweep.dir={_quote(sweep_dir)}")
    return overrides


def _quote(path: Path) -> str:
    escaped = str(path).replace("'", "\\'")
    return f"'{escaped}'"
