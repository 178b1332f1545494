"""The BagIt tag files of a dataset bag, written from what the catalog already knows.

A bag's payload is its table files, hashed as they are written, and its asset files, whose
MD5 and length the catalog recorded: nothing is read back. The files are those bdbag made
here for a BagIt 0.97 bag with an MD5 manifest (the catalog records MD5s), which ``bdbag
--validate full`` checks: ``bagit.txt``, ``bag-info.txt`` (with ``Payload-Oxum``),
``manifest-md5.txt``, ``fetch.txt`` (where each asset file comes from) and
``tagmanifest-md5.txt``. Paths are escaped as bagit-python and bdbag read them: in manifests
CR and LF become ``%0D`` and ``%0A``; in ``fetch.txt`` ``%`` also becomes ``%25`` (the path is
URL-unquoted when read) and spaces and tabs in URLs become ``%20`` and ``%09``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

BAGIT_VERSION = "0.97"
BDBAG_PROFILE = "https://raw.githubusercontent.com/fair-research/bdbag/master/profiles/bdbag-profile.json"
MANIFEST = "manifest-md5.txt"
FETCH = "fetch.txt"


@dataclass(frozen=True)
class PayloadFile:
    """A file of the bag's payload: ``path`` relative to ``data/``, its MD5 and length, and
    for an asset file the ``url`` it is fetched from."""

    path: str
    md5: str
    length: int
    url: str | None = None


def write_payload(data_dir: Path, path: str, content: bytes) -> PayloadFile:
    """Write ``content`` to ``data_dir/path`` (its folder made if missing)."""
    target = data_dir / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    return PayloadFile(path, hashlib.md5(content).hexdigest(), len(content))


def manifest_path(path: str) -> str:
    """``path`` as a manifest line holds it."""
    return path.replace("\r", "%0D").replace("\n", "%0A")


def fetch_path(path: str) -> str:
    """``path`` as a ``fetch.txt`` line holds it."""
    return path.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def fetch_url(url: str) -> str:
    """``url`` as a ``fetch.txt`` line holds it."""
    return url.replace(" ", "%20").replace("\t", "%09")


def fetched_paths(bag: Path) -> list[str]:
    """The paths, relative to the bag, of the files the bag's ``fetch.txt`` lists."""
    try:
        text = (bag / FETCH).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    return [unquote(fields[2]) for line in text.splitlines()
            if len(fields := line.strip().split(None, 2)) == 3]


def write_bag_files(root: Path, payload: Iterable[PayloadFile], info: Mapping[str, str]) -> None:
    """Write the tag files of the bag at ``root``, whose ``data/`` holds (or will, once
    fetched) the files of ``payload``; ``info`` goes into ``bag-info.txt``."""
    from .. import __version__

    files = sorted(payload, key=lambda f: f.path)
    remote = [f for f in files if f.url is not None]
    now = datetime.now(UTC)
    info = {"BagIt-Profile-Identifier": BDBAG_PROFILE,
            "Bag-Software-Agent": f"derivaml-jupyter {__version__}",
            "Bagging-Date": now.strftime("%Y-%m-%d"), "Bagging-Time": now.strftime("%H:%M:%S UTC"),
            **info,
            "Payload-Oxum": f"{sum(f.length for f in files)}.{len(files)}"}
    tags = {
        "bagit.txt": f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": "".join(f"{key}: {_one_line(info[key])}\n" for key in sorted(info)),
        MANIFEST: "".join(f"{f.md5}  {manifest_path('data/' + f.path)}\n" for f in files),
    }
    if remote:
        tags[FETCH] = "".join(f"{fetch_url(f.url)}\t{f.length}\t{fetch_path('data/' + f.path)}\n"
                              for f in remote)
    digests = []
    for name, text in tags.items():
        content = text.encode("utf-8")
        (root / name).write_bytes(content)
        digests.append(f"{hashlib.md5(content).hexdigest()} {name}\n")
    (root / "tagmanifest-md5.txt").write_text("".join(digests), encoding="utf-8")


def _one_line(value: object) -> str:
    """A ``bag-info.txt`` value: line breaks would end it, so they are dropped."""
    return str(value).replace("\r", "").replace("\n", "")
