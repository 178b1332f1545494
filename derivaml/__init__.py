"""DerivaML — ML runs with full provenance, native to Jupyter.

The user API, importable flat::

    from derivaml import DerivaML, ExecutionConfiguration, DatasetSpec, Status

Names load on first use, so ``import derivaml`` is fast.
"""

from ._lazy import EXPORTS, lazy_exports

__version__ = "0.1.0"
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy_exports(__all__)


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext derivaml``: register the ``%derivaml`` / ``%%derivaml`` magics."""
    from derivaml_jupyter.kernel import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: object) -> None:
    """``%unload_ext derivaml``: remove the magics."""
    from derivaml_jupyter.kernel import unload_ipython_extension as unload

    unload(ipython)
