"""The ``derivaml`` command, run for real in subprocesses on a temporary DERIVAML_HOME."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.datasets import load_digits

from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.demo import TEST_EVERY
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML

IMAGES = len(load_digits().images)
TESTING = len(range(TEST_EVERY - 1, IMAGES, TEST_EVERY))


def derivaml(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derivaml_jupyter.cli.main", *args],
                          env={**os.environ, "DERIVAML_HOME": str(home)},
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A home whose default catalog holds the demo data; the dataset RIDs by key."""
    home = tmp_path_factory.mktemp("home")
    result = derivaml(home, "demo", "--quiet")
    assert result.returncode == 0, result.stderr
    assert f"Loaded {IMAGES} digit images" in result.stdout
    rids = dict(re.findall(r"^(\w+)\s+dataset (\S+) at version 1\.0\.0$", result.stdout, re.M))
    assert set(rids) == {"Complete", "Training", "Testing", "Split"}
    return home, rids


def member_counts(stdout: str) -> dict[str, tuple[int, int]]:
    """``Table Members With_Nested`` rows of ``derivaml dataset --members``."""
    section = stdout.split("\nMembers at version", 1)[1]
    return {t: (int(a), int(b)) for t, a, b in re.findall(r"^\s*(\w+)\s+(\d+)\s+(\d+)$",
                                                          section, re.M)}


def test_init_creates_a_local_catalog_and_prints_its_path(tmp_path):
    result = derivaml(tmp_path, "init", "--catalog", "lab")
    assert result.returncode == 0, result.stderr
    path = tmp_path / "catalogs" / "lab"
    assert str(path) in result.stdout
    assert (path / "catalog.db").is_file()
    assert derivaml(tmp_path, "init", "--catalog", "lab").returncode == 0


def test_datasets_lists_the_four_demo_datasets_at_1_0_0(demo):
    home, rids = demo
    result = derivaml(home, "datasets")
    assert result.returncode == 0, result.stderr
    header, *lines = result.stdout.strip().splitlines()
    assert header.split() == ["RID", "Description", "Version", "Types"]
    assert sorted(line.split()[0] for line in lines) == sorted(rids.values())
    assert all(" 1.0.0 " in line for line in lines)
    for key, rid in rids.items():
        assert key in next(line for line in lines if line.startswith(rid))


@pytest.mark.parametrize("key, direct, nested", [
    ("Complete", {"Image": IMAGES}, {"Image": IMAGES}),
    ("Training", {"Image": IMAGES - TESTING}, {"Image": IMAGES - TESTING}),
    ("Testing", {"Image": TESTING}, {"Image": TESTING}),
    ("Split", {"Dataset": 2}, {"Dataset": 2, "Image": IMAGES}),
])
def test_dataset_members_counts(demo, key, direct, nested):
    home, rids = demo
    result = derivaml(home, "dataset", rids[key].lower(), "--members")
    assert result.returncode == 0, result.stderr
    assert f"Dataset      {rids[key]}" in result.stdout
    assert re.search(r"^Version\s+1\.0\.0 \(current\)$", result.stdout, re.M)
    counts = member_counts(result.stdout)
    assert {t: c[0] for t, c in counts.items() if c[0]} == direct
    assert {t: c[1] for t, c in counts.items()} == nested


def test_dataset_at_an_old_version_and_its_versions(demo):
    home, rids = demo
    result = derivaml(home, "dataset", rids["Complete"], "--version", "0.1.0", "--members")
    assert result.returncode == 0, result.stderr
    assert re.search(r"^Version\s+0\.1\.0 \(current: 1\.0\.0\)$", result.stdout, re.M)
    assert result.stdout.rstrip().endswith("(no members)")
    versions = derivaml(home, "versions", rids["Split"])
    assert [line.split()[0] for line in versions.stdout.splitlines()[1:]] == [
        "0.1.0", "0.2.0", "1.0.0"]


def test_demo_twice_adds_nothing(demo, monkeypatch):
    home, rids = demo
    result = derivaml(home, "demo")
    assert result.returncode == 0, result.stderr
    assert "already loaded" in result.stdout and "Storing" not in result.stderr
    assert dict(re.findall(r"^(\w+)\s+dataset (\S+) at version", result.stdout, re.M)) == rids
    monkeypatch.setenv("DERIVAML_HOME", str(home))
    ml = DerivaML()
    assert ml.catalog.count("domain", "Image") == IMAGES
    assert len(ml.find_datasets()) == 4
    assert len(list((ml.catalog.path / "hatrac" / "domain" / "Image").iterdir())) == IMAGES


@pytest.mark.parametrize("args, message", [
    (["dataset", "1-ZZZZ"], "Dataset 1-ZZZZ does not exist"),
    (["execution", "1-ZZZZ"], "RID 1-ZZZZ does not exist"),
    (["versions", "1-ZZZZ"], "Dataset 1-ZZZZ does not exist"),
    (["dataset", "nope!"], "'nope!' is not a RID"),
    (["dataset", "{Complete}", "--version", "9.9.9"], "Available versions: 0.1.0, 0.2.0, 1.0.0"),
    (["init", "--catalog", "../x"], "not a valid local catalog name"),
])
def test_bad_input_prints_one_clear_line_and_exits_1(demo, args, message):
    home, rids = demo
    result = derivaml(home, *[a.format(**rids) for a in args])
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert result.stderr.startswith(f"derivaml {args[0]}: error: ")


