"""Workflow provenance from real git repositories and notebooks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from derivaml_jupyter.execution.provenance import source_checksum
from derivaml_jupyter.ml import DerivaML

SCRIPT = """
import json
from derivaml_jupyter.ml import DerivaML
from derivaml_jupyter.execution.configuration import ExecutionConfiguration

ml = DerivaML()
wf = ml.create_workflow("Train script", "Training", "trains")
exe = ml.create_execution(ExecutionConfiguration(workflow=wf, description="run"))
print(json.dumps({"rid": exe.execution_rid, "workflow_rid": wf.workflow_rid, "url": wf.url,
                  "checksum": wf.checksum, "version": wf.version}))
"""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
                          cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "train.py").write_text(SCRIPT)
    git(repo, "init", "-q")
    git(repo, "remote", "add", "origin", "https://example.org/lab/project.git")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    return repo


def run_script(repo: Path, home: Path, **env: str) -> tuple[dict, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DERIVA_ML_")}
    environment.update(DERIVAML_HOME=str(home), **env)
    result = subprocess.run([sys.executable, "src/train.py"], cwd=repo, env=environment,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def test_script_in_git_records_commit_url_and_blob_checksum(repo, tmp_path, monkeypatch):
    info, stderr = run_script(repo, tmp_path / "home")
    commit = git(repo, "rev-parse", "HEAD")
    assert info["url"] == f"https://example.org/lab/project/blob/{commit}/src/train.py"
    assert info["checksum"] == git(repo, "hash-object", "src/train.py")
    assert info["version"] == commit[:7]
    assert "uncommitted" not in stderr
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    row = DerivaML().lookup_workflow(info["workflow_rid"])
    assert (row.url, row.checksum, row.version, row.name) == (
        info["url"], info["checksum"], info["version"], "Train script")


def test_workflow_reused_by_checksum_and_new_code_makes_a_new_one(repo, tmp_path):
    home = tmp_path / "home"
    first, _ = run_script(repo, home)
    second, _ = run_script(repo, home)
    assert first["rid"] != second["rid"]
    assert first["workflow_rid"] == second["workflow_rid"]
    (repo / "src" / "train.py").write_text(SCRIPT + "\n# tuned\n")
    git(repo, "commit", "-qam", "tune")
    third, _ = run_script(repo, home)
    assert third["workflow_rid"] != first["workflow_rid"]
    assert third["checksum"] != first["checksum"]


def test_code_committed_after_a_dirty_run_gets_its_own_workflow(repo, tmp_path):
    home = tmp_path / "home"
    (repo / "src" / "train.py").write_text(SCRIPT + "\n# tuned\n")
    dirty, _ = run_script(repo, home, DERIVA_ML_ALLOW_DIRTY="true")
    git(repo, "commit", "-qam", "tune")
    clean, _ = run_script(repo, home)
    assert clean["checksum"] == dirty["checksum"]
    assert clean["workflow_rid"] != dirty["workflow_rid"]
    assert git(repo, "rev-parse", "HEAD") in clean["url"]


def test_dirty_tree_warns_unless_allowed(repo, tmp_path):
    (repo / "notes.txt").write_text("uncommitted")
    _, stderr = run_script(repo, tmp_path / "home")
    assert "DirtyWorkflowWarning" in stderr and "notes.txt" in stderr
    _, stderr = run_script(repo, tmp_path / "home", DERIVA_ML_ALLOW_DIRTY="true")
    assert "uncommitted" not in stderr


def test_repository_without_remote_and_file_outside_git(tmp_path):
    repo = tmp_path / "local-repo"
    (repo / "src").mkdir(parents=True)
    (repo / "src" / "train.py").write_text(SCRIPT)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "first")
    info, _ = run_script(repo, tmp_path / "home")
    commit = git(repo, "rev-parse", "HEAD")
    assert info["url"].startswith(f"file://{repo.resolve()}") and commit in info["url"]
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "src").mkdir()
    (plain / "src" / "train.py").write_text(SCRIPT)
    info, _ = run_script(plain, tmp_path / "home2")
    assert info["url"] == (plain / "src" / "train.py").resolve().as_uri()
    assert info["checksum"] == source_checksum(plain / "src" / "train.py", False, False)
    assert info["version"] is None


def test_runner_environment_wins(repo, tmp_path):
    info, _ = run_script(repo, tmp_path / "home",
                         DERIVA_ML_WORKFLOW_URL="https://example.org/nb.ipynb",
                         DERIVA_ML_WORKFLOW_CHECKSUM="abc123")
    assert (info["url"], info["checksum"]) == ("https://example.org/nb.ipynb", "abc123")


def test_notebook_checksum_ignores_outputs(ml, tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print(1)"), nbformat.v4.new_markdown_cell("# Hi")]
    path = tmp_path / "analysis.ipynb"
    nbformat.write(nb, path)
    clean = source_checksum(path, True, True)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", text="1\n")]
    nb.cells[0].execution_count = 7
    nbformat.write(nb, path)
    assert source_checksum(path, True, True) == clean
    nb.cells[0].source = "print(2)"
    nbformat.write(nb, path)
    assert source_checksum(path, True, True) != clean

    wf = ml.create_workflow("Notebook", "Analysis")
    wf.source_path = str(path)
    from derivaml_jupyter.execution.configuration import ExecutionConfiguration

    ml.create_execution(ExecutionConfiguration(workflow=wf))
    assert wf.is_notebook and wf.url == path.resolve().as_uri()
    assert wf.checksum == source_checksum(path, False, True)
