"""deriva-ml's core names: the exception tree and what raises its classes, RID patterns,
column sets, FileSpec, logging, validation settings, upload types and VocabularyTermHandle."""

from __future__ import annotations

import hashlib
import logging
import pickle
import re
import typing

import pytest

from derivaml.core import (
    DERIVA_ML_CONFIG,
    RID,
    STRICT_VALIDATION_CONFIG,
    VALIDATION_CONFIG,
    FileSpec,
    FileUploadState,
    UploadState,
    configure_logging,
    get_logger,
    is_hydra_initialized,
)
from derivaml.core.definitions import (
    SYSTEM_SCHEMAS,
    DerivaAssetColumns,
    DerivaSystemColumns,
    MLTable,
    VocabularyTermHandle,
    rid_regex,
)
from derivaml.core.exceptions import (
    AmbiguousAssociationException,
    DerivaMLAuthenticationError,
    DerivaMLConfigurationError,
    DerivaMLCycleError,
    DerivaMLDataError,
    DerivaMLDatasetNotFound,
    DerivaMLDirtyWorkflowError,
    DerivaMLException,
    DerivaMLExecutionError,
    DerivaMLFeatureNotFound,
    DerivaMLInvalidTerm,
    DerivaMLMaterializeLimitExceeded,
    DerivaMLNotFoundError,
    DerivaMLOfflineError,
    DerivaMLReadOnlyError,
    DerivaMLRidsNotFound,
    DerivaMLSchemaError,
    DerivaMLSchemaPinned,
    DerivaMLStateInconsistency,
    DerivaMLTableNotFound,
    DerivaMLTableTypeError,
    DerivaMLUploadError,
    DerivaMLValidationError,
    DerivaMLWorkflowError,
    NoAssociationException,
)
from derivaml_jupyter.core import errors
from derivaml_jupyter.core.rid import encode

pytestmark = pytest.mark.real_server


# -- the exception tree ------------------------------------------------------------------------
@pytest.mark.local_only
@pytest.mark.parametrize("child, parent", [
    (DerivaMLSchemaError, DerivaMLConfigurationError),
    (DerivaMLAuthenticationError, DerivaMLConfigurationError),
    (DerivaMLOfflineError, DerivaMLConfigurationError),
    (DerivaMLSchemaPinned, DerivaMLConfigurationError),
    (DerivaMLNotFoundError, DerivaMLDataError),
    (DerivaMLDatasetNotFound, DerivaMLNotFoundError),
    (DerivaMLTableNotFound, DerivaMLNotFoundError),
    (DerivaMLFeatureNotFound, DerivaMLNotFoundError),
    (DerivaMLInvalidTerm, DerivaMLNotFoundError),
    (DerivaMLRidsNotFound, DerivaMLNotFoundError),
    (NoAssociationException, DerivaMLNotFoundError),
    (DerivaMLTableTypeError, DerivaMLDataError),
    (DerivaMLValidationError, DerivaMLDataError),
    (DerivaMLMaterializeLimitExceeded, DerivaMLValidationError),
    (DerivaMLCycleError, DerivaMLDataError),
    (DerivaMLStateInconsistency, DerivaMLDataError),
    (AmbiguousAssociationException, DerivaMLDataError),
    (DerivaMLWorkflowError, DerivaMLExecutionError),
    (DerivaMLDirtyWorkflowError, DerivaMLWorkflowError),
    (DerivaMLUploadError, DerivaMLExecutionError),
    (DerivaMLReadOnlyError, DerivaMLException),
    # Our own names stay where existing `except` clauses expect them.
    (errors.DerivaMLCycleError, errors.DerivaMLConflict),
    (errors.DerivaMLNeedsMigration, errors.DerivaMLConflict),
    (errors.DerivaMLNeedsMigration, DerivaMLSchemaError),
    (DerivaMLNotFoundError, LookupError),
    (DerivaMLValidationError, ValueError),
])
def test_the_hierarchy_is_deriva_mls(child, parent):
    assert issubclass(child, parent)


@pytest.mark.local_only
def test_our_old_names_are_deriva_mls_classes():
    assert errors.DerivaMLNotFound is DerivaMLNotFoundError
    assert errors.DerivaMLReadOnly is DerivaMLReadOnlyError


