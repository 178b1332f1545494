"""The named multirun registry."""

from __future__ import annotations

import pytest

from derivaml_jupyter.config import (
    get_multirun_config,
    list_multirun_configs,
    multirun_config,
)
from derivaml_jupyter.core.errors import DerivaMLNotFound


def test_register_and_look_up():
    spec = multirun_config("t_sweep_b", ["model_config.lr=0.1,0.2"], description="## B")
    multirun_config("t_sweep_a", ["model_config=quick"])
    assert get_multirun_config("t_sweep_b") == spec
    assert spec.overrides == ["model_config.lr=0.1,0.2"] and spec.description == "## B"
    names = list_multirun_configs()
    assert names.index("t_sweep_a") < names.index("t_sweep_b")


def test_unknown_name_lists_the_known_ones():
    multirun_config("t_sweep_known", [])
    with pytest.raises(DerivaMLNotFound, match="Unknown multirun config 'nope'.*t_sweep_known"):
        get_multirun_config("nope")
