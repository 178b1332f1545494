"""``%load_ext derivaml`` and the ``%derivaml`` / ``%%derivaml`` magics in a real IPython
shell on a real local catalog."""

from __future__ import annotations

import subprocess
import sys

import pytest

from derivaml_jupyter.catalog.connect import local_catalog_path
from derivaml_jupyter.core.definitions import ML_SCHEMA
from derivaml_jupyter.execution.execution import Execution

HEAVY = ("pandas", "hydra", "hydra_zen", "omegaconf", "papermill", "nbconvert", "ipywidgets",
         "bdbag", "deriva")


def test_load_ext_registers_magics_without_heavy_imports():
    script = (
        "import sys\n"
        "from IPython.testing.globalipapp import start_ipython\n"
        "ip = start_ipython()\n"
        f"heavy = {HEAVY!r}\n"
        "assert not [m for m in heavy if m in sys.modules], 'shell alone imported them'\n"
        "ip.run_line_magic('load_ext', 'derivaml')\n"
        "magics = ip.magics_manager.magics\n"
        "print('line', 'derivaml' in magics['line'], 'cell', 'derivaml' in magics['cell'])\n"
        "print('loaded', sorted(m for m in heavy if m in sys.modules))\n"
    )
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    assert "line True cell True" in r.stdout
    assert "loaded []" in r.stdout


def test_extension_never_fails_hard_and_unloads(shell, capsys):
    import derivaml

    derivaml.load_ipython_extension(object())  # not a shell: reported, not raised
    assert "could not register the %derivaml magics" in capsys.readouterr().out
    shell.run_line_magic("unload_ext", "derivaml")
    assert "derivaml" not in shell.magics_manager.magics["line"]
    assert "derivaml" not in shell.magics_manager.magics["cell"]
    shell.run_line_magic("load_ext", "derivaml")
    assert "derivaml" in shell.magics_manager.magics["cell"]


def _execution_row(ml, rid: str) -> dict:
    return ml.catalog.select(ML_SCHEMA, "Execution", where={"RID": rid})[0]


@pytest.mark.real_server
def test_cell_magic_starts_a_run_and_upload_finishes_it(shell, project, capsys):
    result = shell.run_cell(
        "%%derivaml analysis datasets=subjects\n"
        "threshold=0.75   # stricter\n"
        "# a comment line\n")
    assert result.success, result.error_in_exec
    ml, execution, config = (shell.user_ns[n] for n in ("ml", "execution", "config"))
    assert isinstance(execution, Execution)
    assert config.threshold == 0.75
    assert (ml.hostname, ml.catalog_id) == (project.ml.hostname, project.ml.catalog_id)
    rid = execution.execution_rid
    assert _execution_row(project.ml, rid)["Status"] == "Running"
    inputs = project.ml.lookup_execution(rid).inputs["datasets"]
    assert [(d["rid"], d["version"]) for d in inputs] == [(project.dataset, project.version)]
    shown = capsys.readouterr().out
    assert f"Execution {rid}" in shown and "Running" in shown
    assert f"{project.dataset} ({project.version})" in shown and "datasets=subjects" in shown
    recorded = project.ml.lookup_workflow(execution.workflow_rid)
    assert f"{recorded.name} ({execution.workflow_rid})" in shown

    path = execution.asset_file_path("Execution_Asset", "result.txt")
    path.write_text("0.75\n")
    shell.run_line_magic("derivaml", "status")
    shown = capsys.readouterr().out
    assert "Running" in shown and "result.txt (pending)" in shown

    shell.run_line_magic("derivaml", "upload")
    assert _execution_row(project.ml, rid)["Status"] == "Uploaded"
    shown = capsys.readouterr().out
    assert "Uploaded" in shown and "1 file(s)" in shown and "result.txt" in shown
    outputs = project.ml.lookup_execution(rid).outputs["assets"]
    assert [r["Filename"] for r in outputs["Execution_Asset"]] == ["result.txt"]

    executions = shell.run_line_magic("derivaml", "executions")
    assert list(executions["RID"]) == [rid]
    assert list(executions["Status"]) == ["Uploaded"]
    assert shell.run_line_magic("derivaml", "executions --status running").empty
    datasets = shell.run_line_magic("derivaml", "datasets")
    assert list(datasets["RID"]) == [project.dataset]


def test_catalog_option_and_a_second_run(shell, project, capsys):
    from derivaml_jupyter.ml import DerivaML

    other = DerivaML("local", "other")
    assert shell.run_cell("%%derivaml analysis --catalog other\n# defaults\n").success
    first = shell.user_ns["execution"]
    assert shell.user_ns["ml"].catalog_id == "other"
    assert _execution_row(other, first.execution_rid)["Status"] == "Running"
    assert project.ml.catalog.count(ML_SCHEMA, "Execution") == 0
    first.asset_file_path("Execution_Asset", "partial.txt").write_text("half done\n")
    capsys.readouterr()
    assert shell.run_cell("%derivaml run analysis --catalog other").success
    shown = capsys.readouterr().out
    assert f"the previous execution {first.execution_rid} was still Running: it is now " \
        "Aborted" in shown
    assert f"its 1 staged file(s) stay in {first.working_dir}" in shown
    second = shell.user_ns["execution"].execution_rid
    assert second != first.execution_rid
    row = _execution_row(other, first.execution_rid)
    assert row["Status"] == "Aborted"
    assert row["Status_Detail"] == f"Replaced by execution {second} (the cell was run again)"
    assert _execution_row(other, second)["Status"] == "Running"