@pytest.mark.local_only
@pytest.mark.parametrize("error, attributes", [
    (DerivaMLDatasetNotFound("1-ABCD"), {"dataset_rid": "1-ABCD"}),
    (DerivaMLDatasetNotFound("1-ABCD", message="Dataset 1-ABCD does not exist."),
     {"dataset_rid": "1-ABCD"}),
    (DerivaMLFeatureNotFound("Image", "Quality"), {"table_name": "Image",
                                                   "feature_name": "Quality"}),
    (DerivaMLRidsNotFound({"2-B", "1-A"}), {"missing_rids": {"1-A", "2-B"}}),
    (DerivaMLCycleError(["1-A", "2-B", "1-A"]), {"cycle_nodes": ["1-A", "2-B", "1-A"]}),
    (DerivaMLTableTypeError("Dataset", "1-A"), {"table_type": "Dataset", "table": "1-A"}),
    (AmbiguousAssociationException("Image", "Dataset", 2), {"count": 2}),
    (DerivaMLDirtyWorkflowError("train.py", [" M train.py"]), {"dirty_paths": [" M train.py"]}),
    (DerivaMLInvalidTerm("Dataset_Type", "Nope", known=["Training"]), {"term": "Nope"}),
    (DerivaMLMaterializeLimitExceeded(12, 10), {"actual_count": 12, "limit": 10}),
])
def test_errors_cross_processes_with_their_message_and_attributes(error, attributes):
    copy = pickle.loads(pickle.dumps(error))  # as from a parallel sweep job
    assert type(copy) is type(error) and str(copy) == str(error)
    assert {k: getattr(copy, k) for k in attributes} == attributes


@pytest.mark.local_only
def test_messages_follow_deriva_ml():
    assert str(DerivaMLDatasetNotFound("1-ABCD")) == "Dataset not found: 1-ABCD"
    assert str(DerivaMLTableNotFound("Image")) == "Table not found: Image"
    assert str(DerivaMLFeatureNotFound("Image", "Q")) == "Feature not found: Q on Image"
    assert str(DerivaMLRidsNotFound(["2-B", "1-A"])) == "RIDs not found in catalog: ['1-A', '2-B']"
    assert str(DerivaMLCycleError(["A", "B"])) == "Cycle detected: ['A', 'B']"
    assert str(NoAssociationException("A", "B")) == "No association tables found between A and B."
    dirty = str(DerivaMLDirtyWorkflowError("train.py", ["?? out.txt"]))
    assert "train.py" in dirty and "?? out.txt" in dirty and "--allow-dirty" in dirty


# -- what raises them --------------------------------------------------------------------------
def test_unknown_names_and_rids_raise_deriva_mls_classes(ml):
    ml.create_table("Subject", [("Name", "text")])
    ml.add_dataset_element_type("Subject")
    (subject,) = ml.insert_rows("Subject", [{"Name": "s1"}])
    with pytest.raises(DerivaMLDatasetNotFound, match="Dataset 1-ZZZZ does not exist") as e:
        ml.lookup_dataset("1-ZZZZ")
    assert e.value.dataset_rid == "1-ZZZZ"
    with pytest.raises(DerivaMLTableTypeError, match="is a row of Subject, not a dataset") as e:
        ml.lookup_dataset(subject["RID"])
    assert (e.value.table_type, e.value.table) == ("Dataset", subject["RID"])
    with pytest.raises(DerivaMLTableNotFound, match="no table named 'Nowhere'") as e:
        ml.find_table("Nowhere")
    assert e.value.table_name == "Nowhere"
    with pytest.raises(DerivaMLFeatureNotFound, match="no feature 'Quality'") as e:
        ml.lookup_feature("Subject", "Quality")
    assert (e.value.table_name, e.value.feature_name) == ("Subject", "Quality")
    with pytest.raises(DerivaMLRidsNotFound, match="RID 1-ZZZZ does not exist") as e:
        ml.resolve_rid("1-ZZZZ")
    assert e.value.missing_rids == {"1-ZZZZ"}
    dataset = ml.create_dataset("Complete", description="d")
    with pytest.raises(DerivaMLRidsNotFound, match="Subject has no rows with RID") as e:
        ml.add_dataset_members(dataset, {"Subject": [subject["RID"], "1-ZZZZ", "1-ZZZY"]})
    assert e.value.missing_rids == {"1-ZZZZ", "1-ZZZY"}


