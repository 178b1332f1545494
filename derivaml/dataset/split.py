"""Dataset splitting, as ``deriva_ml.dataset.split`` offers it."""

from .._lazy import lazy_exports

__all__ = ["PartitionInfo", "SelectionFunction", "SplitResult", "SubsampleResult",
           "random_split", "split_dataset", "stratified_split", "subsample"]
__getattr__, __dir__ = lazy_exports(__all__)
