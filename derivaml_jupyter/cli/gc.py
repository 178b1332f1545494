"""``derivaml gc``: remove what killed writers left under ``$DERIVAML_HOME`` — ``.partial-*``
files of objects being stored in local catalogs, and ``.partial-*`` folders of bags being
downloaded or of files being fetched into a bag — never one a live writer still holds (see
``core.partials``)."""

from __future__ import annotations

import argparse
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
