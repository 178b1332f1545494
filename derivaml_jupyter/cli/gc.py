"""``derivaml gc``: remove what killed writers left under ``$DERIVAML_HOME`` — ``.partial-*``
files of objects being stored in local catalogs, and ``.partial-*`` folders of bags being
downloaded or of files being fetched into a bag — never one a live writer still holds (see
``core.partials``); and forget the headless runs started from Jupyter that ended more than
``--runs-older-than`` days ago, with their logs."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ..catalog.connect import derivaml_home
from ..core.partials import PREFIX, remove_if_abandoned


def leftovers(home: Path) -> list[Path]:
    """Every ``.partial-*`` object file, bag folder and folder of a file being fetched into a
    bag under ``home``, live or not."""
    objects = (home / "catalogs").glob(f"*/hatrac/**/{PREFIX}*")
    bags = home / "work"
    return sorted({*objects, *bags.glob(f"*/*/cache/bags/{PREFIX}*"),
                   *bags.glob(f"*/*/cache/bags/*/data/asset/*/*/{PREFIX}*")})


def cmd_gc(_: None, args: argparse.Namespace) -> None:
    """Remove (``--dry-run``: list) the leftovers of killed writers, with their bytes."""
    home = derivaml_home()
    verb = "would remove" if args.dry_run else "removed"
    count = total = in_use = 0
    for path in leftovers(home):
        size = remove_if_abandoned(path, dry_run=args.dry_run)
        if size is None:
            in_use += 1
            continue
        count, total = count + 1, total + size
        print(f"{verb} {path.relative_to(home)} ({size} bytes)")
    skipped = f"; {in_use} in use by a running writer, left alone" if in_use else ""
    print(f"{verb.capitalize()} {count} leftover(s), {total} bytes, under {home}{skipped}.")
    prune_runs(home, args.runs_older_than, args.dry_run)


def prune_runs(home: Path, days: float, dry_run: bool) -> None:
    """Forget (``dry_run``: list) the runs that ended over ``days`` days ago, and delete
    their logs."""
    store_path = home / "runs" / "runs.sqlite"
    if not store_path.is_file():
        return
    from ..runners.run_store import RunStore

    store = RunStore(store_path)
    old = store.ended_before(time.time() - days * 86400)
    logs = [Path(run["log_path"]) for run in old if run["log_path"]]
    size = sum(log.stat().st_size for log in logs if log.is_file())
    if not dry_run:
        for log in logs:
            log.unlink(missing_ok=True)
        store.forget([run["id"] for run in old])
    verb = "Would forget" if dry_run else "Forgot"
    print(f"{verb} {len(old)} run(s) that ended over {days:g} days ago, and {size} bytes of "
          "their logs.")
