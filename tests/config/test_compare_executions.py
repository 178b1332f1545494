"""``ml.compare_executions``: the two jobs of a real ``deriva-ml-run`` sweep side by side,
their Hydra config, metrics files and outputs; clear errors for bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from derivaml_jupyter.core.errors import DerivaMLNotFound, DerivaMLValidationError

from .conftest import write_package

pytestmark = pytest.mark.slow

METRICS_MODEL = '''
import json


def train(learning_rate: float = 1e-3, epochs: int = 10, ml_instance=None, execution=None):
    """Record one metrics.json and a metrics.jsonl of two epochs."""
    path = execution.asset_file_path("Execution_Metadata", "metrics.json")
    path.write_text(json.dumps({"accuracy": 1 - learning_rate, "epochs": epochs,
                                "eval": {"loss": learning_rate * 2}}))
    with execution.asset_file_path("Execution_Metadata", "train_metrics.jsonl").open("w") as f:
        for epoch in range(2):
            f.write(json.dumps({"epoch": epoch, "loss": learning_rate / (epoch + 1)}) + "\\n")
'''


@pytest.fixture
def sweep(model_project: Path, run_cli, tmp_path: Path, monkeypatch) -> tuple:
    """The catalog and the two children of ``+multirun=lr_sweep`` (learning rates 0.1, 0.2)."""
    write_package(model_project / "src" / "models", {"my_model.py": METRICS_MODEL})
    r = run_cli("+multirun=lr_sweep", "--host", "local", "--catalog", "sweep",
                cwd=model_project)
    assert r.returncode == 0, r.stderr
    from derivaml_jupyter.ml import DerivaML

    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    ml = DerivaML("local", "sweep")
    parent = r.stdout.split("Multirun parent execution: ")[1].split()[0]
    children = [c.execution_rid for c in ml.lookup_execution(parent).list_nested_executions()]
    return ml, children


def test_sweep_jobs_side_by_side(sweep):
    ml, (first, second) = sweep
    table = ml.compare_executions([first, second])
    assert list(table.columns) == [first, second]
    assert table.index.names == ["section", "name"]
    assert list(dict.fromkeys(table.index.get_level_values("section"))) == [
        "execution", "config", "metrics", "inputs", "outputs"]
    row = table.loc
    assert row[("execution", "status")].tolist() == ["Uploaded", "Uploaded"]
    assert row[("config", "model_config.learning_rate")].tolist() == [0.1, 0.2]
    assert row[("config", "config_choices.model_config")].tolist() == ["quick", "quick"]
    assert row[("metrics", "metrics.accuracy")].tolist() == pytest.approx([0.9, 0.8])
    assert row[("metrics", "metrics.eval.loss")].tolist() == pytest.approx([0.2, 0.4])
    # a .jsonl metrics file gives each key's last value
    assert row[("metrics", "train_metrics.epoch")].tolist() == [1, 1]
    assert row[("metrics", "train_metrics.loss")].tolist() == pytest.approx([0.05, 0.1])
    assert "metrics.json" in row[("outputs", "Execution_Metadata")].iloc[0]


def test_only_differences_drop_what_the_jobs_share(sweep):
    ml, children = sweep
    table = ml.compare_executions(children, only_differences=True)
    names = set(table.index)
    assert ("config", "model_config.learning_rate") in names
    assert ("metrics", "metrics.accuracy") in names
    assert ("execution", "workflow") not in names and ("metrics", "metrics.epochs") not in names


def test_bad_input_is_a_clear_error(sweep):
    ml, children = sweep
    with pytest.raises(DerivaMLValidationError, match="Give the RIDs"):
        ml.compare_executions([])
    with pytest.raises(DerivaMLNotFound):
        ml.compare_executions([children[0], "9ZZZ-ZZZZ"])
