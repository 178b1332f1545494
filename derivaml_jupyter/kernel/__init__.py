"""The kernel side of DerivaML in Jupyter: ``%load_ext derivaml`` registers the
``%derivaml`` / ``%%derivaml`` magics; ``derivaml.config_picker()`` is the widget.

Loading the extension imports only IPython's magic machinery: pandas, Hydra and the
catalog load when a magic first runs.
"""

from __future__ import annotations

from typing import Any


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics on ``ipython``. Never raises: a failure is printed instead, so
    ``%load_ext derivaml`` cannot break a notebook."""
    try:
        from .magics import DerivaMLMagics

        ipython.register_magics(DerivaMLMagics)
    except Exception as exc:  # noqa: BLE001 - an extension must not fail hard
        print(f"derivaml: could not register the %derivaml magics: {type(exc).__name__}: {exc}")


def unload_ipython_extension(ipython: Any) -> None:
    """Remove the ``%derivaml`` / ``%%derivaml`` magics from ``ipython``."""
    for kind in ("line", "cell"):
        ipython.magics_manager.magics[kind].pop("derivaml", None)
