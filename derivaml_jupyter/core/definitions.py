"""Names shared by every layer: schema names, vocabularies, statuses, asset types."""

from __future__ import annotations

from enum import StrEnum

ML_SCHEMA = "deriva-ml"
DOMAIN_SCHEMA = "domain"
DRY_RUN_RID = "0000"

SYSTEM_SCHEMAS: frozenset[str] = frozenset({"public", "www", "WWW"})
"""Schemas of DERIVA itself: neither the ML schema nor a domain schema."""

DerivaSystemColumns = ["RID", "RCT", "RMT", "RCB", "RMB"]
"""The columns every catalog table has: RID, creation and modification time and user."""

DerivaAssetColumns = {"Filename", "URL", "Length", "MD5", "Description", *DerivaSystemColumns}
"""The columns every asset table has."""


class MLVocab(StrEnum):
    """The controlled vocabularies of the ``deriva-ml`` schema."""

    dataset_type = "Dataset_Type"
    workflow_type = "Workflow_Type"
    asset_type = "Asset_Type"
    asset_role = "Asset_Role"
    execution_status = "Execution_Status"
    feature_name = "Feature_Name"


class MLTable(StrEnum):
    """The core tables of the ``deriva-ml`` schema."""

    dataset = "Dataset"
    workflow = "Workflow"
    file = "File"
    asset = "Asset"
    execution = "Execution"
    execution_execution = "Execution_Execution"
    dataset_version = "Dataset_Version"
    execution_metadata = "Execution_Metadata"
    execution_asset = "Execution_Asset"


class Status(StrEnum):
    """Execution statuses. Values are the ``Execution_Status`` terms stored in the catalog;
    ``Status.running`` etc. are the spellings user code uses."""

    created = "Created"
    running = "Running"
    stopped = "Stopped"
    failed = "Failed"
    pending_upload = "Pending_Upload"
    uploaded = "Uploaded"
    aborted = "Aborted"
    # Friendly aliases used in the documentation.
    completed = "Stopped"
    pending = "Pending_Upload"
    initializing = "Created"


ExecutionStatus = Status


class ExecAssetType(StrEnum):
    """Asset types the framework itself assigns."""

    execution_config = "Execution_Config"
    runtime_env = "Runtime_Env"
    hydra_config = "Hydra_Config"
    deriva_config = "Deriva_Config"
    metrics_file = "Metrics_File"
    status_history = "Status_History"  # ours: recorded by derivaml push, which adds it
    execution_metadata = "Execution_Metadata"
    execution_asset = "Execution_Asset"
    input_file = "Input_File"
    output_file = "Output_File"
    model_file = "Model_File"
    notebook_output = "Notebook_Output"


class MLAsset(StrEnum):
    """The ``deriva-ml`` schema's own asset tables (deriva-ml's ``MLAsset``)."""

    execution_metadata = "Execution_Metadata"
    execution_asset = "Execution_Asset"


class ExecMetadataType(StrEnum):
    """``Asset_Type`` terms of the files the framework records in ``Execution_Metadata``
    (deriva-ml's ``ExecMetadataType``; the same terms are members of ``ExecAssetType``)."""

    execution_config = ExecAssetType.execution_config.value
    runtime_env = ExecAssetType.runtime_env.value
    hydra_config = ExecAssetType.hydra_config.value
    deriva_config = ExecAssetType.deriva_config.value
    metrics_file = ExecAssetType.metrics_file.value


class VersionPart(StrEnum):
    major = "major"
    minor = "minor"
    patch = "patch"
