"""Create the ``deriva-ml`` schema (idempotently) and seed its vocabularies."""

from __future__ import annotations

from ..catalog.contract import Catalog, Column, ForeignKey, Table
from ..core.definitions import DOMAIN_SCHEMA, ML_SCHEMA, MLVocab
from ..core.errors import DerivaMLNotFound, DerivaMLValidationError
from .builders import asset_table, association_table, link, vocabulary_table
from .profile import SchemaProfile

SEED_TERMS: dict[str, list[tuple[str, str]]] = {
    MLVocab.asset_type: [
        ("Execution_Config", "Configuration of an execution."),
        ("Runtime_Env", "The software environment an execution ran in."),
        ("Hydra_Config", "Hydra configuration files of a run."),
        ("Deriva_Config", "The DerivaML execution configuration."),
        ("Metrics_File", "Metrics written by an execution."),
        ("Execution_Metadata", "Metadata recorded about an execution."),
        ("Execution_Asset", "A file produced by an execution."),
        ("File", "A file."),
        ("Input_File", "A file an execution read."),
        ("Output_File", "A file an execution wrote."),
        ("Model_File", "Trained model weights or a serialized model."),
        ("Notebook_Output", "An executed notebook and its rendered Markdown."),
    ],
    MLVocab.asset_role: [("Input", "Read by the execution."), ("Output", "Written by it.")],
    MLVocab.dataset_type: [
        ("Complete", "Every element of a collection."),
        ("File", "A dataset of files."),
        ("Directory", "A dataset mirroring a directory."),
        ("Training", "Data to train on."),
        ("Testing", "Data to test on."),
        ("Validation", "Data to validate on."),
        ("Split", "A dataset whose children partition it."),
        ("Labeled", "Elements carry labels."),
        ("Unlabeled", "Elements carry no labels."),
    ],
    MLVocab.workflow_type: [
        ("Training", "Model training."),
        ("Testing", "Model testing."),
        ("Prediction", "Running a model on new data."),
        ("Inference", "Running predictions on new data."),
        ("Preprocessing", "Data cleaning and transformation."),
        ("Evaluation", "Model evaluation and metrics."),
        ("Annotation", "Adding labels or features."),
        ("Feature_Creation", "Computing features."),
        ("Visualization", "Plots and figures."),
        ("Analysis", "Analysis, e.g. a notebook."),
        ("Analysis Notebook", "A notebook run with run_notebook or deriva-ml-run-notebook."),
        ("Ingest", "Loading data into the catalog."),
        ("Data_Cleaning", "Fixing data."),
        ("Dataset_Management", "Creating and curating datasets."),
    ],
    MLVocab.execution_status: [
        ("Created", "Recorded, not started."),
        ("Running", "Running."),
        ("Stopped", "Finished without error; outputs not yet uploaded."),
        ("Failed", "Raised an error."),
        ("Pending_Upload", "Outputs being uploaded."),
        ("Uploaded", "Finished and outputs uploaded."),
        ("Aborted", "Abandoned."),
    ],
    MLVocab.feature_name: [],
}

ML_ASSET_TABLES = ("Execution_Metadata", "Execution_Asset", "File")


def ml_tables(curie_prefix: str | None = None) -> list[Table]:
    """Every table of the ``deriva-ml`` schema, in creation (dependency) order; the ``ID`` of
    vocabulary terms is ``<curie_prefix>:<RID>`` (default ``ml``, ``deriva-ml`` for workflow
    types)."""
    s = ML_SCHEMA
    vocab = {v: vocabulary_table(s, v, curie_prefix or (
        "deriva-ml" if v == MLVocab.workflow_type else "ml")) for v in MLVocab}
    workflow = Table(s, "Workflow", [
        Column("Name", "text"), Column("Description", "markdown"), Column("URL", "ermrest_uri"),
        Column("Checksum", "text"), Column("Version", "text"),
    ])
    execution = Table(s, "Execution", [
        Column("Workflow", "text"), Column("Description", "markdown"),
        Column("Execution_Duration", "text"), Column("Download_Duration", "text"),
        Column("Upload_Duration", "text"), Column("Status", "text"),
        Column("Status_Detail", "text"), Column("Start_Time", "timestamptz"),
        Column("Stop_Time", "timestamptz"),
    ], foreign_keys=[
        ForeignKey(("Workflow",), s, "Workflow"),
        ForeignKey(("Status",), s, MLVocab.execution_status, ("Name",)),
    ])
    dataset = Table(s, "Dataset", [
        Column("Description", "markdown"), Column("Deleted", "boolean"), Column("Version", "text"),
    ])
    dataset_version = Table(s, "Dataset_Version", [
        Column("Version", "text", nullok=False, default="0.1.0"), Column("Description", "markdown"),
        Column("Dataset", "text", nullok=False), Column("Execution", "text"),
        Column("Minid", "text"), Column("Minid_Spec_Hash", "text"), Column("Snapshot", "text"),
    ], keys=[("Dataset", "Version")], foreign_keys=[
        ForeignKey(("Dataset",), s, "Dataset"), ForeignKey(("Execution",), s, "Execution"),
    ])
    tables = [*vocab.values(), workflow, execution, dataset, dataset_version]
    tables += [
        association_table(s, "Dataset_Dataset_Type",
                          [link("Dataset", dataset), link("Dataset_Type", vocab["Dataset_Type"])]),
        association_table(s, "Dataset_Dataset",
                          [link("Dataset", dataset), link("Nested_Dataset", dataset)]),
        association_table(s, "Dataset_Execution",
                          [link("Dataset", dataset), link("Execution", execution)],
                          extra=[Column("Dataset_Version", "text")],
                          extra_fkeys=[ForeignKey(("Dataset_Version",), s, "Dataset_Version")]),
        association_table(s, "Execution_Execution",
                          [link("Execution", execution), link("Nested_Execution", execution)],
                          extra=[Column("Sequence", "int4")]),
        association_table(s, "Workflow_Workflow_Type",
                          [link("Workflow", workflow),
                           link("Workflow_Type", vocab["Workflow_Type"])]),
    ]
    assets = {name: asset_table(s, name) for name in ML_ASSET_TABLES}
    for asset in assets.values():
        tables += asset_support_tables(asset, vocab["Asset_Type"], vocab["Asset_Role"], execution)
    tables.append(association_table(s, "Dataset_File", [link("Dataset", dataset),
                                                        link("File", assets["File"])]))
    return tables