def test_config_name_may_be_left_to_the_notebook(shell, project, monkeypatch):
    monkeypatch.setenv("JPY_SESSION_NAME", str(project.root / "notebooks" / "analysis.ipynb"))
    assert shell.run_cell("%derivaml run datasets=subjects").success
    assert shell.user_ns["config"].config_choices["datasets"] == "subjects"
    assert shell.user_ns["config"].description == "Analysis."


def test_bad_override_is_a_clear_error_and_records_nothing(shell, project, capsys):
    result = shell.run_cell("%%derivaml analysis\ndatasets=nope\n")
    assert not result.success
    err = capsys.readouterr().err
    assert "UsageError" in err and "Traceback" not in err
    assert "Unknown option 'nope' for config group 'datasets'" in err
    assert "default_dataset, subjects" in err
    assert "execution" not in shell.user_ns
    assert project.ml.catalog.count(ML_SCHEMA, "Execution") == 0


@pytest.mark.parametrize("cell, says", [
    ("%%derivaml no_such_config\n# x\n", "There is no notebook config 'no_such_config' in "
     "this project. Known: analysis."),
    ("%derivaml run no_such_config", "There is no notebook config 'no_such_config'"),
    ("%%derivaml analysis deriva_ml.catalog_id=nosuchcatalog\n# x\n",
     "There is no local catalog 'nosuchcatalog'. Create it with `derivaml init"),
    ("%derivaml run analysis --catalog nosuchcatalog", "There is no local catalog"),
    ("%%derivaml analysis datasets=[{rid:1-ZZZZ,version:1.0.0}]\n# x\n",
     "datasets is a config group: choose one of its options by name, e.g. "
     "datasets=default_dataset (options: default_dataset, subjects)"),
])
def test_wrong_names_are_one_line_errors_and_make_nothing(shell, project, capsys, cell, says):
    assert not shell.run_cell(cell).success
    err = capsys.readouterr().err
    assert "UsageError" in err and says in err and "Traceback" not in err
    assert "execution" not in shell.user_ns
    assert project.ml.catalog.count(ML_SCHEMA, "Execution") == 0
    assert project.ml.catalog.count(ML_SCHEMA, "Workflow") == 0
    assert not local_catalog_path("nosuchcatalog").exists()


def test_unknown_field_and_missing_execution_are_usage_errors(shell, project, capsys):
    assert not shell.run_cell("%derivaml run analysis no_such_field=1").success
    err = capsys.readouterr().err
    assert "UsageError" in err and "no_such_field" in err
    assert project.ml.catalog.count(ML_SCHEMA, "Execution") == 0
    assert not shell.run_cell("%derivaml upload").success
    assert "run a %%derivaml cell" in capsys.readouterr().err
    assert not shell.run_cell("%derivaml executions --status sideways").success
    assert "Unknown execution status 'sideways'" in capsys.readouterr().err
    assert not shell.run_cell("%derivaml status --catalog other").success
    assert "%derivaml status does not take --catalog" in capsys.readouterr().err


def test_configs_lists_groups_options_and_notebook_configs(shell, project):
    table = shell.run_line_magic("derivaml", "configs")
    rows = {(g, o): d for g, o, d in table[["Group", "Option", "Description"]].itertuples(
        index=False)}
    assert rows[("datasets", "subjects")] == "Two subjects."
    assert ("datasets", "default_dataset") in rows and ("deriva_ml", "default_deriva") in rows
    assert rows[("notebook config", "analysis")] == "Analysis."


def test_catalog_option_browses_another_catalog(shell, project):
    from derivaml_jupyter.ml import DerivaML

    other = DerivaML("local", "other")
    other.create_dataset("Training", description="elsewhere")
    assert list(shell.run_line_magic("derivaml", "datasets --catalog other")["Description"]) \
        == ["elsewhere"]
    assert list(shell.run_line_magic("derivaml", "datasets")["RID"]) == [project.dataset]


def test_help_shows_both_magics_usage(shell, project, capsys):
    assert shell.run_cell("%derivaml help").success
    shown = capsys.readouterr().out
    assert "%derivaml [--host HOST]" in shown and "%%derivaml [--host HOST]" in shown
    assert "run,status,upload,datasets,executions,compare,configs,pick,help" in shown


def test_compare_puts_two_runs_side_by_side(shell, project, capsys):
    rids = []
    for threshold, accuracy in (("0.25", 0.8), ("0.75", 0.9)):
        assert shell.run_cell(f"%%derivaml analysis\nthreshold={threshold}\n").success
        execution = shell.user_ns["execution"]
        execution.asset_file_path("Execution_Metadata", "metrics.json").write_text(
            f'{{"accuracy": {accuracy}}}')
        shell.run_line_magic("derivaml", "upload")
        rids.append(execution.execution_rid)
    table = shell.run_line_magic("derivaml", f"compare {rids[0]} {rids[1]} --diff")
    assert list(table.columns) == rids
    assert table.loc[("metrics", "accuracy")].tolist() == [0.8, 0.9]
    assert table.loc[("config", "threshold")].tolist() == [0.25, 0.75]
    assert ("execution", "workflow") not in table.index  # the same for both
    capsys.readouterr()
    assert not shell.run_cell(f"%derivaml compare {rids[0]}").success
    assert "Give two or more execution RIDs" in capsys.readouterr().err
