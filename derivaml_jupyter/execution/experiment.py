"""``Experiment``: an execution seen through the Hydra configuration it ran with (deriva-ml's
``deriva_ml.experiment.Experiment``).

Runs through ``run_model`` / ``run_notebook`` record Hydra's files as ``Execution_Metadata``
of their execution: ``hydra-<run>-config.yaml`` (the composed config) and
``hydra-<run>-hydra.yaml`` (whose ``hydra.runtime.choices`` name the config picked in each
group). An ``Experiment`` reads them back.

Example::

    exp = ml.lookup_experiment(execution_rid)
    exp.name, exp.config_choices, exp.model_config
    exp.display_markdown()
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.definitions import ML_SCHEMA

if TYPE_CHECKING:
    from ..asset.record import Asset
    from ..dataset.dataset import Dataset
    from ..ml import DerivaML
    from .records import ExecutionRecord

METADATA = "Execution_Metadata"
CONFIG_SUFFIX, HYDRA_SUFFIX, OVERRIDES_SUFFIX = "-config.yaml", "-hydra.yaml", "-overrides.yaml"


def hydra_metadata(ml: DerivaML, execution_rid: str) -> dict[str, dict]:
    """The ``Execution_Metadata`` rows an execution produced, by file name (one joined read)."""
    rows = ml.catalog.select_linked(
        ML_SCHEMA, METADATA, via=(ML_SCHEMA, f"{METADATA}_Execution", METADATA),
        where={"Execution": execution_rid, "Asset_Role": "Output"})
    return {r["Filename"]: r for r in rows if r.get("Filename")}


def asset_text(ml: DerivaML, row: Mapping[str, Any]) -> str:
    """The text of the file of asset ``row`` (its ``URL`` and ``Filename``)."""
    with tempfile.TemporaryDirectory() as tmp:
        dest = Path(tmp) / row["Filename"]
        ml.catalog.get_object(row["URL"], dest)
        return dest.read_text(encoding="utf-8")


def metadata_name(files: Mapping[str, dict], suffix: str) -> str | None:
    """The first name (in order) of ``files`` (as ``hydra_metadata`` returns them) ending
    with ``suffix``; None without one."""
    return next((n for n in sorted(files) if n.endswith(suffix)), None)


def metadata_text(ml: DerivaML, files: Mapping[str, dict], suffix: str) -> str | None:
    """The text of the file of ``files`` named ``metadata_name(files, suffix)``; None without
    one."""
    name = metadata_name(files, suffix)
    return None if name is None else asset_text(ml, files[name])


def read_hydra_config(ml: DerivaML, execution_rid: str) -> dict[str, Any]:
    """The execution's composed Hydra config, with ``config_choices`` (the choice of each
    config group, Hydra's own groups left out) added; empty when it recorded none."""
    import yaml

    files = hydra_metadata(ml, execution_rid)

    def load(suffix: str) -> dict:
        return yaml.safe_load(metadata_text(ml, files, suffix) or "") or {}

    config = load(CONFIG_SUFFIX)
    choices = ((load(HYDRA_SUFFIX).get("hydra") or {}).get("runtime") or {}).get("choices")
    if choices is not None:
        config["config_choices"] = {k: v for k, v in choices.items()
                                    if not k.startswith("hydra/")}
    return config