def asset_support_tables(asset: Table, asset_type: Table, asset_role: Table,
                         execution: Table) -> list[Table]:
    """An asset table with its ``<Asset>_Asset_Type`` and ``<Asset>_Execution`` associations."""
    return [
        asset,
        association_table(asset.schema, f"{asset.name}_Asset_Type",
                          [link(asset.name, asset), link("Asset_Type", asset_type)]),
        association_table(asset.schema, f"{asset.name}_Execution",
                          [link(asset.name, asset), link("Execution", execution)],
                          extra=[Column("Asset_Role", "text")],
                          extra_fkeys=[ForeignKey(("Asset_Role",), ML_SCHEMA, asset_role.name,
                                                  ("Name",))]),
    ]


def open_ml_schema(catalog: Catalog, domain_schema: str | None = None
                   ) -> tuple[SchemaProfile, str]:
    """The profile of ``catalog`` and the domain schema new tables go to.

    A catalog without the ``deriva-ml`` schema gets ours; one with our complete schema gets
    the domain schema if it lacks it; a catalog a deriva-ml release made is left as it is (a
    domain schema named but missing there is an error)."""
    if not catalog.model().schemas.get(ML_SCHEMA):
        ensure_ml_schema(catalog, domain_schema or DOMAIN_SCHEMA)
    profile = SchemaProfile.read(catalog)
    if profile.status_terms and not _seeded(catalog):  # ours, being made by a parallel job
        seed_terms(catalog)
    profile.check_required()
    found, named = profile.domain_schemas, domain_schema is not None
    if not named:
        if len(found) > 1 and DOMAIN_SCHEMA not in found:
            raise DerivaMLValidationError(
                f"Catalog {catalog.catalog_id} on {catalog.hostname} has several domain "
                f"schemas ({', '.join(found)}): pass domain_schema= one of them. New tables "
                "go there; tables of all of them are found.")
        domain_schema = found[0] if len(found) == 1 else DOMAIN_SCHEMA
    if domain_schema not in found and profile.complete:
        catalog.create_schema(domain_schema, "The project's own tables.")
        profile = SchemaProfile.read(catalog)
    elif domain_schema not in found and named:
        raise DerivaMLNotFound(
            f"Catalog {catalog.catalog_id} on {catalog.hostname} has no schema "
            f"{domain_schema!r}; its domain schemas are: {', '.join(found) or '(none)'}. Pass "
            "one of them as domain_schema (DerivaML does not change the schema of a catalog "
            "made by deriva-ml).")
    return profile, domain_schema


def ensure_ml_schema(catalog: Catalog, domain_schema: str) -> None:
    """Create the ``deriva-ml`` schema, its seeded terms and the domain schema if missing."""
    tables = ml_tables()
    model = catalog.model()
    if (all(model.has_table(t.schema, t.name) for t in tables)
            and domain_schema in model.schemas):
        return
    with catalog.transaction():
        catalog.create_model({ML_SCHEMA: "DerivaML: datasets, workflows and executions.",
                              domain_schema: "The project's own tables."}, tables)
        seed_terms(catalog)


def seed_terms(catalog: Catalog) -> None:
    """Add the terms DerivaML seeds to the vocabularies of the ``deriva-ml`` schema, skipping
    those there already."""
    for vocabulary, terms in SEED_TERMS.items():
        catalog.insert(ML_SCHEMA, vocabulary, [{"Name": n, "Description": d} for n, d in terms],
                       on_conflict_skip=True)


def _seeded(catalog: Catalog) -> bool:
    """Whether the last vocabulary seeded with terms holds them all: the seeding of a new catalog
    is finished, not under way in a parallel job that created the tables."""
    vocabulary, terms = [(v, t) for v, t in SEED_TERMS.items() if t][-1]
    return catalog.count(ML_SCHEMA, vocabulary,
                         where={"Name": [n for n, _ in terms]}) == len(terms)
