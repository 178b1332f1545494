"""Controlled vocabularies: seeded terms, adding and looking up terms, and bad input."""

from __future__ import annotations

import pickle

import pytest

from derivaml_jupyter.core.definitions import ML_SCHEMA, MLVocab
from derivaml_jupyter.core.errors import (
    DerivaMLConflict,
    DerivaMLInvalidTerm,
    DerivaMLNotFound,
    DerivaMLValidationError,
)
from derivaml_jupyter.ml import DerivaML
from derivaml_jupyter.schema.ml_schema import SEED_TERMS


def term_count(ml, vocabulary: str) -> int:
    t = ml.find_table(vocabulary)
    return ml.catalog.count(t.schema, t.name)


def test_seeded_vocabularies(ml):
    assert {v.name for v in ml.list_vocabularies()} >= {v.value for v in MLVocab}
    statuses = {t.name for t in ml.list_vocabulary_terms(MLVocab.execution_status)}
    assert statuses == {"Created", "Running", "Stopped", "Failed", "Pending_Upload",
                        "Uploaded", "Aborted"}
    assert {"Complete", "Training", "Testing", "Split"} <= {
        t.name for t in ml.list_vocabulary_terms(MLVocab.dataset_type)}


def test_add_and_look_up_a_term_by_name_or_synonym(ml):
    ml.create_vocabulary("Diagnosis", comment="What the grader saw.")
    added = ml.add_term("Diagnosis", "Glaucoma", description="Optic nerve damage.",
                        synonyms=["GL", "glaucomatous"])
    assert added["ID"].endswith(added["RID"]) and added["URI"] == f"/id/{added['RID']}"
    for spelling in ("Glaucoma", "glaucoma", "GL", "GLAUCOMATOUS"):
        assert ml.lookup_term("Diagnosis", spelling)["RID"] == added["RID"]
    (term,) = ml.list_vocabulary_terms("Diagnosis")  # deriva-ml's VocabularyTerm
    assert (term.name, term.description, term.synonyms, term.rid, term.id, term.uri) == (
        "Glaucoma", "Optic nerve damage.", ("GL", "glaucomatous"), added["RID"], added["ID"],
        added["URI"])


def test_vocabulary_terms_show_as_a_table(ml):
    ml.create_vocabulary("Diagnosis", comment="What the grader saw.")
    ml.add_term("Diagnosis", "Glaucoma", description="Optic nerve damage.", synonyms=["GL"])
    ml.add_term("Diagnosis", "Cataract", description="Clouded lens.")
    terms = ml.list_vocabulary_terms("Diagnosis")
    frame = terms.to_dataframe()
    assert list(frame.columns) == ["Name", "Description", "Synonyms", "ID", "URI", "RID"]
    assert list(frame["Name"]) == ["Cataract", "Glaucoma"]
    assert list(frame["Synonyms"]) == [[], ["GL"]]
    html = terms._repr_html_()
    assert html.count("<tr") == 3 and "<th>Synonyms</th>" in html and "Clouded lens." in html


def test_add_term_is_idempotent_unless_told_otherwise(ml):
    first = ml.add_term(MLVocab.workflow_type, "Segmentation", description="Pixel labels.")
    before = term_count(ml, MLVocab.workflow_type)
    assert ml.add_term(MLVocab.workflow_type, "segmentation", description="again") == first
    with pytest.raises(DerivaMLConflict, match="'Segmentation' already exists in Workflow_Type"):
        ml.add_term(MLVocab.workflow_type, "Segmentation", description="again",
                    exists_ok=False)
    assert term_count(ml, MLVocab.workflow_type) == before


def test_unknown_term_names_the_vocabulary_and_the_known_terms(ml):
    with pytest.raises(DerivaMLInvalidTerm) as info:
        ml.lookup_term(MLVocab.asset_role, "Sideways")
    message = str(info.value)
    assert "'Sideways'" in message and "Asset_Role" in message
    assert "Input, Output" in message and "ml.add_term" in message
    assert isinstance(info.value, DerivaMLNotFound)


def test_term_added_to_a_table_that_is_not_a_vocabulary_is_refused(ml):
    ml.create_table("Subject", {"Name": "text"})
    datasets = ml.catalog.count(ML_SCHEMA, "Dataset")
    for table in ("Subject", "Dataset"):
        with pytest.raises(DerivaMLValidationError, match=f"{table} is not a vocabulary"):
            ml.add_term(table, "x", description="y")
    assert ml.catalog.count("domain", "Subject") == 0
    assert ml.catalog.count(ML_SCHEMA, "Dataset") == datasets
    with pytest.raises(DerivaMLNotFound, match="no table named 'Nowhere'"):
        ml.add_term("Nowhere", "x", description="y")


def test_term_needs_a_description(ml):
    before = term_count(ml, MLVocab.dataset_type)
    with pytest.raises(DerivaMLValidationError, match="needs a description"):
        ml.add_term(MLVocab.dataset_type, "Mystery", description="")
    assert term_count(ml, MLVocab.dataset_type) == before


def test_vocabulary_and_table_names_are_unique(ml):
    ml.create_vocabulary("Diagnosis")
    ml.create_table("Subject", {"Name": "text"})
    tables = len(list(ml.catalog.model().tables()))
    with pytest.raises(DerivaMLConflict, match="domain.Diagnosis already exists"):
        ml.create_vocabulary("Diagnosis")
    with pytest.raises(DerivaMLConflict, match="domain.Subject already exists"):
        ml.create_table("Subject", {"Other": "int4"})
    with pytest.raises(DerivaMLConflict, match="domain.Subject already exists"):
        ml.create_asset("Subject")
    assert len(list(ml.catalog.model().tables())) == tables
    assert ml.find_table("Subject").column_names[-1] == "Name"


def test_a_catalog_whose_seeding_was_cut_short_is_seeded_on_connect(ml):
    vocabulary, terms = [(v, t) for v, t in SEED_TERMS.items() if t][-1]
    ml.catalog.delete(ML_SCHEMA, vocabulary, {"Name": [n for n, _ in terms]})
    again = DerivaML(ml.hostname, ml.catalog_id)  # as a parallel job opening a new catalog
    assert term_count(again, vocabulary) == len(terms)


def test_an_invalid_term_error_survives_pickling(ml):
    with pytest.raises(DerivaMLInvalidTerm) as raised:
        ml.lookup_term(MLVocab.workflow_type, "No_Such_Type")
    copy = pickle.loads(pickle.dumps(raised.value))  # as from a sweep job's process
    assert (type(copy), str(copy), copy.term) == (
        DerivaMLInvalidTerm, str(raised.value), "No_Such_Type")


def test_a_seeded_term_a_catalog_lacks_is_added_when_first_used(ml):
    """Catalogs made by deriva-ml releases lack some of our seeded terms, e.g. the workflow type
    "Analysis Notebook" that run_notebook records (deriva-ml's default too)."""
    assert "Analysis Notebook" in {t.name for t in ml.list_vocabulary_terms("Workflow_Type")}
    ml.catalog.delete(ML_SCHEMA, "Workflow_Type", {"Name": ["Analysis Notebook", "Ingest"]})
    with pytest.raises(DerivaMLInvalidTerm, match="'Notebook Analysis'"):
        ml.create_workflow("Report", "Notebook Analysis")  # not ours: still an error
    assert ml.create_workflow("Report", "analysis notebook").workflow_type == [
        "Analysis Notebook"]
    names = {t.name for t in ml.list_vocabulary_terms("Workflow_Type")}
    assert {"Analysis Notebook", "Ingest"} <= names  # data added, like other seeds
