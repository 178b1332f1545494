"""Papermill parameter helpers: coercion, parameter files, inspection."""

from __future__ import annotations

import json

import pytest

from derivaml_jupyter.core.errors import DerivaMLException
from derivaml_jupyter.runners.notebook_params import (
    coerce_value,
    collect_parameters,
    format_parameters,
    load_parameter_file,
    notebook_parameters,
    unknown_parameters,
    unknown_parameters_warning,
)


def test_coerce_value_int_then_float_then_str():
    assert coerce_value("3") == 3 and isinstance(coerce_value("3"), int)
    assert coerce_value("0.5") == 0.5 and isinstance(coerce_value("1e-3"), float)
    assert coerce_value("abc") == "abc"
    assert coerce_value("True") == "True"


def test_parameter_files(tmp_path):
    (tmp_path / "p.json").write_text(json.dumps({"lr": 0.1, "epochs": 3}))
    (tmp_path / "p.yaml").write_text("lr: 0.2\nname: run\n")
    (tmp_path / "p.txt").write_text("lr=1")
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    assert load_parameter_file(tmp_path / "p.json") == {"lr": 0.1, "epochs": 3}
    assert load_parameter_file(tmp_path / "p.yaml") == {"lr": 0.2, "name": "run"}
    with pytest.raises(DerivaMLException, match=r"\.json or \.yaml"):
        load_parameter_file(tmp_path / "p.txt")
    with pytest.raises(DerivaMLException, match="does not exist"):
        load_parameter_file(tmp_path / "missing.yaml")
    with pytest.raises(DerivaMLException, match="mapping"):
        load_parameter_file(tmp_path / "list.yaml")
    merged = collect_parameters([("lr", "0.5"), ("tag", "x")], tmp_path / "p.yaml")
    assert merged == {"lr": 0.5, "name": "run", "tag": "x"}  # -p wins over the file


def _notebook(path, params_source: str | None):
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.v4.new_notebook()
    if params_source is not None:
        cell = nbformat.v4.new_code_cell(params_source)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells.append(nbformat.v4.new_code_cell("print(1)"))
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


def test_inspect_and_unknown(tmp_path):
    nb = _notebook(tmp_path / "a.ipynb", "learning_rate = 0.01  # step size\nepochs: int = 5\n")
    params = notebook_parameters(nb)
    assert list(params) == ["learning_rate", "epochs"]
    text = format_parameters(params)
    assert "learning_rate: float (default 0.01)" in text
    assert "epochs: int (default 5)" in text
    assert unknown_parameters({"epochs": 1, "lr": 2}, params) == ["lr"]
    warning = unknown_parameters_warning(["lr"], params)
    assert "'lr'" in warning and "learning_rate, epochs" in warning
    bare = _notebook(tmp_path / "b.ipynb", None)
    assert notebook_parameters(bare) == {}
    assert "no papermill parameters cell" in format_parameters({})
    assert "no 'parameters' cell" in unknown_parameters_warning(["x"], {})
