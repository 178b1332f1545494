"""The configs of a project under the server root, listed in a separate process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .client import api, api_error

CONFIGS = {
    "__init__.py": "",
    "model.py": '''
from hydra_zen import builds, store

from derivaml_jupyter.config import with_description

store(builds(dict, learning_rate=1e-3), group="model_config", name="default_model")
store(builds(dict, learning_rate=1e-2, description="Quick run: ten times the rate"),
      group="model_config", name="quick")
store(with_description([], "No input datasets."), group="datasets", name="default_dataset")
''',
    "deriva.py": '''
from hydra_zen import builds, store

from derivaml import DerivaMLConfig

deriva = store(group="deriva_ml")
deriva(builds(DerivaMLConfig, populate_full_signature=True)(catalog_id="proj"), name="local")
deriva(builds(DerivaMLConfig, populate_full_signature=True)(
    hostname="deriva.example.org", catalog_id="7"), name="lab")
''',
    "experiments.py": '''
from hydra_zen import make_config, store

from derivaml_jupyter.config import multirun_config

store(make_config(hydra_defaults=["_self_", {"override /model_config": "quick"}],
                  description="Fast experiment"),
      group="experiment", package="_global_", name="fast")
store(make_config(description="The main config",
                  hydra_defaults=["_self_", {"deriva_ml": "lab"}]), name="deriva_model")
multirun_config("rates", ["model_config.learning_rate=0.1,0.01"], description="Rate sweep")
''',
}


@pytest.fixture
def project(jp_root_dir: Path) -> Path:
    configs = jp_root_dir / "projects" / "demo" / "src" / "configs"
    configs.mkdir(parents=True)
    for name, text in CONFIGS.items():
        (configs / name).write_text(text.lstrip())
    return configs.parents[1]


async def test_configs_lists_groups_options_and_multiruns(jp_fetch, project):
    listing = await api(jp_fetch, "configs", params={"path": "projects/demo"})
    assert listing["groups"]["model_config"] == [
        {"name": "default_model", "description": ""},
        {"name": "quick", "description": "Quick run: ten times the rate"}]
    assert listing["groups"]["datasets"] == [
        {"name": "default_dataset", "description": "No input datasets."}]
    assert listing["groups"]["experiment"] == [
        {"name": "fast", "description": "Fast experiment"}]
    assert listing["configs"] == [{"name": "deriva_model", "description": "The main config",
                                   "defaults": {"deriva_ml": "lab"}}]
    assert listing["multiruns"] == [{"name": "rates", "description": "Rate sweep",
                                     "overrides": ["model_config.learning_rate=0.1,0.01"]}]


async def test_configs_are_not_imported_into_the_server(jp_fetch, project):
    await api(jp_fetch, "configs", params={"path": "projects/demo"})
    assert not [name for name in sys.modules if name == "configs" or name.startswith("configs.")]


async def test_a_broken_config_module_is_reported(jp_fetch, project):
    (project / "src" / "configs" / "broken.py").write_text("raise RuntimeError('typo here')\n")
    code, body = await api_error(jp_fetch, "configs", params={"path": "projects/demo"})
    assert code == 500
    assert body["message"] == "Loading the configs of demo failed: RuntimeError: typo here"


@pytest.mark.parametrize("path", ["..", "projects/../../outside", "/etc"])
async def test_paths_outside_the_root_are_400(jp_fetch, project, path):
    code, body = await api_error(jp_fetch, "configs", params={"path": path})
    assert code == 400 and body["error"] == "DerivaMLValidationError"
    assert "outside the Jupyter server's root directory" in body["message"]


async def test_a_folder_without_configs_is_404(jp_fetch, project):
    code, body = await api_error(jp_fetch, "configs", params={"path": "projects"})
    assert code == 404 and "src/configs/__init__.py" in body["message"]


async def test_a_folder_inside_a_project_gives_that_project(jp_fetch, project):
    (project / "notebooks" / "drafts").mkdir(parents=True)
    listing = await api(jp_fetch, "configs", params={"path": "projects/demo/notebooks/drafts"})
    assert listing["project"] == "projects/demo"
    assert listing["groups"]["model_config"][1]["name"] == "quick"


async def test_the_catalogs_the_project_names(jp_fetch, project):
    listing = await api(jp_fetch, "configs", params={"path": "projects/demo"})
    assert listing["catalogs"] == [
        {"name": "lab", "host": "deriva.example.org", "catalog": "7"},
        {"name": "local", "host": "local", "catalog": "proj"}]
    assert listing["catalog"] == listing["catalogs"][0]  # what deriva_model chooses


async def test_the_local_catalogs_are_listed(jp_fetch, ml, tmp_path):
    from derivaml_jupyter.ml import DerivaML

    DerivaML("local", "second")
    assert await api(jp_fetch, "catalogs") == {"local": ["default", "second"]}
