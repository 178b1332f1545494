"""The parts of ``derivaml reproduce`` that need no catalog: the dataset version pins it adds
to a recorded config, and the report of how the environment changed."""

from __future__ import annotations

from pathlib import Path

from derivaml_jupyter.execution.provenance import runtime_environment
from derivaml_jupyter.runners.reproduce import dataset_pins
from derivaml_jupyter.runners.reproduce_env import environment_diff
from derivaml_jupyter.runners.reproduce_git import worktree

from . import reproduce_helpers as helpers


def test_pins_follow_the_composed_config_shapes():
    config = {"datasets": {
        "_target_": "derivaml_jupyter.config.specs.DescribedList",
        "_args_": [[{"_target_": "DatasetSpec", "rid": "1-ABCD", "version": None},
                    {"_target_": "DatasetSpec", "rid": "1-abce", "version": "0.2.0"},
                    "1-ABCF@0.1.0", "1-ABCG"]],
        "description": "1-ABCD is not a dataset here"}}
    versions = {"1-ABCD": "1.0.0", "1-ABCE": "0.2.0", "1-ABCF": "0.3.0", "1-ABCG": "2.0.0"}
    assert dataset_pins(config, versions) == [
        "++datasets._args_.0.0.version='1.0.0'",
        "++datasets._args_.0.2='1-ABCF@0.3.0'",
        "++datasets._args_.0.3='1-ABCG@2.0.0'",
    ]
    assert dataset_pins({"datasets": []}, versions) == []
    assert dataset_pins({}, versions) == []


def test_environment_diff_reports_python_and_package_changes():
    current = runtime_environment()
    recorded = {**current, "python": {**current["python"], "version": "3.10.4 (main)"},
                "packages": {**current["packages"], "Gone_Package": "1.0"}}
    name = next(iter(current["packages"]))
    recorded["packages"][name] = "0.0.1"
    extra = sorted(current["packages"])[-1]
    del recorded["packages"][extra]

    diff = environment_diff(recorded, current)
    assert diff.python[0].endswith("3.10.4") and diff.python[1] != diff.python[0]
    normalized = name.lower().replace("_", "-")
    assert diff.changed == {normalized: ("0.0.1", current["packages"][name])}
    assert diff.missing == {"gone-package": "1.0"}
    assert diff.added == {extra.lower().replace("_", "-"): current["packages"][extra]}
    report = diff.report()
    assert f"{normalized}: 0.0.1 -> {current['packages'][name]}" in report
    assert "gone-package: 1.0 recorded, not installed now" in report
    assert environment_diff(current, current).same
    assert "the same Python" in environment_diff(current, current).report()


def test_worktree_is_removed_after_use(tmp_path: Path):
    def git(*args: str) -> str:
        return helpers.git(tmp_path, *args)

    git("init", "-q")
    (tmp_path / "a.txt").write_text("first")
    git("add", "a.txt")
    git("commit", "-qm", "one")
    first = git("rev-parse", "HEAD").strip()
    (tmp_path / "a.txt").write_text("second")
    git("commit", "-qam", "two")
    with worktree(tmp_path, first) as tree:
        assert (tree / "a.txt").read_text() == "first"
        assert str(tree) in git("worktree", "list")
    assert not tree.exists()
    assert git("worktree", "list").count("\n") == 1
