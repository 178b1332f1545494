"""``derivaml.config_picker``: dropdowns from the project's config store, driven without a
browser."""

from __future__ import annotations

import pytest

import derivaml
from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.core.errors import DerivaMLValidationError


def test_picker_lists_options_and_runs_the_chosen_one(shell, project):
    picker = derivaml.config_picker("analysis", namespace=shell.user_ns)
    datasets = picker.dropdowns["datasets"]
    assert dict(datasets.options) == {"default_dataset": "default_dataset",
                                      "subjects — Two subjects.": "subjects"}
    assert datasets.value == "default_dataset"
    assert set(picker.dropdowns) == {"deriva_ml", "datasets", "assets"}
    assert picker.overrides == []

    datasets.value = "subjects"
    picker.extra.value = "threshold=0.25  # lower"
    assert picker.overrides == ["datasets=subjects", "threshold=0.25"]
    picker.button.click()

    execution = shell.user_ns["execution"]
    assert picker.message.value == f"Started Execution {execution.execution_rid}"
    assert shell.user_ns["config"].threshold == 0.25
    record = project.ml.lookup_execution(execution.execution_rid)
    assert record.status == "Running"
    assert [d["rid"] for d in record.inputs["datasets"]] == [project.dataset]


def test_picker_experiment_group_and_errors(shell, project):
    (project.root / "src" / "configs" / "experiments.py").write_text(
        "from hydra_zen import store\n"
        "store({'defaults': ['_self_', {'override /datasets': 'subjects'}], 'threshold': 0.9,\n"
        "       'description': 'Strict run.'}, group='experiment', package='_global_',\n"
        "      name='strict')\n")
    picker = derivaml.config_picker("analysis", namespace=shell.user_ns)
    experiment = picker.dropdowns["experiment"]
    assert dict(experiment.options) == {"(none)": "", "strict — Strict run.": "strict"}
    experiment.value = "strict"
    assert picker.overrides == ["+experiment=strict"]
    picker.button.click()
    assert picker.message.value.startswith("Started"), picker.message.value
    assert shell.user_ns["config"].threshold == 0.9
    assert shell.user_ns["config"].config_choices["experiment"] == "strict"
    record = project.ml.lookup_execution(shell.user_ns["execution"].execution_rid)
    assert [d["rid"] for d in record.inputs["datasets"]] == [project.dataset]

    before = project.ml.catalog.count(ML_SCHEMA, "Execution")
    experiment.value = ""
    picker.extra.value = "datasets=nope"
    picker.button.click()
    assert "Unknown option &#x27;nope&#x27; for config group &#x27;datasets&#x27;" in \
        picker.message.value
    assert project.ml.catalog.count(ML_SCHEMA, "Execution") == before


def test_default_config_name_and_pick_magic(shell, project, monkeypatch):
    assert derivaml.config_picker(namespace={}).config_name == "analysis"  # the only one
    (project.root / "src" / "configs" / "report.py").write_text(
        "from derivaml import notebook_config\nnotebook_config('report')\n")
    with pytest.raises(DerivaMLValidationError, match="one of analysis, report"):
        derivaml.config_picker(namespace={})
    monkeypatch.setenv("JPY_SESSION_NAME", str(project.root / "notebooks" / "report.ipynb"))
    assert derivaml.config_picker(namespace={}).config_name == "report"
    assert shell.run_cell("%derivaml pick --config analysis").success
    assert not shell.run_cell("%derivaml pick --status Running").success


def test_picker_switches_config_and_renders_descriptions(shell, project):
    (project.root / "src" / "configs" / "report.py").write_text(
        "from hydra_zen import store\n"
        "from derivaml import notebook_config, with_description\n"
        "notebook_config('report', defaults={'datasets': 'described'})\n"
        "store(with_description([], '## Held out\\n\\nNo **subjects**; <b>x</b>.'),\n"
        "      group='datasets', name='described')\n")
    picker = derivaml.config_picker("analysis", namespace=shell.user_ns)
    assert dict(picker.config.options) == {"analysis — Analysis.": "analysis",
                                           "report": "report"}
    picker.config.value = "report"
    datasets = picker.dropdowns["datasets"]
    assert (picker.config_name, datasets.value) == ("report", "described")
    assert dict(datasets.options)["described — Held out"] == "described"
    about = picker.children[picker.children.index(datasets) + 1]
    assert "<h2>Held out</h2>" in about.value and "<strong>subjects</strong>" in about.value
    assert "&lt;b&gt;" in about.value  # HTML in a description is shown, never run
    datasets.value = "subjects"
    assert "Two subjects." in about.value
    assert picker.overrides == ["datasets=subjects"]
