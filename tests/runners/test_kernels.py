"""Kernel detection, kernel checks and deriva-ml-install-kernel."""

from __future__ import annotations

import json
import sys

import pytest

from derivaml_jupyter.core.errors import DerivaMLException
from derivaml_jupyter.runners import kernels
from derivaml_jupyter.runners.install_kernel import main as install_main


def _spec(argv0: str) -> dict:
    return {"resource_dir": "/x", "spec": {"argv": [argv0, "-m", "ipykernel_launcher"]}}


def test_detect_prefers_kernel_inside_prefix(monkeypatch):
    ours = f"{sys.prefix}/bin/python"
    monkeypatch.setattr(kernels, "kernel_specs", lambda: {
        "python3": _spec("python"), "other": _spec("/elsewhere/bin/python"), "mine": _spec(ours)})
    assert kernels.detect_kernel() == "mine"


def test_detect_falls_back_to_python3_and_errors(monkeypatch):
    monkeypatch.setattr(kernels, "kernel_specs", lambda: {
        "python3": _spec("python"), "other": _spec("/elsewhere/bin/python")})
    assert kernels.detect_kernel() == "python3"
    monkeypatch.setattr(kernels, "kernel_specs", lambda: {"other": _spec("/elsewhere/python")})
    with pytest.raises(DerivaMLException, match="deriva-ml-install-kernel") as err:
        kernels.detect_kernel()
    assert "--kernel" in str(err.value) and "other" in str(err.value)


def test_real_environment_has_a_kernel():
    assert kernels.detect_kernel() in kernels.kernel_specs()


def test_check_kernel_lists_installed(monkeypatch):
    monkeypatch.setattr(kernels, "kernel_specs", lambda: {"python3": _spec("python")})
    assert kernels.check_kernel("python3") == "python3"
    with pytest.raises(DerivaMLException, match="not installed") as err:
        kernels.check_kernel("nope")
    assert "python3" in str(err.value) and "deriva-ml-install-kernel" in str(err.value)


def test_install_kernel_into_prefix(tmp_path, monkeypatch, capsys):
    assert install_main(["--name", "proj-x", "--display-name", "Proj X",
                         "--prefix", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "Installed Jupyter kernel 'proj-x'" in out
    spec_file = tmp_path / "share" / "jupyter" / "kernels" / "proj-x" / "kernel.json"
    spec = json.loads(spec_file.read_text())
    assert spec["argv"][0] == sys.executable and spec["display_name"] == "Proj X"
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "share" / "jupyter"))
    assert "proj-x" in kernels.kernel_specs()
    assert install_main(["--name", "bad name", "--prefix", str(tmp_path)]) == 1
    assert "may only hold" in capsys.readouterr().err


def test_default_kernel_name_is_normalized(monkeypatch, tmp_path):
    venv = tmp_path / "My Project" / ".venv"
    venv.mkdir(parents=True)
    monkeypatch.setattr(sys, "prefix", str(venv))
    assert kernels.default_kernel_name() == "my-project"
    (venv / "pyvenv.cfg").write_text("home = /x\nprompt = Cool Env!\n")
    assert kernels.default_kernel_name() == "cool-env"