class Experiment:
    """An execution with its Hydra configuration: ``name`` (its ``model_config`` choice, else
    the RID), ``config_choices``, ``model_config``, inputs and outputs, and a Markdown
    summary. ``ml.lookup_experiment(rid)`` and ``ml.find_experiments()`` make them."""

    def __init__(self, ml: DerivaML, execution_rid: str):
        self.ml = ml
        self.execution_rid = execution_rid
        self._execution: ExecutionRecord | None = None
        self._hydra_config: dict | None = None

    def __repr__(self) -> str:
        return f"Experiment(name={self.name!r}, rid={self.execution_rid!r})"

    @property
    def execution(self) -> ExecutionRecord:
        """The execution's record (read once)."""
        if self._execution is None:
            self._execution = self.ml.lookup_execution(self.execution_rid)
        return self._execution

    @property
    def hydra_config(self) -> dict:
        """The composed Hydra config the execution ran with, plus ``config_choices``; empty
        when it recorded none."""
        if self._hydra_config is None:
            self._hydra_config = read_hydra_config(self.ml, self.execution_rid)
        return self._hydra_config

    @property
    def config_choices(self) -> dict[str, str]:
        """The config chosen in each group, e.g. ``{"model_config": "cifar10_quick"}``."""
        return self.hydra_config.get("config_choices", {})

    @property
    def model_config(self) -> dict[str, Any]:
        """The ``model_config`` section of the config: the model's parameters."""
        return self.hydra_config.get("model_config", {})

    @property
    def name(self) -> str:
        return self.config_choices.get("model_config", self.execution_rid)

    @property
    def description(self) -> str:
        return self.execution.description or ""

    @property
    def status(self) -> str:
        status = self.execution.status
        return str(status) if status else ""

    @property
    def input_datasets(self) -> list[Dataset]:
        return self.execution.list_input_datasets()

    @property
    def input_assets(self) -> list[Asset]:
        return self.execution.list_assets(asset_role="Input")

    @property
    def output_assets(self) -> list[Asset]:
        return self.execution.list_assets(asset_role="Output")

    def get_chaise_url(self) -> str:
        """Where the execution's row is shown: its Chaise page on a DERIVA server, its
        citation (``local://...``) on a local catalog."""
        return self.ml.catalog.url_for(self.execution_rid)

    def _model_parameters(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_config.items() if not k.startswith("_")}

    def summary(self) -> dict[str, Any]:
        """The experiment as a dict: name, RID, description, status, config choices, model
        parameters, input datasets, input / output / metadata assets and URL."""
        def brief(asset: Asset) -> dict[str, Any]:
            return {"asset_rid": asset.asset_rid, "asset_table": asset.asset_table,
                    "filename": asset.filename, "description": asset.description,
                    "asset_types": asset.asset_types, "url": asset.url}

        inputs, outputs = self.input_assets, self.output_assets
        metadata = {a.asset_rid: brief(a) for a in [*inputs, *outputs]
                    if a.asset_table == METADATA}
        return {
            "name": self.name, "execution_rid": self.execution_rid,
            "description": self.description, "status": self.status,
            "config_choices": self.config_choices, "model_config": self._model_parameters(),
            "input_datasets": [{"dataset_rid": ds.dataset_rid, "description": ds.description,
                                "version": str(ds.current_version),
                                "dataset_types": ds.dataset_types}
                               for ds in self.input_datasets],
            "input_assets": [brief(a) for a in inputs if a.asset_table != METADATA],
            "output_assets": [brief(a) for a in outputs if a.asset_table != METADATA],
            "metadata_assets": list(metadata.values()),
            "url": self.get_chaise_url(),
        }

    def to_markdown(self, show_datasets: bool = True, show_assets: bool = True) -> str:
        """A Markdown summary: name and link, description, config choices, model parameters
        and (optionally) input datasets and input assets."""
        lines = [f"### {self.name} ([{self.execution_rid}]({self.get_chaise_url()}))"]
        if self.description:
            lines.append(f"**Description:** {self.description}")
        if self.config_choices:
            lines.append("**Configuration Choices:** " + ", ".join(
                f"`{k}={v}`" for k, v in sorted(self.config_choices.items())))
        if parameters := self._model_parameters():
            lines.append("**Model Configuration:**")
            lines += [f"- **{k}**: {v}" for k, v in sorted(parameters.items())]
        if show_datasets and (datasets := self.input_datasets):
            lines.append("**Input Datasets:**")
            lines += [ds.to_markdown(show_children=True, indent=0) for ds in datasets]
        if show_assets and (assets := self.input_assets):
            lines.append("**Input Assets:**")
            lines += [f"- [{a.asset_rid}]({a.get_chaise_url()}): {a.filename}" for a in assets]
        return "\n".join(lines)

    def display_markdown(self, show_datasets: bool = True, show_assets: bool = True) -> None:
        """Show ``to_markdown()`` in Jupyter."""
        from IPython.display import Markdown, display

        display(Markdown(self.to_markdown(show_datasets, show_assets)))
