"""Choosing which members go into which partition: partition sizes and selection functions.

A selection function takes a DataFrame with one row per candidate member, the wanted
partition sizes (``{"Training": 80, "Testing": 20}``) and a seed, and returns each
partition's row positions. Pure numpy/pandas (imported when called), so splitting needs no
scikit-learn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from ..core.errors import DerivaMLValidationError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

MISSING_CLASS = "__missing__"
MissingPolicy = Literal["error", "drop", "include"]


@runtime_checkable
class SelectionFunction(Protocol):
    """``(df, partition_sizes, seed) -> {partition name: row positions in df}``."""

    def __call__(self, df: pd.DataFrame, partition_sizes: dict[str, int],
                 seed: int) -> dict[str, np.ndarray]: ...


def _resolve_sizes(total: int, test_size: float | int, train_size: float | int | None = None,
                   val_size: float | int | None = None) -> dict[str, int]:
    """Partition sizes as counts, ``{"Training", "Testing"[, "Validation"]}``.

    A float in (0, 1) is a fraction of ``total`` (rounded), a number >= 1 a count; Training
    defaults to what Testing and Validation leave.
    """

    def count(size: float | int, name: str) -> int:
        if isinstance(size, float) and 0 < size < 1:
            return int(round(total * size))
        if isinstance(size, int | float) and size >= 1:
            return int(size)
        raise DerivaMLValidationError(
            f"{name} must be a float in (0, 1) or an int >= 1, got {size}")

    sizes = {"Testing": count(test_size, "test_size")}
    if val_size is not None:
        sizes["Validation"] = count(val_size, "val_size")
    held_out = " + ".join(f"{'val' if n == 'Validation' else 'test'}_size={k}"
                          for n, k in sizes.items())
    if train_size is None:
        training = total - sum(sizes.values())
        if training <= 0:
            raise DerivaMLValidationError(
                f"{held_out} = {sum(sizes.values())} leaves no records for training out of "
                f"{total}")
    else:
        training = count(train_size, "train_size")
    requested = training + sum(sizes.values())
    if requested > total:
        raise DerivaMLValidationError(
            f"Requested train_size={training} + {held_out} = {requested} exceeds total "
            f"dataset size of {total}")
    for name, n in sizes.items():
        if n <= 0:
            raise DerivaMLValidationError(
                f"{name} set must have at least 1 sample, got {n} of {total}")
    return {"Training": training, **sizes}


def _slices(order: np.ndarray, partition_sizes: dict[str, int]) -> dict[str, np.ndarray]:
    """Consecutive chunks of ``order``, one per partition, in ``partition_sizes`` order."""
    result, start = {}, 0
    for name, size in partition_sizes.items():
        result[name] = order[start:start + size]
        start += size
    return result


def random_split(df: pd.DataFrame, partition_sizes: dict[str, int],
                 seed: int) -> dict[str, np.ndarray]:
    """Shuffle the rows with ``numpy.random.default_rng(seed)`` and cut them into partitions
    (the default selection of ``split_dataset``)."""
    import numpy as np

    order = np.arange(len(df))
    np.random.default_rng(seed).shuffle(order)
    return _slices(order, partition_sizes)


def ordered_split(df: pd.DataFrame, partition_sizes: dict[str, int],
                  seed: int) -> dict[str, np.ndarray]:
    """Cut the rows into partitions in their order (``shuffle=False``); ``seed`` is unused."""
    import numpy as np

    return _slices(np.arange(len(df)), partition_sizes)


def stratified_split(stratify_column: str, missing: MissingPolicy = "error"
                     ) -> SelectionFunction:
    """A selection function keeping the class mix of ``stratify_column`` in every partition.

    ``missing`` says what to do with rows whose class is null: ``"error"`` (raise),
    ``"drop"`` (leave them out) or ``"include"`` (a class of their own, ``"__missing__"``).

    Example::

        select = stratified_split("Image.Label")
        select(df, {"Training": 80, "Testing": 20}, seed=42)["Testing"]  # row positions
    """
    if missing not in ("error", "drop", "include"):
        raise DerivaMLValidationError(
            f"missing must be 'error', 'drop', or 'include', got {missing!r}")

    def select(df: pd.DataFrame, partition_sizes: dict[str, int],
               seed: int) -> dict[str, np.ndarray]:
        import numpy as np

        labels = _stratify_labels(df, stratify_column, missing)
        positions = np.flatnonzero(labels.notna().to_numpy())
        wanted = sum(partition_sizes.values())
        if wanted > len(positions):
            dropped = len(df) - len(positions)
            raise DerivaMLValidationError(
                f"Requested {wanted} samples but dataset has {len(positions)} records"
                + (f" (after dropping {dropped} with a missing {stratify_column})"
                   if dropped else ""))
        rest = {"": len(positions) - wanted} if wanted < len(positions) else {}
        parts = _stratify(labels.iloc[positions], {**partition_sizes, **rest},
                          np.random.default_rng(seed))
        return {name: positions[parts[name]] for name in partition_sizes}

    return select


def require_column(df: pd.DataFrame, column: str) -> None:
    """Raise, listing the columns there are, if ``df`` has no ``column``."""
    if column not in df.columns:
        raise DerivaMLValidationError(
            f"Column '{column}' not found in denormalized DataFrame. Available columns: "
            f"{[c for c in df.columns if not c.startswith('_')]}")


def _stratify_labels(df: pd.DataFrame, column: str, missing: MissingPolicy) -> pd.Series:
    """The class of each row; null where a row is to be left out."""
    require_column(df, column)
    labels = df[column]
    nulls = int(labels.isna().sum())
    if nulls and missing == "error":
        raise DerivaMLValidationError(
            f"Column '{column}' has {nulls} missing values ({nulls / len(df):.1%} of "
            f"{len(df)} rows). Use stratify_missing='drop' to exclude these rows, or "
            "'include' to treat nulls as a separate class.")
    if nulls and missing == "include":
        labels = labels.astype(object).where(labels.notna(), MISSING_CLASS)
    return labels


def _stratify(labels: pd.Series, sizes: dict[str, int],
              rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Positions in ``labels`` per partition (``sizes`` sum to ``len(labels)``): each
    partition gets its share of every class, rounded by largest remainder; the largest
    partition takes what is left, so the counts add up exactly."""
    import numpy as np
    import pandas as pd

    codes, classes = pd.factorize(labels)
    left = np.bincount(codes, minlength=len(classes))
    names = sorted(sizes, key=lambda n: sizes[n])
    shares = {}
    for name in names[:-1]:
        shares[name] = _apportion(sizes[name], left, rng)
        left = left - shares[name]
    shares[names[-1]] = left
    result: dict[str, list] = {name: [] for name in sizes}
    for c in range(len(classes)):
        members = rng.permutation(np.flatnonzero(codes == c))
        start = 0
        for name in sizes:
            n = int(shares[name][c])
            result[name].extend(members[start:start + n])
            start += n
    return {name: np.sort(np.asarray(rows, dtype=int)) for name, rows in result.items()}


def _apportion(n: int, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """``n`` split over classes in proportion to ``counts`` (largest remainder, ties broken at
    random); never more than a class has."""
    import numpy as np

    if not n:
        return np.zeros_like(counts)
    total = int(counts.sum())
    share, remainder = np.divmod(n * counts, total)
    short = n - int(share.sum())
    order = np.lexsort((rng.random(len(counts)), -remainder))
    share[order[:short]] += 1
    return share