@pytest.fixture(scope="module")
def executed(demo) -> tuple[Path, dict[str, str]]:
    """The demo home plus an uploaded execution reading Testing@1.0.0 and writing
    ``counts.txt``, with a second, never started execution nested in it."""
    home, rids = demo
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DERIVAML_HOME", str(home))
        ml = DerivaML()
        workflow = ml.create_workflow("Digit counter", "Analysis", description="Counts digits")
        workflow.source_path, workflow.allow_dirty = __file__, True
        config = ExecutionConfiguration(workflow=workflow, description="count the digits",
                                        datasets=[DatasetSpec(rids["Testing"], "1.0.0",
                                                              materialize=False)])
        with ml.create_execution(config) as parent:
            parent.asset_file_path("Execution_Asset", "counts.txt").write_text(str(TESTING))
        parent.upload_execution_outputs(progress=False)
        child = ml.create_execution(ExecutionConfiguration(workflow=workflow,
                                                           description="child"))
        parent.add_nested_execution(child, sequence=0)
    return home, {"parent": parent.execution_rid, "child": child.execution_rid,
                  "workflow": workflow.workflow_rid, **rids}


def test_workflows_lists_recorded_workflows(executed):
    home, rids = executed
    result = derivaml(home, "workflows")
    assert result.returncode == 0, result.stderr
    header, *lines = result.stdout.strip().splitlines()
    assert header.split()[:3] == ["RID", "Name", "Types"]
    assert [line.split()[:4] for line in lines] == [
        [rids["workflow"], "Digit", "counter", "Analysis"]]


@pytest.mark.parametrize("status, expected", [
    (None, ["parent", "child"]), ("Uploaded", ["parent"]), ("created", ["child"]),
    ("Failed", []),
])
def test_executions_filtered_by_status(executed, status, expected):
    home, rids = executed
    result = derivaml(home, "executions", *(["--status", status] if status else []))
    assert result.returncode == 0, result.stderr
    listed = [line.split()[0] for line in result.stdout.strip().splitlines()[1:]]
    if expected:
        assert sorted(listed) == sorted(rids[k] for k in expected)
    else:
        assert result.stdout.strip() == "No executions with status Failed."


def test_unknown_status_lists_the_known_ones(executed):
    result = derivaml(executed[0], "executions", "--status", "Finished")
    assert result.returncode == 1
    assert "'Finished' is not an execution status; use one of Created, Running" \
        in result.stderr


def test_execution_shows_status_inputs_outputs_and_nesting(executed):
    home, rids = executed
    result = derivaml(home, "execution", rids["parent"].replace("-", "").lower())
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert re.search(rf"^Workflow\s+Digit counter \({rids['workflow']}\)$", out, re.M)
    assert re.search(r"^Status\s+Uploaded$", out, re.M)
    inputs, outputs = out.split("\nInputs\n")[1].split("\nOutputs\n")
    assert re.search(rf"Dataset\s+{rids['Testing']} at version 1\.0\.0", inputs)
    assert re.search(r"Execution_Asset\s+counts\.txt \(", outputs)
    assert re.search(rf"^Nested\s+{rids['child']}$", out, re.M)
    child = derivaml(home, "execution", rids["child"]).stdout
    assert re.search(rf"^Parents\s+{rids['parent']}$", child, re.M)
    assert re.search(r"^Status\s+Created$", child, re.M)


def test_listing_an_unknown_catalog_does_not_create_it(tmp_path):
    result = derivaml(tmp_path, "datasets", "--catalog", "nosuch")
    assert result.returncode == 1
    assert "no local catalog 'nosuch'" in result.stderr
    assert "derivaml init --catalog nosuch" in result.stderr
    assert not (tmp_path / "catalogs" / "nosuch").exists()


def test_upload_finishes_the_pending_outputs_of_an_execution(tmp_path, monkeypatch):
    monkeypatch.setenv("DERIVAML_HOME", str(tmp_path))
    ml = DerivaML()
    exe = ml.create_execution(ExecutionConfiguration(
        workflow=ml.create_workflow("Interrupted", "Training")))
    with exe:
        exe.asset_file_path("Execution_Asset", "weights.bin").write_bytes(b"w" * 1000)
    result = derivaml(tmp_path, "upload", exe.execution_rid, "--quiet")
    assert result.returncode == 0, result.stderr
    assert f"Execution {exe.execution_rid}: Uploaded, 1 file(s) uploaded" in result.stdout
    assert "Execution_Asset: weights.bin" in result.stdout
    record = ml.lookup_execution(exe.execution_rid)
    assert record.status == "Uploaded"
    assert [r["Filename"] for r in record.outputs["assets"]["Execution_Asset"]] == ["weights.bin"]
    again = derivaml(tmp_path, "upload", exe.execution_rid, "--quiet")
    assert "0 file(s) uploaded (nothing was pending)" in again.stdout
