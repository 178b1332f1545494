"""Small real stand-ins for what the execution examples call but do not define: image
processing, a "model" with ``state_dict()``, a training loop and ``torch.save``.

They do real work on real files (read the bag's images, write the saved model), so an
example using them fails if the files it is given are not there.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from types import SimpleNamespace
from typing import Any


class TinyModel:
    """A "model": named weights, with ``state_dict()`` as a torch module has."""

    def __init__(self, **weights: float):
        self.weights = {"bias": 0.0, "epochs": 0, **weights}

    def state_dict(self) -> dict[str, float]:
        return dict(self.weights)


def _save(obj: Any, path: str | Path) -> None:
    Path(path).write_bytes(pickle.dumps(obj))


# ``torch.save(obj, path)``: pickles ``obj`` to ``path``.
torch = SimpleNamespace(save=_save)


def process_image(path: str | Path) -> int:
    """Read an image file (it must exist locally); return its size in bytes."""
    return len(Path(path).read_bytes())


def train_model(images: list[dict]) -> TinyModel:
    """"Train" on image rows whose ``Filename`` is a local file."""
    total = sum(process_image(img["Filename"]) for img in images)
    return TinyModel(bias=total / max(len(images), 1), images=len(images))


def ResNet50() -> TinyModel:  # noqa: N802 - the name the example uses
    return TinyModel()


def load_data() -> list[float]:
    return [0.5, 1.5, 2.5]


def create_dataloader(bag: Any) -> list[bytes]:
    """The bytes of every image of a downloaded dataset bag."""
    return [Path(img["Filename"]).read_bytes() for img in bag.list_dataset_members()["Image"]]


def train_epoch(model: TinyModel, data: list) -> float:
    """One "epoch": move the bias towards the data; return the loss."""
    model.weights["epochs"] += 1
    model.weights["bias"] += 0.1 * len(data)
    return 1.0 / model.weights["epochs"]


def process_data(input_data: list[dict]) -> list[str]:
    """"Process" member rows; return the RIDs of the processed items."""
    return [row["RID"] for row in input_data]
