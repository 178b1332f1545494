"""The ``deriva-ml-split-dataset`` command, run for real in a subprocess on the local catalog
of a temporary DERIVAML_HOME."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.execution.configuration import ExecutionConfiguration

COMMAND = Path(sys.executable).parent / "deriva-ml-split-dataset"


def split(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(COMMAND), *args], capture_output=True, text=True, timeout=300)


@pytest.fixture
def source(ml) -> str:
    """A dataset of 20 ``Subject`` members, 12 in group A and 8 in group B."""
    ml.create_table("Subject", {"Name": "text", "Group": "text"})
    ml.add_dataset_element_type("Subject")
    rids = [r["RID"] for r in ml.insert_rows(
        "Subject", [{"Name": f"s{i}", "Group": "A" if i < 12 else "B"} for i in range(20)])]
    ml.add_term("Workflow_Type", "Setup", description="Setup.")
    with ml.create_execution(ExecutionConfiguration(
            workflow=ml.create_workflow("Setup", "Setup"))) as exe:
        dataset = exe.create_dataset("Complete", description="All subjects")
        dataset.add_dataset_members(rids)
    return dataset.dataset_rid


def counts(ml) -> dict[str, int]:
    return {t: ml.catalog.count(ML_SCHEMA, t) for t in (
        "Dataset", "Dataset_Version", "Dataset_Execution", "Execution", "Workflow")}


def test_split_prints_the_new_datasets_made_by_a_recorded_execution(ml, source):
    result = split("--dataset-rid", source, "--val-size", "0.2", "--seed", "3",
                   "--stratify-by-column", "Subject.Group", "--include-tables", "Subject",
                   "--testing-types", "", "--show-urls")
    assert result.returncode == 0, result.stderr
    assert "SPLIT COMPLETE" in result.stdout
    made = dict(re.findall(r"^  (\w+)(?: dataset)?:\s+(\S+) \(v0\.2\.0\)", result.stdout, re.M))
    assert set(made) == {"Split", "Training", "Validation", "Testing"}
    assert {d.rid for d in ml.list_dataset_children(made["Split"])} == \
        {made["Training"], made["Validation"], made["Testing"]}
    assert ml.list_dataset_types(made["Training"]) == ["Labeled", "Split_Partition",
                                                       "Training"]
    assert ml.list_dataset_types(made["Testing"]) == ["Split_Partition", "Testing"]
    groups = [r["Group"] for r in ml.list_dataset_members(made["Testing"])["Subject"]]
    assert sorted(groups) == ["A", "A", "B", "B"]
    assert re.search(rf"training: \S+{made['Training']}", result.stdout)
    record = ml.lookup_execution(ml.dataset_history(made["Split"])[0].execution_rid)
    assert record.status == "Uploaded"
    assert record.workflow.workflow_type == ["Dataset_Split"]
    assert [d["rid"] for d in record.inputs["datasets"]] == [source]


def test_dry_run_prints_the_plan_and_writes_nothing(ml, source):
    before = counts(ml)
    result = split("--hostname", "local", "--catalog-id", "default", "--dataset-rid", source,
                   "--test-size", "5", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "DRY RUN - No changes will be made" in result.stdout
    assert re.search(r"Training size:\s+15\n  Testing size:\s+5\n", result.stdout)
    assert "Strategy:        random" in result.stdout
    assert counts(ml) == before


@pytest.mark.parametrize("args, message", [
    (["--dataset-rid", "1-ZZZZ"], "Dataset 1-ZZZZ does not exist"),
    (["--test-size", "0.5", "--val-size", "0.6"],
     "test_size=10 + val_size=12 = 22 leaves no records for training out of 20"),
    (["--stratify-by-column", "Subject.Colour", "--include-tables", "Subject"],
     "Column 'Subject.Colour' not found"),
    (["--catalog-id", "nope"], "There is no local catalog 'nope'"),
    (["--training-types", "Holdout"], "Invalid term 'Holdout' in vocabulary Dataset_Type"),
])
def test_bad_input_is_one_line_on_stderr_and_writes_nothing(ml, source, args, message):
    before = counts(ml)
    result = split("--dataset-rid", source, *args)
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("deriva-ml-split-dataset: error: ") and message in line
    assert counts(ml) == before
