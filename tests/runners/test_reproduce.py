"""``derivaml reproduce`` and ``deriva-ml-run --reproduce`` end to end: real recorded runs of
a model project committed to a git repository in tmp_path, run again from their commit, on
the local catalog and, with DERIVAML_TEST_HOST, on a fresh catalog of that server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from config.project_files import CONFIGS, MODELS

from .reproduce_helpers import commit_project, git, recorded_rid, reproduced_rid, run_module

pytestmark = [pytest.mark.slow, pytest.mark.real_server]

PROBE = "reprotest-probe"  # a distribution only the original run had installed


@pytest.fixture
def target(remote_catalog) -> tuple[str, str]:
    return remote_catalog or ("local", "projcat")


@pytest.fixture
def ml(tmp_path, monkeypatch, target):
    """The catalog the runs write to."""
    from derivaml_jupyter.ml import DerivaML

    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path / "home"))
    return DerivaML(*target)


@pytest.fixture
def project(tmp_path, ml) -> Path:
    """The model project of tests/config, with a datasets choice of a dataset of ``ml``,
    committed to a new git repository."""
    root = tmp_path / "project"
    for folder, texts in {"src/configs": CONFIGS, "src/models": MODELS}.items():
        (root / folder).mkdir(parents=True)
        for name, text in texts.items():
            (root / folder / name).write_text(text.lstrip("\n"))
    return commit_project(root, ml)


@pytest.fixture
def probe(tmp_path) -> Path:
    """A folder holding the metadata of an installed distribution ``reprotest-probe``."""
    folder = tmp_path / "probe"
    info = folder / "reprotest_probe-1.0.dist-info"
    info.mkdir(parents=True)
    info.joinpath("METADATA").write_text(f"Metadata-Version: 2.1\nName: {PROBE}\nVersion: 1.0\n")
    return folder


@pytest.fixture
def cli(target):
    """Run a console module of derivaml_jupyter on the target catalog."""
    return lambda module, *args, **kwargs: run_module(module, *args, target=target, **kwargs)


def hydra_config(ml, rid: str) -> dict:
    from derivaml_jupyter.execution.experiment import read_hydra_config

    return read_hydra_config(ml, rid)


def test_reproduce_reruns_the_recorded_commit_config_and_dataset_version(
        ml, project, probe, cli):
    run = cli("runners.run_model_cli", "model_config=quick", "datasets=current_images",
              "model_config.epochs=4", cwd=project, extra_path=probe)
    assert run.returncode == 0, run.stderr
    original = recorded_rid(run.stdout)
    commit = git(project, "rev-parse", "HEAD").strip()
    # what would change a naive re-run: new code at HEAD and a newer dataset version
    (project / "src/models/my_model.py").write_text("raise ImportError('new code')\n")
    git(project, "commit", "-qam", "break the model")
    ml.increment_dataset_version(ml.images, "minor")

    result = cli("cli.main", "reproduce", original, cwd=project)
    new = reproduced_rid(result)
    assert f"at commit {commit[:12]} of {project}" in result.stdout
    assert f"{PROBE}: 1.0 recorded, not installed now" in result.stdout

    record = ml.lookup_execution(new)
    assert record.status == "Uploaded"
    assert record.description.startswith(f"Reproduction of {original} at commit {commit[:12]}")
    assert record.workflow.workflow_rid == ml.lookup_execution(original).workflow.workflow_rid
    assert record.inputs["datasets"] == [
        {"rid": ml.images, "version": "0.1.0", "version_rid": record.inputs["datasets"][0][
            "version_rid"]}]
    assert str(ml.current_dataset_version(ml.images)) == "0.2.0"
    old_config, new_config = hydra_config(ml, original), hydra_config(ml, new)
    assert new_config["model_config"] == old_config["model_config"]
    assert new_config["model_config"]["epochs"] == 4
    assert new_config["config_choices"] == old_config["config_choices"]

    # linked: the original's configuration.json is an Input of the reproduction
    from derivaml_jupyter.runners.reproduce import reproductions_of

    assert reproductions_of(ml, original) == [new]
    inputs = record.inputs["assets"]["Execution_Metadata"]
    assert [r["Filename"] for r in inputs] == ["configuration.json"]
    outputs = {r["Filename"]: r for r in record.outputs["assets"]["Execution_Metadata"]}
    dest = project.parent / "reproduction.json"
    ml.catalog.get_object(outputs["reproduction.json"]["URL"], dest)
    recorded = json.loads(dest.read_text())
    assert recorded["reproduces"] == original and recorded["commit"] == commit
    assert recorded["dataset_versions"] == {ml.images: "0.1.0"}
    assert recorded["environment_diff"]["missing"] == {PROBE: "1.0"}
    assert git(project, "worktree", "list").count("\n") == 1  # the temporary one is gone


def test_deriva_ml_run_reproduce_reruns_each_job_of_a_sweep(ml, project, cli):
    from derivaml_jupyter.runners.reproduce import reproductions_of

    sweep = cli("runners.run_model_cli", "+multirun=lr_sweep", cwd=project)
    assert sweep.returncode == 0, sweep.stderr
    parent = sweep.stdout.split("Multirun parent execution: ")[1].split()[0]
    jobs = [r.execution_rid for r in ml.lookup_execution(parent).list_nested_executions()]

    result = cli("runners.run_model_cli", "--reproduce", parent, cwd=project)
    new_parent = reproduced_rid(result)
    record = ml.lookup_execution(new_parent)
    assert record.status == "Uploaded"
    assert record.description.startswith(f"Reproduction of {parent} at commit ")
    assert record.workflow.workflow_rid == ml.lookup_execution(parent).workflow.workflow_rid
    assert reproductions_of(ml, parent) == [new_parent]
    new_jobs = [r.execution_rid for r in record.list_nested_executions()]
    assert [reproductions_of(ml, job) for job in jobs] == [[new] for new in new_jobs]
    assert [hydra_config(ml, job)["model_config"]["learning_rate"] for job in new_jobs] == \
        [0.1, 0.2]
    assert {hydra_config(ml, job)["config_choices"]["model_config"] for job in new_jobs} == \
        {"quick"}


def test_a_commit_that_is_gone_is_refused_and_nothing_is_recorded(ml, project, cli):
    run = cli("runners.run_model_cli", "model_config=quick", cwd=project)
    original = recorded_rid(run.stdout)
    commit = git(project, "rev-parse", "HEAD").strip()
    git(project, "commit", "-q", "--amend", "-m", "history rewritten")
    git(project, "reflog", "expire", "--expire=now", "--all")
    git(project, "gc", "-q", "--prune=now")
    before = len(ml.find_executions())

    result = cli("cli.main", "reproduce", original, cwd=project)
    assert result.returncode == 1
    assert f"ran commit {commit}, which cannot be reached" in result.stderr
    assert "Nothing was recorded" in result.stderr
    assert len(ml.find_executions()) == before


def test_a_run_with_uncommitted_changes_is_refused(ml, project, cli):
    model = project / "src/models/my_model.py"
    model.write_text(model.read_text() + "# not committed\n")
    run = cli("runners.run_model_cli", "model_config=quick", "--allow-dirty", cwd=project)
    assert run.returncode == 0, run.stderr
    before = len(ml.find_executions())

    result = cli("cli.main", "reproduce", recorded_rid(run.stdout), cwd=project)
    assert result.returncode == 1
    assert "is not the code execution" in result.stderr
    assert "It ran with uncommitted changes: M src/models/my_model.py" in result.stderr
    assert len(ml.find_executions()) == before


def test_an_execution_without_hydra_config_is_refused(ml, project, cli):
    from derivaml_jupyter.execution.configuration import ExecutionConfiguration

    workflow = ml.create_workflow("by hand", "Training")
    workflow.url, workflow.checksum = "https://example.org/code.py", "0" * 40
    with ml.create_execution(ExecutionConfiguration(workflow=workflow)) as exe:
        pass
    result = cli("cli.main", "reproduce", exe.execution_rid, cwd=project)
    assert result.returncode == 1
    assert "not run by deriva-ml-run or deriva-ml-run-notebook" in result.stderr


def test_a_commit_the_clone_lacks_is_fetched_from_origin(ml, project, cli, tmp_path):
    bare = tmp_path / "shared.git"
    git(tmp_path, "clone", "-q", "--bare", str(project), str(bare))
    git(project, "remote", "add", "origin", str(bare))
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    (project / "src/models/notes.txt").write_text("a later commit\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "later")
    git(project, "push", "-q", "origin", "HEAD")
    run = cli("runners.run_model_cli", "model_config=quick", cwd=project)
    commit = git(project, "rev-parse", "HEAD").strip()
    assert f"{bare.with_suffix('')}/blob/{commit}/src/models/my_model.py" == \
        ml.lookup_execution(recorded_rid(run.stdout)).workflow.url

    result = cli("cli.main", "reproduce", recorded_rid(run.stdout), "--repo", str(clone),
                 cwd=clone)
    reproduced_rid(result)
    assert f"at commit {commit[:12]} of {clone}" in result.stdout
