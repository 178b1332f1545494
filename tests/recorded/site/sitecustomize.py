"""Installs the recorded HTTP layer in each Python process a recorded test starts (this
folder is put first on their PYTHONPATH by tests/recorded/conftest.py)."""

import os

if os.environ.get("DERIVAML_RECORDED_MODE"):
    import importlib.util
    import sys
    from pathlib import Path

    _package = Path(__file__).resolve().parents[1]
    _spec = importlib.util.spec_from_file_location(
        "recorded", _package / "__init__.py", submodule_search_locations=[str(_package)])
    sys.modules["recorded"] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules["recorded"])

    from recorded.transport import Settings, install

    install(Settings.from_environment())
