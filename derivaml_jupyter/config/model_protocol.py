"""``DerivaMLModel``: the shape of a model function ``run_model`` calls."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class DerivaMLModel(Protocol):
    """A model: hyper-parameters configured by Hydra, plus ``ml_instance`` and ``execution``
    passed by ``run_model``. It writes its outputs with ``execution.asset_file_path`` and
    returns nothing.

    Example::

        def train(epochs: int = 10, ml_instance=None, execution=None) -> None: ...

        isinstance(train, DerivaMLModel)  # True: any callable passes the runtime check
    """

    def __call__(self, *args: Any, ml_instance: Any, execution: Any, **kwargs: Any) -> None:
        """Run the model inside ``execution``."""
