"""``Listing``: the list of objects a ``find_*``/``list_*`` method returns, which a notebook
shows as a table.

deriva-ml's listings are lists of objects (``Dataset``, ``ExecutionRecord``,
``VocabularyTerm``, ...), so ported code that iterates one gets objects here too; the same
list renders as a table in Jupyter and converts with ``to_dataframe()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .errors import DerivaMLValidationError

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")
Rows = Callable[[Sequence[Any]], list[dict[str, Any]]]


class Listing(list[T]):
    """A list of objects with a table view.

    ``rows`` turns the items into one dict per item, all at once (so a listing of many
    datasets reads their versions in one query, not one per dataset); ``columns`` names the
    table's columns in order; a slice is a ``Listing`` too (one page of a table).

    Example::

        datasets = ml.find_datasets()
        for ds in datasets:
            print(ds.dataset_rid, ds.description)
        datasets.to_dataframe()       # or just show ``datasets`` in a notebook cell
    """

    def __init__(self, items: Iterable[T], rows: Rows, columns: Sequence[str]):
        super().__init__(items)
        self._rows = rows
        self._columns = list(columns)

    def __getitem__(self, index):
        found = super().__getitem__(index)
        return Listing(found, self._rows, self._columns) if isinstance(index, slice) else found

    def to_dataframe(self) -> pd.DataFrame:
        """The items as a DataFrame, one row per item."""
        import pandas as pd

        return pd.DataFrame(self._rows(list(self)) if self else [], columns=self._columns)

    def _repr_html_(self) -> str:
        return self.to_dataframe()._repr_html_()



def sort_order(sort: bool | None) -> list[str]:
    """Row order of a ``find_*`` listing from deriva-ml's ``sort``: None, creation order;
    True, newest first."""
    if sort is None or sort is False:
        return ["RCT"]
    if sort is True:
        return ["-RCT"]
    raise DerivaMLValidationError(
        f"sort={sort!r} is not supported here: deriva-ml's sort callables take deriva-py "
        "path-builder columns. Pass sort=True (newest first) or None (creation order).")
