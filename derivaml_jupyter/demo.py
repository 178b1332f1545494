"""Demo data: the scikit-learn digits (1797 labelled 8x8 images, shipped inside scikit-learn).

``load_demo_data(ml)`` stores each image as a PNG in an ``Image`` asset table and builds four
datasets, each released at version 1.0.0: ``Complete`` (every image), ``Training`` and
``Testing`` (a deterministic 80/20 split: every fifth image is for testing) and ``Split``
(holding the two as nested datasets). Loading is idempotent and resumable: a second call
finds what is there and adds nothing.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .core.definitions import ML_SCHEMA
from .core.errors import DerivaMLException
from .dataset.spec import DatasetVersion

if TYPE_CHECKING:
    from .ml import DerivaML

IMAGE_TABLE = "Image"
DEMO_PREFIX = "Digits demo"
RELEASE = DatasetVersion("1.0.0")
SCALE = 4  # 8x8 pixels -> 32x32 PNG
STORE_WORKERS = 4  # images stored at once (on a server each is a round trip or two)
TEST_EVERY = 5  # image i goes to Testing when i % TEST_EVERY == TEST_EVERY - 1

# Dataset key -> (Dataset_Type terms, description). Creation order matters: Split comes last.
DATASETS: dict[str, tuple[list[str], str]] = {
    "Complete": (["Complete", "Labeled"], f"{DEMO_PREFIX}: all digit images."),
    "Training": (["Training", "Labeled"], f"{DEMO_PREFIX}: training images (80%)."),
    "Testing": (["Testing", "Labeled"], f"{DEMO_PREFIX}: testing images (20%)."),
    "Split": (["Split"], f"{DEMO_PREFIX}: the Training and Testing datasets."),
}


def find_demo_data(ml: DerivaML) -> dict[str, str]:
    """RIDs of the demo datasets already in the catalog, by key (``Complete``...)."""
    by_description = {r["Description"]: r["RID"]
                      for r in ml.catalog.iter_rows(ML_SCHEMA, "Dataset")
                      if not r["Deleted"]}
    return {key: by_description[description] for key, (_, description) in DATASETS.items()
            if description in by_description}


def demo_loaded(ml: DerivaML) -> bool:
    """True when every demo dataset exists and is released at version 1.0.0."""
    found = find_demo_data(ml)
    return len(found) == len(DATASETS) and all(
        ml.current_dataset_version(rid) >= RELEASE for rid in found.values())


def load_demo_data(ml: DerivaML, progress: bool = True) -> dict[str, str]:
    """Load the digits demo into ``ml``'s catalog; return the dataset RIDs by key
    (``Complete``, ``Training``, ``Testing``, ``Split``).

    Example::

        rids = load_demo_data(DerivaML())
        ml.list_dataset_members(rids["Training"])["Image"][:3]
    """
    require_demo_extra()
    images = store_digit_images(ml, progress=progress)
    testing = images[TEST_EVERY - 1::TEST_EVERY]
    training = [rid for i, rid in enumerate(images) if i % TEST_EVERY != TEST_EVERY - 1]
    found = find_demo_data(ml)
    members = {"Complete": images, "Training": training, "Testing": testing}
    rids: dict[str, str] = {}
    for key, (types, description) in DATASETS.items():
        rid = found.get(key) or ml.create_dataset(types, description=description).rid
        if ml.current_dataset_version(rid) < RELEASE:
            content = members[key] if key in members else [rids["Training"], rids["Testing"]]
            ml.add_dataset_members(rid, content)
            ml.increment_dataset_version(rid, "major", f"{DEMO_PREFIX} release.")
        rids[key] = rid
    return rids


def require_demo_extra() -> None:
    """Fail before anything is written when the ``demo`` extra's packages are missing."""
    import importlib

    for module, package in (("sklearn", "scikit-learn"), ("PIL", "pillow")):
        try:
            importlib.import_module(module)
        except ImportError:
            raise DerivaMLException(
                f"The demo data needs {package}, which is not installed: install the demo "
                "extra with `pip install 'derivaml-jupyter[demo]'` and run it again.") from None


def store_digit_images(ml: DerivaML, progress: bool = True) -> list[str]:
    """Make sure every digit image is a row of the ``Image`` asset table (created if missing);
    return the RIDs in the order of ``sklearn.datasets.load_digits()``."""
    from sklearn.datasets import load_digits
    from tqdm.auto import tqdm

    model = ml.catalog.model()
    if not model.has_table(ml.domain_schema, IMAGE_TABLE):
        ml.create_asset(IMAGE_TABLE, {"Label": "int4"},
                        comment="Scikit-learn digit images, 32x32 PNG.")
    ml.add_dataset_element_type(IMAGE_TABLE)
    digits = load_digits()
    names = [f"digit_{i:04d}.png" for i in range(len(digits.images))]
    existing = {r["Filename"]: r["RID"] for r in ml.catalog.iter_rows(
        ml.domain_schema, IMAGE_TABLE, where={"Filename": names})}
    with tempfile.TemporaryDirectory(prefix="derivaml-demo-") as tmp:
        write = _png_writer()

        def store(i: int) -> dict:
            path = Path(tmp) / names[i]
            write(digits.images[i], path)
            info = ml.catalog.put_object(f"{ml.domain_schema}/{IMAGE_TABLE}", names[i], path)
            return {"URL": info.url, "Filename": names[i], "Length": info.length,
                    "MD5": info.md5, "Label": int(digits.target[i]),
                    "Description": f"Handwritten digit {digits.target[i]}."}

        todo = [i for i, name in enumerate(names) if name not in existing]
        with ThreadPoolExecutor(max_workers=STORE_WORKERS) as pool:
            rows = list(tqdm(pool.map(store, todo), total=len(todo), unit="image",
                             desc="Storing digit images", disable=not progress or not todo))
    for row in ml.catalog.insert(ml.domain_schema, IMAGE_TABLE, rows, on_conflict_skip=True):
        existing[row["Filename"]] = row["RID"]
    return [existing[name] for name in names]


def _png_writer() -> Callable[[Any, Path], None]:
    """A function writing an 8x8 digit (values 0..16) as a grey PNG scaled to 32x32."""
    import numpy as np
    from PIL import Image

    def write(pixels: Any, path: Path) -> None:
        grey = (255 - np.asarray(pixels) * (255 / 16)).astype(np.uint8)
        Image.fromarray(grey.repeat(SCALE, 0).repeat(SCALE, 1)).save(path)

    return write
