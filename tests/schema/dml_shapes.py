"""Catalogs shaped like those deriva-ml releases make, built through the catalog contract, so
the schema adapter is tested without a DERIVA server.

The shapes are what deriva-ml 1.24.0 and 1.17.10 created on a real server (compared table by
table with ``ml_tables()``): no ``Execution_Status``; ``Execution`` with one ``Duration``
column and free-text ``Status``; ``Dataset_Execution`` without ``Dataset_Version``; the
project name as vocabulary CURIE prefix; a domain schema ``demo-schema``. 1.17 also has no
``Execution_Execution`` and no ``Workflow_Workflow_Type`` (a ``Workflow.Workflow_Type`` column
instead), and no ``Dataset_Version.Minid_Spec_Hash``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from derivaml_jupyter.catalog.contract import Catalog, Column, ForeignKey, Table
from derivaml_jupyter.schema.builders import (
    asset_table,
    association_table,
    link,
    vocabulary_table,
)

ML = "deriva-ml"
DOMAIN = "demo-schema"
PROJECT = "ml-test"
RELEASES = ("1.24", "1.17")

ASSET_TYPES = {
    "1.24": ["Execution_Config", "Runtime_Env", "Hydra_Config", "Deriva_Config",
             "Execution_Metadata", "Execution_Asset", "File", "Input_File", "Output_File",
             "Model_File", "Notebook_Output"],
    "1.17": ["Execution_Config", "Runtime_Env", "Execution_Metadata", "Execution_Asset", "File",
             "Input_File", "Output_File", "Model_File", "Notebook_Output"],
}


def ml_schema_tables(release: str) -> list[Table]:
    """The ``deriva-ml`` schema of ``release``, in creation order."""
    vocab = {name: vocabulary_table(ML, name, ML if name == "Workflow_Type" else PROJECT)
             for name in ("Feature_Name", "Asset_Type", "Asset_Role", "Workflow_Type",
                          "Dataset_Type")}
    workflow_columns = [Column("Name"), Column("Description", "markdown"),
                        Column("URL", "ermrest_uri"), Column("Checksum"), Column("Version")]
    workflow_fkeys = []
    if release == "1.17":
        workflow_columns.append(Column("Workflow_Type"))
        workflow_fkeys.append(ForeignKey(("Workflow_Type",), ML, "Workflow_Type", ("Name",)))
    workflow = Table(ML, "Workflow", workflow_columns, foreign_keys=workflow_fkeys)
    execution = Table(ML, "Execution", [
        Column("Workflow"), Column("Description", "markdown"), Column("Duration"),
        Column("Status"), Column("Status_Detail"),
    ], foreign_keys=[ForeignKey(("Workflow",), ML, "Workflow")])
    dataset = Table(ML, "Dataset", [Column("Description", "markdown"),
                                    Column("Deleted", "boolean"), Column("Version")])
    version_columns = [Column("Version", default="0.1.0"), Column("Description", "markdown"),
                       Column("Dataset"), Column("Execution"), Column("Minid"),
                       Column("Minid_Spec_Hash"), Column("Snapshot")]
    if release == "1.17":
        version_columns = [c for c in version_columns if c.name != "Minid_Spec_Hash"]
    dataset_version = Table(ML, "Dataset_Version", version_columns, keys=[("Dataset", "Version")],
                            foreign_keys=[ForeignKey(("Dataset",), ML, "Dataset"),
                                          ForeignKey(("Execution",), ML, "Execution")])
    tables = [*vocab.values(), workflow, execution]
    if release != "1.17":
        tables += [
            association_table(ML, "Workflow_Workflow_Type", [
                link("Workflow", workflow), link("Workflow_Type", vocab["Workflow_Type"])]),
            association_table(ML, "Execution_Execution", [
                link("Execution", execution), link("Nested_Execution", execution)],
                extra=[Column("Sequence", "int4")]),
        ]
    tables += [
        dataset, dataset_version,
        association_table(ML, "Dataset_Dataset_Type", [
            link("Dataset", dataset), link("Dataset_Type", vocab["Dataset_Type"])]),
        association_table(ML, "Dataset_Dataset", [
            link("Dataset", dataset), link("Nested_Dataset", dataset)]),
        association_table(ML, "Dataset_Execution", [
            link("Dataset", dataset), link("Execution", execution)]),
    ]
    for name in ("Execution_Metadata", "Execution_Asset", "File"):
        tables += asset_tables(ML, name, vocab["Asset_Type"], vocab["Asset_Role"], execution)
    tables.append(association_table(ML, "Dataset_File", [
        link("Dataset", dataset), link("File", tables[-3])]))
    return tables


def asset_tables(schema: str, name: str, asset_type: Table, asset_role: Table,
                 execution: Table, columns: list[Column] | None = None,
                 foreign_keys: list[ForeignKey] | None = None) -> list[Table]:
    """An asset table and its associations as deriva-ml makes them (Asset_Role required)."""
    asset = asset_table(schema, name, columns, foreign_keys)
    return [
        asset,
        association_table(schema, f"{name}_Asset_Type",
                          [link(name, asset), link("Asset_Type", asset_type)]),
        association_table(schema, f"{name}_Execution",
                          [link(name, asset), link("Execution", execution)],
                          extra=[Column("Asset_Role", nullok=False)],
                          extra_fkeys=[ForeignKey(("Asset_Role",), ML, "Asset_Role",
                                                  ("Name",))]),
    ]


@dataclass
class DemoCatalog:
    """What ``build`` made: RIDs of the rows a test reads back."""

    release: str
    workflow: str = ""
    execution: str = ""
    subjects: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    parent: str = ""  # Complete dataset: 1.0.0 empty, 1.1.0 with the child and 2 subjects
    child: str = ""  # Training dataset: 1.0.0 with 2 images
    versions: dict[str, list[str]] = field(default_factory=dict)


def build(catalog: Catalog, release: str, files: Path) -> DemoCatalog:
    """A catalog as deriva-ml ``release``'s demo builder leaves it: subjects, images, a
    feature table, nested datasets with versions pinned to snapshots, and the execution that
    made them (status Completed, linked to its datasets through Dataset_Execution)."""
    made = DemoCatalog(release)
    catalog.create_schema(ML)
    catalog.create_schema(DOMAIN)
    tables = ml_schema_tables(release)
    for t in tables:
        catalog.create_table(t)
    ml = {t.name: t for t in tables}
    subject = catalog.create_table(Table(DOMAIN, "Subject", [Column("Name")]))
    catalog.create_table(vocabulary_table(DOMAIN, "SubjectHealth", PROJECT))
    domain = asset_tables(DOMAIN, "Image", ml["Asset_Type"], ml["Asset_Role"], ml["Execution"],
                          [Column("Acquisition_Date", "date"), Column("Subject", nullok=False)],
                          [ForeignKey(("Subject",), DOMAIN, "Subject")])
    domain += [
        association_table(DOMAIN, "Dataset_Subject", [link("Dataset", ml["Dataset"]),
                                                      link("Subject", subject)]),
        association_table(DOMAIN, "Dataset_Image", [link("Dataset", ml["Dataset"]),
                                                    link("Image", domain[0])]),
        Table(DOMAIN, "Execution_Subject_Health", [
            Column("Execution", nullok=False), Column("Subject", nullok=False),
            Column("Feature_Name", nullok=False), Column("SubjectHealth", nullok=False),
            Column("Scale", "int2")],
            keys=[("Execution", "Subject", "Feature_Name")], kind="association",
            foreign_keys=[ForeignKey(("Execution",), ML, "Execution"),
                          ForeignKey(("Subject",), DOMAIN, "Subject"),
                          ForeignKey(("Feature_Name",), ML, "Feature_Name", ("Name",)),
                          ForeignKey(("SubjectHealth",), DOMAIN, "SubjectHealth", ("Name",))]),
    ]
    for t in domain:
        catalog.create_table(t)

    def terms(table: str, names: list[str], schema: str = ML) -> None:
        catalog.insert(schema, table, [{"Name": n, "Description": f"{n}."} for n in names])

    terms("Asset_Type", ASSET_TYPES[release] + ["Image"])
    terms("Asset_Role", ["Input", "Output"])
    terms("Dataset_Type", ["File", "Complete", "Training", "Testing"])
    terms("Workflow_Type", ["Training", "Demo Catalog Creation"])
    terms("Feature_Name", ["Health"])
    terms("SubjectHealth", ["Well", "Sick"], DOMAIN)
    typed = {"Workflow_Type": "Demo Catalog Creation"} if release == "1.17" else {}
    made.workflow = catalog.insert(ML, "Workflow", [{
        "Name": "Demo Catalog", "URL": "https://example.org/demo.py", "Checksum": "0" * 40,
        "Version": "1.0.0", **typed}])[0]["RID"]
    if not typed:
        catalog.insert(ML, "Workflow_Workflow_Type", [
            {"Workflow": made.workflow, "Workflow_Type": "Demo Catalog Creation"}])
    made.execution = catalog.insert(ML, "Execution", [{
        "Workflow": made.workflow, "Description": "Create Dataset",
        "Duration": "0.0H 0.0min 21.5046sec", "Status": "Completed",
        "Status_Detail": "Successfully end the execution."}])[0]["RID"]
    made.subjects = [r["RID"] for r in catalog.insert(
        DOMAIN, "Subject", [{"Name": f"Thing{i}"} for i in range(4)])]
    catalog.insert(DOMAIN, "Execution_Subject_Health", [
        {"Execution": made.execution, "Subject": s, "Feature_Name": "Health",
         "SubjectHealth": "Well", "Scale": 3} for s in made.subjects])
    images = []
    for i, s in enumerate(made.subjects[:2]):
        source = files / f"test_{i}.txt"
        source.parent.mkdir(parents=True, exist_ok=True)
        source.write_text(f"image {i}")
        info = catalog.put_object("Image", source.name, source)
        images.append({"URL": info.url, "Filename": source.name, "Length": info.length,
                       "MD5": info.md5, "Subject": s})
    made.images = [r["RID"] for r in catalog.insert(DOMAIN, "Image", images)]
    catalog.insert(DOMAIN, "Image_Execution", [
        {"Image": r, "Execution": made.execution, "Asset_Role": "Output"} for r in made.images])

    def dataset(kind: str, description: str) -> str:
        rid = catalog.insert(ML, "Dataset", [{"Description": description,
                                              "Deleted": False}])[0]["RID"]
        catalog.insert(ML, "Dataset_Dataset_Type", [{"Dataset": rid, "Dataset_Type": kind}])
        catalog.insert(ML, "Dataset_Execution", [{"Dataset": rid, "Execution": made.execution}])
        return rid

    def release_version(rid: str, version: str, description: str) -> None:
        row = catalog.insert(ML, "Dataset_Version", [{
            "Dataset": rid, "Version": version, "Description": description,
            "Execution": made.execution}])[0]
        catalog.update(ML, "Dataset_Version", [{"RID": row["RID"],
                                                "Snapshot": catalog.snapshot()}])
        catalog.update(ML, "Dataset", [{"RID": rid, "Version": row["RID"]}])
        made.versions.setdefault(rid, []).append(version)

    made.parent = dataset("Complete", "A dataset that is nested")
    release_version(made.parent, "1.0.0", "Initial dataset creation.")
    made.child = dataset("Training", "A dataset")
    catalog.insert(DOMAIN, "Dataset_Image", [{"Dataset": made.child, "Image": r}
                                             for r in made.images])
    release_version(made.child, "1.0.0", "Initial dataset creation.")
    catalog.insert(ML, "Dataset_Dataset", [{"Dataset": made.parent,
                                            "Nested_Dataset": made.child}])
    catalog.insert(DOMAIN, "Dataset_Subject", [{"Dataset": made.parent, "Subject": s}
                                               for s in made.subjects[2:]])
    release_version(made.parent, "1.1.0", "Added by create_datasets")
    return made
