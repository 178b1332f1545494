"""DerivaML — ML runs with full provenance, native to Jupyter.

The user API, importable flat::

    from derivaml import DerivaML, ExecutionConfiguration, DatasetSpec, Status

Names load on first use, so ``import derivaml`` is fast.
"""

from ._lazy import EXPORTS, lazy_exports

__version__ = "0.1.0"
__all__ = sorted(EXPORTS)
__getattr__, __dir__ = lazy_exports(__all__)
