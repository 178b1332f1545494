"""A digits classifier: scikit-learn logistic regression on the demo's 8x8 digit images."""

from __future__ import annotations

import json
import pickle

import numpy as np
from matplotlib.image import imread
from sklearn.linear_model import LogisticRegression

from derivaml import DerivaML, Execution, Status


def grayscale(path: str) -> np.ndarray:
    """The pixels of an image file as one flat grayscale vector."""
    image = imread(path)
    return (image[..., :3].mean(axis=2) if image.ndim == 3 else image).ravel()


def load_images(bag) -> tuple[np.ndarray, np.ndarray]:
    """Pixels (one row per image) and labels of the images of a dataset bag."""
    images = bag.list_dataset_members(recurse=True).get("Image", [])
    pixels = np.array([grayscale(row["Filename"]) for row in images])
    labels = np.array([int(row["Label"]) for row in images])
    return pixels, labels


def train_digits(
    learning_rate: float = 1.0,
    epochs: int = 200,
    ml_instance: DerivaML | None = None,
    execution: Execution | None = None,
) -> None:
    """Train on the Training dataset, score on the Testing dataset, save model and metrics.

    ``learning_rate`` is the inverse regularization strength C; ``epochs`` the solver's
    iteration limit.
    """
    bags = {t: bag for bag in execution.datasets for t in bag.dataset_types}
    x_train, y_train = load_images(bags["Training"])
    x_test, y_test = load_images(bags["Testing"])
    execution.update_status(Status.running, f"Training on {len(y_train)} images")
    model = LogisticRegression(C=learning_rate, max_iter=epochs)
    model.fit(x_train, y_train)
    accuracy = float(model.score(x_test, y_test))
    execution.update_status(Status.running, f"Test accuracy {accuracy:.3f}")

    model_path = execution.asset_file_path("Execution_Asset", "digits_model.pkl",
                                           asset_types=["Model_File"])
    model_path.write_bytes(pickle.dumps(model))
    metrics_path = execution.asset_file_path("Execution_Metadata", "metrics.json",
                                             asset_types=["Metrics_File"])
    metrics_path.write_text(json.dumps({
        "accuracy": accuracy, "learning_rate": learning_rate, "epochs": epochs,
        "train_size": int(len(y_train)), "test_size": int(len(y_test)),
    }, indent=2))
    print(f"accuracy={accuracy:.4f}")
