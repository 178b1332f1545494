"""Bad input to executions gets a clear error and leaves nothing in the catalog."""

from __future__ import annotations

import pytest

from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.core.errors import (
    DerivaMLException,
    DerivaMLInvalidTerm,
    DerivaMLNotFound,
    DerivaMLValidationError,
)
from derivaml_jupyter.dataset.spec import DatasetSpec
from derivaml_jupyter.execution.configuration import ExecutionConfiguration

RECORDED = ("Execution", "Workflow", "Dataset_Execution", "Execution_Metadata",
            "Workflow_Workflow_Type")


def _counts(ml) -> dict[str, int]:
    return {t: ml.catalog.count(ML_SCHEMA, t) for t in RECORDED}


@pytest.mark.parametrize("bad, error, message", [
    (lambda p: {"datasets": [DatasetSpec(rid="1-ZZZZ")]}, DerivaMLNotFound, "1-ZZZZ"),
    (lambda p: {"datasets": [DatasetSpec(rid=p["dataset"], version="9.9.9")]},
     DerivaMLNotFound, "9.9.9"),
    (lambda p: {"datasets": [DatasetSpec(rid=p["images"][0])]},
     DerivaMLValidationError, "not a dataset"),
    (lambda p: {"assets": [p["dataset"]]}, DerivaMLValidationError, "not an asset table"),
    (lambda p: {"assets": ["1-ZZZZ"]}, DerivaMLNotFound, "1-ZZZZ"),
], ids=["unknown-dataset", "bad-version", "not-a-dataset", "non-asset-rid", "unknown-asset"])
def test_bad_inputs_refused_before_anything_is_recorded(project, bad, error, message):
    ml = project["ml"]
    before = _counts(ml)
    config = ExecutionConfiguration(workflow=ml.create_workflow("W", "Training"),
                                    **bad(project))
    with pytest.raises(error, match=message):
        ml.create_execution(config)
    assert _counts(ml) == before
    assert not (ml.working_dir / "execution").exists()


def test_missing_workflow_and_bad_workflow_type(project):
    ml = project["ml"]
    before = _counts(ml)
    with pytest.raises(DerivaMLValidationError, match="Workflow must be specified"):
        ml.create_execution(ExecutionConfiguration(description="no workflow"))
    with pytest.raises(DerivaMLInvalidTerm, match="Workflow_Type"):
        ml.create_workflow("W", "Not_A_Type")
    assert _counts(ml) == before


def test_asset_file_path_refusals(project, tmp_path):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    existing = tmp_path / "real.txt"
    existing.write_text("x")
    with exe:
        for name in ("../x", "a/../../x", "..", ""):
            with pytest.raises(DerivaMLValidationError, match="outside the execution"):
                exe.asset_file_path("Model", name)
        with pytest.raises(DerivaMLValidationError, match="outside the execution"):
            exe.asset_file_path("Model", existing, rename_file=str(tmp_path / "abs.txt"))
        with pytest.raises(DerivaMLValidationError, match="outside the execution"):
            exe.asset_file_path("Model", existing, rename_file="../up.txt")
        with pytest.raises(DerivaMLValidationError, match="does not exist"):
            exe.asset_file_path("Model", str(tmp_path / "missing.txt"))
        with pytest.raises(DerivaMLValidationError,
                           match=r"Subject is not an asset table; create it with "
                                 r"ml.create_asset\('Subject'\)"):
            exe.asset_file_path("Subject", "x.txt")
        with pytest.raises(DerivaMLInvalidTerm, match="No_Such_Type"):
            exe.asset_file_path("Model", "y.txt", asset_types=["No_Such_Type"])
    assert not (tmp_path / "x").exists() and not (tmp_path / "abs.txt").exists()
    assert exe.upload_execution_outputs(progress=False) == {}
    assert ml.catalog.count("domain", "Model") == 0


NUL = r"'bad\\x00name.pt' contains the control character\(s\) '\\x00'"
LONG = r"'m{40}\.\.\.' is 300 bytes long.*at most 222 bytes"
OUTSIDE = "outside the execution's staging folder"


@pytest.mark.parametrize("name, message, as_rename", [
    ("bad\x00name.pt", NUL, NUL),
    ("line\nbreak.pt", r"the control character\(s\) '\\n'", r"character\(s\) '\\n'"),
    ("m" * 300, LONG, LONG),
    ("sub/" + "é" * 112, "is 224 bytes long", "is 224 bytes long"),
    ("../../escape.pt", OUTSIDE, OUTSIDE),
    ("/etc/escape.pt", "does not exist", OUTSIDE),
], ids=["nul", "newline", "300-characters", "long-utf8", "dotdot", "absolute"])
def test_asset_file_path_refuses_names_no_file_can_have(project, tmp_path, name, message,
                                                         as_rename):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    existing = tmp_path / "real.txt"
    existing.write_text("x")
    with exe:
        with pytest.raises(DerivaMLValidationError, match=message):
            exe.asset_file_path("Model", name)
        with pytest.raises(DerivaMLValidationError, match=as_rename):
            exe.asset_file_path("Model", existing, rename_file=name)
    assert not (exe.working_dir / "assets" / "Model").exists()  # nothing written
    assert not [e for e in exe.manifest.entries if e.startswith("assets/Model/")]
    assert exe.upload_execution_outputs(progress=False) == {}
    assert exe.status.value == "Uploaded"


def test_asset_file_path_refuses_a_file_name_that_is_not_a_name(project):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    for name in (None, 5):
        with pytest.raises(DerivaMLValidationError,
                           match=f"file_name must be a file name such as 'model.pt' .* not {name}"):
            exe.asset_file_path("Model", name)


def test_update_status_rejects_unknown_status(project):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")))
    with pytest.raises(DerivaMLValidationError, match="not an execution status"):
        exe.update_status("Sleeping", "zzz")


def test_restore_and_lookup_refuse_non_executions(project):
    ml = project["ml"]
    with pytest.raises(DerivaMLNotFound, match="1-ZZZZ"):
        ml.restore_execution("1-ZZZZ")
    with pytest.raises(DerivaMLValidationError, match="not an execution"):
        ml.restore_execution(project["dataset"])
    with pytest.raises(DerivaMLValidationError, match="not an execution"):
        ml.lookup_execution(project["images"][0])


def test_create_dataset_in_dry_run_is_refused(project):
    ml = project["ml"]
    exe = ml.create_execution(ExecutionConfiguration(workflow=ml.create_workflow("W", "Training")),
                              dry_run=True)
    with pytest.raises(DerivaMLException, match="dry run"):
        exe.create_dataset(["Training"], description="x")
    assert ml.catalog.count(ML_SCHEMA, "Dataset") == 1
