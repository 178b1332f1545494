"""A bag's elements as a PyTorch or TensorFlow dataset (``DatasetBag.as_torch_dataset``,
``as_tf_dataset``), with deriva-ml's parameters. torch and tensorflow are optional
(``pip install 'derivaml-jupyter[torch]'`` / ``[tf]``) and imported only here, when called.

``ElementSamples`` does the work without either framework: item ``i`` is
``(sample, rid)``, or ``(sample, target, rid)`` when ``targets`` are given, where ``sample`` is
``transform(sample_loader(path, row))`` (``path``: the element's file for an asset table,
else None; without a loader a non-asset element's sample is its row) and ``target`` is
``target_transform`` of its ``FeatureRecord`` (one target), ``{feature: record}`` (several) or
None (unlabelled, with ``missing="unknown"``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import DerivaMLException
from .bag_catalog import asset_relpath
from .targets import Targets, check_missing, element_rows, resolve_targets

if TYPE_CHECKING:
    from .dataset_bag import DatasetBag

SampleLoader = Callable[[Path | None, dict[str, Any]], Any]


def _framework(module: str, extra: str, package: str) -> Any:
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"{package} is not installed; install it with: pip install "
            f"'derivaml-jupyter[{extra}]' (or pip install {package}).") from e


class ElementSamples:
    """The samples of ``element_type``'s rows in ``bag``, indexable and iterable."""

    def __init__(self, bag: DatasetBag, element_type: str, *,
                 sample_loader: SampleLoader | None = None,
                 transform: Callable[[Any], Any] | None = None, targets: Targets = None,
                 target_transform: Callable[..., Any] | None = None, missing: str = "error",
                 reachable: bool = True):
        check_missing(missing)
        self._table = bag._find(element_type)
        self._is_asset = self._table.kind == "asset"
        if self._is_asset and sample_loader is None:
            raise DerivaMLException(
                f"{self._table.name} is an asset table: pass sample_loader=(path, row) -> "
                "sample, e.g. lambda path, row: PIL.Image.open(path), nibabel.load(path), "
                "h5py.File(path), or path.read_bytes() for the raw bytes.")
        self._data = bag.path / "data"
        self._loader, self._transform = sample_loader, transform
        self._targets, self._target_transform = targets, target_transform
        rows = element_rows(bag, self._table.name, reachable)
        self._labels = resolve_targets(bag, self._table.name, [r["RID"] for r in rows],
                                       targets, missing) if targets else {}
        self._rows = [r for r in rows if not targets or r["RID"] in self._labels]

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: int) -> tuple:
        row = self._rows[index]
        path = None
        if self._is_asset:
            path = self._data / asset_relpath(self._table, row)
            if not path.is_file():
                raise FileNotFoundError(
                    f"{path}: the bag lacks this file; call bag.materialize() first.")
        sample = self._loader(path, row) if self._loader else row
        if self._transform is not None:
            sample = self._transform(sample)
        if not self._targets:
            return sample, row["RID"]
        target = self._labels[row["RID"]]
        if self._target_transform is not None:
            target = self._target_transform(target)
        return sample, target, row["RID"]

    def __iter__(self) -> Iterator[tuple]:
        return (self[i] for i in range(len(self)))


def as_torch_dataset(bag: DatasetBag, element_type: str, **options: Any) -> Any:
    """A ``torch.utils.data.Dataset`` of ``ElementSamples(bag, element_type, **options)``."""
    data = _framework("torch.utils.data", "torch", "torch")

    class BagTorchDataset(data.Dataset):
        def __init__(self, samples: ElementSamples):
            self.samples = samples

        def __len__(self) -> int:
            return len(self.samples)

        def __getitem__(self, index: int) -> tuple:
            return self.samples[index]

    return BagTorchDataset(ElementSamples(bag, element_type, **options))


def as_tf_dataset(bag: DatasetBag, element_type: str, output_signature: Any = None,
                  **options: Any) -> Any:
    """An unbatched ``tf.data.Dataset`` of ``ElementSamples(bag, element_type, **options)``;
    without ``output_signature`` it is inferred from the first element."""
    tf = _framework("tensorflow", "tf", "tensorflow")
    samples = ElementSamples(bag, element_type, **options)
    if output_signature is None:
        if not len(samples):
            raise DerivaMLException(
                f"The bag has no {element_type} elements to infer output_signature from; "
                "pass output_signature=.")
        output_signature = tf.nest.map_structure(tf.type_spec_from_value, samples[0])
    return tf.data.Dataset.from_generator(lambda: iter(samples),
                                          output_signature=output_signature)
