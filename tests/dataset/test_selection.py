"""Partition sizes and the selection functions behind ``split_dataset`` (no catalog)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from derivaml.dataset.split import SelectionFunction, random_split, stratified_split
from derivaml_jupyter.core.errors import DerivaMLValidationError
from derivaml_jupyter.dataset.selection import _resolve_sizes, ordered_split


@pytest.mark.parametrize("total, kwargs, expected", [
    (100, {"test_size": 0.2}, {"Training": 80, "Testing": 20}),
    (100, {"test_size": 30}, {"Training": 70, "Testing": 30}),
    (100, {"test_size": 20.0}, {"Training": 80, "Testing": 20}),
    (10, {"test_size": 0.3}, {"Training": 7, "Testing": 3}),
    (100, {"test_size": 0.3, "train_size": 0.5}, {"Training": 50, "Testing": 30}),
    (100, {"test_size": 0.2, "train_size": 50}, {"Training": 50, "Testing": 20}),
    (100, {"test_size": 0.2, "val_size": 0.1}, {"Training": 70, "Testing": 20, "Validation": 10}),
    (100, {"test_size": 0.1, "val_size": 10}, {"Training": 80, "Testing": 10, "Validation": 10}),
    (2, {"test_size": 1, "train_size": 1}, {"Training": 1, "Testing": 1}),
])
def test_sizes_are_fractions_or_counts_with_training_the_rest(total, kwargs, expected):
    sizes = _resolve_sizes(total, **kwargs)
    assert sizes == expected
    assert list(sizes) == list(expected)  # Training, Testing, Validation: the cutting order


@pytest.mark.parametrize("kwargs, message", [
    ({"test_size": 60, "train_size": 60}, r"train_size=60 \+ test_size=60 = 120 exceeds total "
                                          r"dataset size of 100"),
    ({"test_size": 0.7, "val_size": 0.5}, r"test_size=70 \+ val_size=50 = 120 leaves no records "
                                          r"for training out of 100"),
    ({"test_size": 0.0}, r"test_size must be a float in \(0, 1\) or an int >= 1, got 0\.0"),
    ({"test_size": -0.1}, "test_size must be"),
    ({"test_size": 0.2, "val_size": -5}, "val_size must be"),
    ({"test_size": 0.001}, "Testing set must have at least 1 sample, got 0 of 100"),
])
def test_sizes_that_do_not_add_up_are_one_line_errors(kwargs, message):
    with pytest.raises(DerivaMLValidationError, match=message) as raised:
        _resolve_sizes(100, **kwargs)
    assert "\n" not in str(raised.value)


def test_random_split_cuts_one_seeded_shuffle_in_partition_order():
    df = pd.DataFrame({"x": range(20)})
    parts = random_split(df, {"Training": 12, "Testing": 5, "Validation": 3}, seed=7)
    order = np.arange(20)
    np.random.default_rng(7).shuffle(order)
    assert [list(p) for p in parts.values()] == [list(order[:12]), list(order[12:17]),
                                                 list(order[17:])]
    assert list(random_split(df, {"Training": 12, "Testing": 5}, seed=8)["Testing"]) != \
        list(order[12:17])
    assert [list(p) for p in ordered_split(df, {"Training": 2, "Testing": 3}, 0).values()] == \
        [[0, 1], [2, 3, 4]]


def labelled(counts: dict[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"T.label": [k for k, n in counts.items() for _ in range(n)]})


def mix(df: pd.DataFrame, positions) -> dict[str, int]:
    return df["T.label"].iloc[list(positions)].value_counts().to_dict()


def test_stratified_split_keeps_every_class_share_in_every_partition():
    df = labelled({"A": 30, "B": 30, "C": 30, "D": 10})
    sizes = {"Training": 60, "Validation": 20, "Testing": 20}
    parts = stratified_split("T.label")(df, sizes, seed=1)
    assert {k: len(v) for k, v in parts.items()} == sizes
    assert mix(df, parts["Training"]) == {"A": 18, "B": 18, "C": 18, "D": 6}
    assert mix(df, parts["Testing"]) == mix(df, parts["Validation"]) == \
        {"A": 6, "B": 6, "C": 6, "D": 2}
    everything = np.concatenate(list(parts.values()))
    assert sorted(everything) == list(range(100))


def test_stratified_split_rounds_so_the_sizes_are_exact():
    df = labelled({"A": 7, "B": 5, "C": 1})
    for seed in range(20):
        parts = stratified_split("T.label")(df, {"Training": 9, "Testing": 4}, seed)
        assert len(parts["Training"]) == 9 and len(parts["Testing"]) == 4
        assert not set(parts["Training"]) & set(parts["Testing"])
        test_mix = mix(df, parts["Testing"])
        assert 2 <= test_mix.get("A", 0) <= 3 and 1 <= test_mix.get("B", 0) <= 2


def test_stratified_subset_of_the_rows_keeps_the_mix():
    df = labelled({"A": 60, "B": 40})
    parts = stratified_split("T.label")(df, {"Training": 20, "Testing": 10}, seed=3)
    assert mix(df, parts["Training"]) == {"A": 12, "B": 8}
    assert mix(df, parts["Testing"]) == {"A": 6, "B": 4}


def test_stratified_split_is_reproducible_by_seed():
    df = labelled({"A": 50, "B": 50})
    select = stratified_split("T.label")
    first = select(df, {"Training": 70, "Testing": 30}, seed=42)
    again = select(df, {"Training": 70, "Testing": 30}, seed=42)
    other = select(df, {"Training": 70, "Testing": 30}, seed=43)
    assert all(list(first[k]) == list(again[k]) for k in first)
    assert list(first["Testing"]) != list(other["Testing"])
    assert isinstance(select, SelectionFunction)


def with_nulls() -> pd.DataFrame:
    df = labelled({"A": 40, "B": 40})
    return pd.concat([df, pd.DataFrame({"T.label": [None] * 20})], ignore_index=True)


def test_missing_classes_error_by_default_and_can_be_dropped_or_kept():
    df = with_nulls()
    with pytest.raises(DerivaMLValidationError,
                       match=r"'T.label' has 20 missing values \(20.0% of 100 rows\)"):
        stratified_split("T.label")(df, {"Training": 70, "Testing": 30}, 0)
    dropped = stratified_split("T.label", "drop")(df, {"Training": 56, "Testing": 24}, 0)
    assert not set(np.concatenate(list(dropped.values()))) & set(range(80, 100))
    with pytest.raises(DerivaMLValidationError, match=r"Requested 100 samples but dataset "
                                                      r"has 80 records \(after dropping 20"):
        stratified_split("T.label", "drop")(df, {"Training": 70, "Testing": 30}, 0)
    kept = stratified_split("T.label", "include")(df, {"Training": 70, "Testing": 30}, 0)
    assert len(set(kept["Testing"]) & set(range(80, 100))) == 6
    with pytest.raises(DerivaMLValidationError, match="missing must be"):
        stratified_split("T.label", "ignore")


def test_unknown_stratify_column_lists_the_columns():
    with pytest.raises(DerivaMLValidationError,
                       match=r"Column 'T.colour' not found .* Available columns: \['T.label'\]"):
        stratified_split("T.colour")(labelled({"A": 4}), {"Training": 3, "Testing": 1}, 0)
