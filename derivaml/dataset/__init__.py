"""Dataset names, as ``deriva_ml.dataset`` offers them."""

from .._lazy import lazy_exports

__all__ = ["DatasetSpec", "DatasetVersion", "Dataset", "DatasetBag", "DatasetSpecConfig",
           "VersionPart", "PartitionInfo", "SelectionFunction", "SplitResult", "SubsampleResult",
           "random_split", "split_dataset", "stratified_split", "subsample"]
__getattr__, __dir__ = lazy_exports(__all__)
