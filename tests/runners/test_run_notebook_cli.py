"""deriva-ml-run-notebook: argument errors, --inspect, kernels, notebooks without run_notebook."""

from __future__ import annotations

import pytest

from derivaml_jupyter.runners import run_notebook_cli
from derivaml_jupyter.runners.run_notebook_cli import main

nbformat = pytest.importorskip("nbformat")


def _notebook(path, *sources: str, params: str | None = None, kernelspec: bool = True):
    """A notebook; ``kernelspec=False`` leaves out the kernel metadata, as jupytext and plain
    nbformat do."""
    nb = nbformat.v4.new_notebook()
    if params is not None:
        cell = nbformat.v4.new_code_cell(params)
        cell.metadata["tags"] = ["parameters"]
        nb.cells.append(cell)
    nb.cells.extend(nbformat.v4.new_code_cell(s) for s in sources)
    if kernelspec:
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
    nbformat.write(nb, path)
    return path


def test_notebook_must_be_an_existing_ipynb(tmp_path, capsys):
    (tmp_path / "script.py").write_text("print(1)")
    assert main([str(tmp_path / "script.py")]) == 1
    assert ".ipynb" in capsys.readouterr().err
    assert main([str(tmp_path / "missing.ipynb")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_inspect_prints_parameters(tmp_path, capsys):
    nb = _notebook(tmp_path / "a.ipynb", "print(x)", params="threshold = 0.5\nname = 'run'\n")
    assert main([str(nb), "--inspect"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["threshold: float (default 0.5)", "name: str (default 'run')"]


def test_notebook_without_kernelspec_inspects_and_runs_with_parameters(tmp_path, capsys):
    nb = _notebook(tmp_path / "train.ipynb", "print(f'lr={learning_rate} epochs={epochs}')",
                   params="learning_rate = 0.01\nepochs = 10\n", kernelspec=False)
    assert main([str(nb), "--inspect"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "learning_rate: float (default 0.01)", "epochs: int (default 10)"]
    (tmp_path / "params.yaml").write_text("epochs: 50\n")
    for args in (["-p", "learning_rate", "0.001", "-p", "epochs", "50"],
                 ["--file", str(tmp_path / "params.yaml"), "-p", "learning_rate", "0.001"]):
        assert main([str(nb), *args]) == 1  # it ran, but never called run_notebook()
        err = capsys.readouterr().err
        assert "never called run_notebook()" in err and "kernel" not in err.lower(), err
        executed = nbformat.read(err.split("The executed notebook is ")[1].strip(), 4)
        assert executed.cells[-1].outputs[0].text == "lr=0.001 epochs=50\n"


def test_positional_without_equals_is_rejected(tmp_path, capsys):
    nb = _notebook(tmp_path / "a.ipynb", "print(1)")
    assert main([str(nb), "weights"]) == 1
    err = capsys.readouterr().err
    assert "key=value" in err and "assets=weights" in err


def test_unknown_kernel_lists_installed(tmp_path, capsys):
    nb = _notebook(tmp_path / "a.ipynb", "print(1)")
    assert main([str(nb), "--kernel", "no-such-kernel"]) == 1
    err = capsys.readouterr().err
    assert "no-such-kernel" in err and "python3" in err and "deriva-ml-install-kernel" in err


def test_bad_parameter_file(tmp_path, capsys):
    nb = _notebook(tmp_path / "a.ipynb", "print(1)")
    (tmp_path / "p.txt").write_text("x")
    assert main([str(nb), "--file", str(tmp_path / "p.txt")]) == 1
    assert ".json or .yaml" in capsys.readouterr().err


def test_notebook_without_run_notebook_fails_clearly(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(run_notebook_cli, "_papermill_logging", lambda enabled: None)
    nb = _notebook(tmp_path / "plain.ipynb", "print(x * 2)", params="x = 1")
    code = main([str(nb), "-p", "x", "21", "-p", "y", "3", "assets=a", "--log-output"])
    captured = capsys.readouterr()
    assert code == 1
    assert "'y'" in captured.err and "known: x" in captured.err  # unknown parameter warning
    assert "never called run_notebook()" in captured.err


def test_notebook_error_without_execution(tmp_path, capsys):
    nb = _notebook(tmp_path / "boom.ipynb", "raise ValueError('kaputt')")
    assert main([str(nb), "--log-output"]) == 1
    err = capsys.readouterr().err
    assert "ValueError: kaputt" in err and "never called run_notebook()" in err


def test_info_and_cfg_job_show_configs_without_running(project, capsys):
    nb = _notebook(project / "notebooks" / "report.ipynb", "raise SystemExit('must not run')")
    assert main([str(nb), "--list-configs"]) == 0
    out = capsys.readouterr().out
    assert "deriva_ml:" in out and "default_deriva" in out and "report" in out
    assert main([str(nb), "--cfg", "job", "threshold=0.7", "--catalog", "c9"]) == 0
    out = capsys.readouterr().out
    assert "threshold: 0.7" in out and "catalog_id: c9" in out
    assert main([str(nb), "--info", "threshold=0.7"]) == 0


def test_dry_run_records_nothing(tmp_path, capsys, monkeypatch):
    import json
    import os

    seen = {}

    def fake_execute(notebook, output, parameters, kernel, log_output):
        seen.update(overrides=json.loads(os.environ["DERIVA_ML_HYDRA_OVERRIDES"]),
                    path=os.environ["DERIVA_ML_NOTEBOOK_PATH"], parameters=parameters)
        with open(os.environ["DERIVA_ML_SAVE_EXECUTION_RID"], "w") as f:
            json.dump({"hostname": "local", "catalog_id": "c", "execution_rid": "0000"}, f)
        return None

    monkeypatch.setattr(run_notebook_cli, "execute", fake_execute)
    nb = _notebook(tmp_path / "a.ipynb", "print(1)", params="n = 1")
    assert main([str(nb), "dry_run=true", "-p", "n", "2", "--host", "local", "--catalog", "c"]) == 0
    assert "Dry run" in capsys.readouterr().out
    assert seen["overrides"] == ["dry_run=true", "deriva_ml.hostname=local",
                                 "deriva_ml.catalog_id=c"]
    assert seen["path"] == str(nb.resolve()) and seen["parameters"] == {"n": 2}
    assert "DERIVA_ML_HYDRA_OVERRIDES" not in os.environ  # restored afterwards
