"""A small clinic on a real catalog, for the denormalization, restructuring and framework
tests: subjects, observations of them, images (files) of observations, a Diagnosis feature on
images, and a Split dataset nesting Training and Testing."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from derivaml_jupyter.catalog.contract import ForeignKey
from derivaml_jupyter.dataset.dataset import Dataset
from derivaml_jupyter.execution.configuration import ExecutionConfiguration
from derivaml_jupyter.ml import DerivaML


@dataclass
class Clinic:
    subjects: dict[str, str]  # name -> RID
    observations: dict[str, str]  # "<subject>-<n>" -> RID
    images: dict[str, str]  # filename -> RID
    training: Dataset
    testing: Dataset
    split: Dataset
    labels: dict[str, str] = field(default_factory=dict)  # image RID -> newest diagnosis


def build_clinic(ml: DerivaML, folder: Path, label: bool = True) -> Clinic:
    """Alice (2 observations, 3 images), Bob (1 observation, 1 image), Carol (no observation).
    Training holds Alice and her images; Testing holds Bob's image and Carol. Every image
    but Bob's is diagnosed, Alice's first image twice (Normal, then Glaucoma)."""
    ml.create_table("Subject", {"Name": "text", "Age": "int4"})
    ml.create_table("Observation", {"Date": "date", "Subject": "text"},
                    foreign_keys=[ForeignKey(("Subject",), ml.domain_schema, "Subject")])
    ml.create_asset("Image", {"Side": "text"}, referenced_tables=["Observation"])
    for t in ("Subject", "Image"):
        ml.add_dataset_element_type(t)
    ml.create_vocabulary("Diagnosis_Type", "Diagnoses")
    for term in ("Normal", "Glaucoma"):
        ml.add_term("Diagnosis_Type", term, description=f"{term} eye")
    subjects = {r["Name"]: r["RID"] for r in ml.insert_rows("Subject", [
        {"Name": "Alice", "Age": 70}, {"Name": "Bob", "Age": 50}, {"Name": "Carol", "Age": 30}])}
    obs_rows = ml.insert_rows("Observation", [
        {"Date": "2024-01-01", "Subject": subjects["Alice"]},
        {"Date": "2024-02-01", "Subject": subjects["Alice"]},
        {"Date": "2024-03-01", "Subject": subjects["Bob"]}])
    observations = dict(zip(["Alice-1", "Alice-2", "Bob-1"], (r["RID"] for r in obs_rows)))
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, obs, side in [("a1.png", "Alice-1", "left"), ("a2.png", "Alice-1", "right"),
                            ("a3.png", "Alice-2", "left"), ("b1.png", "Bob-1", "left")]:
        path = folder / name
        path.write_bytes(f"pixels of {name}".encode() * 20)
        info = ml.catalog.put_object("domain/Image", name, path)
        rows.append({"URL": info.url, "Filename": name, "Length": info.length, "MD5": info.md5,
                     "Observation": observations[obs], "Side": side})
    images = {r["Filename"]: r["RID"] for r in ml.insert_rows("Image", rows)}

    training = ml.create_dataset("Training", description="train")
    testing = ml.create_dataset("Testing", description="test")
    training.add_dataset_members({"Image": [images[n] for n in ("a1.png", "a2.png", "a3.png")],
                                  "Subject": [subjects["Alice"]]})
    testing.add_dataset_members({"Image": [images["b1.png"]], "Subject": [subjects["Carol"]]})
    split = ml.create_dataset("Split", description="the split")
    split.add_dataset_members([training.rid, testing.rid])
    clinic = Clinic(subjects, observations, images, training, testing, split)
    if label:
        label_images(ml, clinic)
    return clinic


def label_images(ml: DerivaML, clinic: Clinic) -> None:
    """Diagnose every image but b1.png; a1.png first as Normal, then (later) as Glaucoma."""
    Diagnosis = ml.create_feature("Image", "Diagnosis", terms=["Diagnosis_Type"])
    first = [("a1.png", "Normal"), ("a2.png", "Glaucoma"), ("a3.png", "Normal")]
    for batch in (first, [("a1.png", "Glaucoma")]):
        exe = ml.create_execution(ExecutionConfiguration(
            workflow=ml.create_workflow("Labeling", "Feature_Creation"), description="labels"))
        with exe:
            exe.add_features([Diagnosis(Image=clinic.images[n], Diagnosis_Type=v)
                              for n, v in batch])
        exe.upload_execution_outputs(progress=False)
        clinic.labels.update({clinic.images[n]: v for n, v in batch})
    for ds in (clinic.training, clinic.testing, clinic.split):
        ds.increment_dataset_version(description="labelled")