def test_a_table_of_the_wrong_kind_is_a_table_type_error(ml):
    dataset = ml.create_dataset("Complete", description="d")
    with pytest.raises(DerivaMLTableTypeError, match="Dataset is not a vocabulary table") as e:
        ml.add_term("Dataset", "Nope", description="not a vocabulary")
    assert (e.value.table_type, e.value.table) == ("vocabulary", "Dataset")
    with pytest.raises(DerivaMLTableTypeError, match="Workflow is not an asset table") as e:
        ml.list_assets("Workflow")
    assert e.value.table_type == "asset table"
    with pytest.raises(DerivaMLTableTypeError, match="not an execution") as e:
        ml.lookup_execution(dataset.dataset_rid)
    assert (e.value.table_type, e.value.table) == ("Execution", dataset.dataset_rid)
    with pytest.raises(DerivaMLValidationError):  # what existing code catches still holds
        ml.lookup_term("Dataset", "Nope")


def test_nesting_a_dataset_in_its_descendant_names_the_cycle(ml):
    outer = ml.create_dataset("Complete", description="outer")
    inner = ml.create_dataset("Complete", description="inner")
    ml.add_dataset_members(outer, [inner.dataset_rid])
    with pytest.raises(DerivaMLCycleError, match="would make a cycle") as e:
        ml.add_dataset_members(inner, [outer.dataset_rid])
    assert e.value.cycle_nodes == [inner.dataset_rid, outer.dataset_rid, inner.dataset_rid]


# -- constants ---------------------------------------------------------------------------------
@pytest.mark.local_only
def test_rid_regex_matches_the_rids_catalogs_mint():
    for n in (0, 31, 32**4 - 1, 32**4, 123456789):
        rid = encode(n)
        match = re.match(rid_regex, f"{rid}@{encode(n + 1)}")
        assert match and match["rid"] == rid and match["snapshot"] == encode(n + 1)
    assert not re.match(rid_regex, "1-abcd") and not re.match(rid_regex, "1-ABCDE")
    (pattern,) = typing.get_args(RID)[1:]
    assert typing.get_origin(RID) is typing.Annotated and pattern.pattern == rid_regex


def test_column_sets_and_tables_match_the_catalog(ml):
    model = ml.catalog.model()
    asset = model.table("deriva-ml", "Execution_Asset")
    assert DerivaSystemColumns == ["RID", "RCT", "RMT", "RCB", "RMB"]
    assert set(DerivaSystemColumns) <= set(asset.column_names)
    assert DerivaAssetColumns <= set(asset.column_names)
    assert {t.value for t in MLTable} - {"Asset"} <= set(model.schemas["deriva-ml"])
    assert SYSTEM_SCHEMAS.isdisjoint(ml.profile.domain_schemas)


# -- FileSpec ----------------------------------------------------------------------------------
@pytest.mark.local_only
def test_filespecs_of_a_directory_carry_md5_length_and_types(tmp_path):
    (tmp_path / "data" / "sub").mkdir(parents=True)
    (tmp_path / "data" / "a.png").write_bytes(b"\x89PNG...")
    (tmp_path / "data" / "sub" / "b.csv").write_text("x,y\n1,2\n")
    specs = list(FileSpec.create_filespecs(
        tmp_path / "data", "Raw data", lambda p: ["Image"] if p.suffix == ".png" else []))
    assert [s.length for s in specs] == [7, 8]
    assert specs[1].md5 == hashlib.md5(b"x,y\n1,2\n").hexdigest()
    assert [s.file_types for s in specs] == [["File", "Image"], ["File"]]
    assert specs[0].url.startswith("tag://") and specs[0].url.endswith(
        f":file://{(tmp_path / 'data' / 'a.png').as_posix()}")
    assert {s.description for s in specs} == {"Raw data"}


@pytest.mark.local_only
def test_filespecs_round_trip_through_json_lines(tmp_path):
    (tmp_path / "a.txt").write_text("hello")
    (spec,) = FileSpec.create_filespecs(tmp_path / "a.txt", "greeting", ["Text"])
    lines = tmp_path / "files.jsonl"
    lines.write_text(f"{spec.model_dump_json()}\n\n{spec.model_dump_json(by_alias=True)}\n")
    assert list(FileSpec.read_filespec(lines)) == [spec, spec]
    assert spec.model_dump(by_alias=True)["MD5"] == hashlib.md5(b"hello").hexdigest()
    assert FileSpec(url=spec.url, md5=spec.md5, length=5).file_types == []
    with pytest.raises(DerivaMLValidationError, match="not a file URL"):
        FileSpec(url="https://example.org/a.txt", md5=spec.md5, length=5)
    with pytest.raises(DerivaMLValidationError, match="no such file"):
        list(FileSpec.create_filespecs(tmp_path / "missing", "none"))


# -- logging, validation settings, upload types ------------------------------------------------
@pytest.mark.local_only
def test_loggers_are_under_derivaml(monkeypatch):
    assert get_logger().name == "derivaml"
    assert get_logger("dataset").name == get_logger("derivaml.dataset").name == "derivaml.dataset"
    assert get_logger("deriva_ml.dataset").name == "derivaml.dataset"
    logger = get_logger()
    monkeypatch.setattr(logger, "handlers", [])
    for name in ("derivaml", "deriva", "hydra"):
        monkeypatch.setattr(logging.getLogger(name), "level", logging.getLogger(name).level)
    handler = logging.NullHandler()
    assert configure_logging(logging.INFO, deriva_level=logging.ERROR, handler=handler) is logger
    assert logger.handlers == [handler] and logger.level == logging.INFO
    assert logging.getLogger("hydra").level == logging.INFO
    assert logging.getLogger("deriva").level == logging.ERROR
    configure_logging(logging.DEBUG)
    assert logger.handlers == [handler]  # never a second handler


@pytest.mark.local_only
def test_hydra_context_is_detected(tmp_path):
    from hydra import initialize_config_dir

    assert not is_hydra_initialized()
    with initialize_config_dir(config_dir=str(tmp_path), version_base=None):
        assert is_hydra_initialized()
    assert not is_hydra_initialized()


@pytest.mark.local_only
def test_validation_settings_and_upload_types():
    assert VALIDATION_CONFIG is DERIVA_ML_CONFIG and VALIDATION_CONFIG["arbitrary_types_allowed"]
    assert STRICT_VALIDATION_CONFIG == {**VALIDATION_CONFIG, "extra": "forbid"}
    assert [s.name for s in UploadState][:2] == ["success", "failed"]
    assert FileUploadState(state=UploadState.success, status="ok", result={"RID": "1-A"}).rid \
        == "1-A"
    assert FileUploadState(state=UploadState.failed, status="lost", result=None).rid is None


# -- VocabularyTermHandle ----------------------------------------------------------------------
def test_a_term_handle_writes_its_description_and_synonyms_through(ml):
    ml.add_term("Dataset_Type", "Holdout", description="Held out")
    term = VocabularyTermHandle(ml, "Dataset_Type", **ml.lookup_term("Dataset_Type", "Holdout"))
    term.description = "Kept apart for the final test"
    term.synonyms = ["Held_Out", "Final_Test"]
    assert term.synonyms == ("Held_Out", "Final_Test")
    assert (term["Name"], term["Description"], term.get("Synonyms")) == (
        "Holdout", "Kept apart for the final test", ["Held_Out", "Final_Test"])
    assert dict(term)["RID"] == term.rid and term.get("Nope", 1) == 1
    row = ml.lookup_term("Dataset_Type", "final_test")  # found by its new synonym
    assert (row["Name"], row["Description"]) == ("Holdout", "Kept apart for the final test")
    term.delete()
    with pytest.raises(DerivaMLInvalidTerm):
        ml.lookup_term("Dataset_Type", "Holdout")


def test_lookup_term_and_add_term_return_handles_as_deriva_ml_does(ml):
    term = ml.lookup_term("Dataset_Type", "training")
    assert isinstance(term, VocabularyTermHandle)
    assert (term.name, term["Name"], term.rid) == ("Training", "Training", term["RID"])
    added = ml.add_term("Dataset_Type", "Holdout", description="Held out", synonyms=["HO"])
    assert isinstance(added, VocabularyTermHandle) and added.synonyms == ("HO",)
    assert ml.add_term("Dataset_Type", "ho", description="again") == added


def test_a_term_in_use_is_not_deleted(ml):
    term = VocabularyTermHandle(ml, "Dataset_Type", **ml.lookup_term("Dataset_Type", "Training"))
    ml.create_dataset("Training", description="uses the term")
    with pytest.raises(DerivaMLException):
        term.delete()
    assert ml.lookup_term("Dataset_Type", "Training")["RID"] == term.rid
