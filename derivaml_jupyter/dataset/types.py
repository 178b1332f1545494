"""A dataset's ``Dataset_Type`` tags, changed the way deriva-ml's ``Dataset`` changes them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..catalog.contract import Table
from ..core.definitions import ML_SCHEMA, MLVocab, VersionPart

if TYPE_CHECKING:
    from ..ml import DerivaML


class DatasetTypes:
    """Mixed into ``Dataset`` (which has ``_ml``, ``dataset_rid``, ``execution_rid`` and
    ``dataset_types``). A call that changes the tags releases a new minor version; one that
    changes nothing (a tag already there, or absent) releases none. Terms may be names,
    synonyms or terms as ``lookup_term`` returns them; unknown ones raise
    ``DerivaMLInvalidTerm``."""

    _ml: DerivaML
    dataset_rid: str
    execution_rid: str | None

    def _type_names(self, terms: Any) -> list[str]:
        terms = terms if isinstance(terms, (list, tuple, set)) else [terms]
        names = [t["Name"] if isinstance(t, Mapping) else getattr(t, "name", t) for t in terms]
        return list(dict.fromkeys(self._ml._check_terms(MLVocab.dataset_type, names)))

    def add_dataset_type(self, dataset_type: Any) -> None:
        """Tag the dataset with a ``Dataset_Type`` term, e.g. ``"Training"``."""
        self.add_dataset_types([dataset_type])

    def add_dataset_types(self, dataset_types: Any) -> None:
        """Tag the dataset with one term or a list of them."""
        new = [t for t in self._type_names(dataset_types) if t not in self.dataset_types]
        if new:
            with self._ml.catalog.transaction():
                self._ml.catalog.insert(ML_SCHEMA, "Dataset_Dataset_Type",
                                        [{"Dataset": self.dataset_rid, "Dataset_Type": t}
                                         for t in new])
                self._release(f"Added dataset type(s): {', '.join(new)}.")

    def remove_dataset_type(self, dataset_type: Any) -> None:
        """Remove a ``Dataset_Type`` tag from the dataset."""
        (name,) = self._type_names(dataset_type)
        if name in self.dataset_types:
            with self._ml.catalog.transaction():
                self._ml.catalog.delete(ML_SCHEMA, "Dataset_Dataset_Type",
                                        {"Dataset": self.dataset_rid, "Dataset_Type": name})
                self._release(f"Removed dataset type: {name}.")

    def _release(self, description: str) -> None:
        version = self._ml.current_dataset_version(self.dataset_rid)
        self._ml._new_version(self.dataset_rid, version.next_release(VersionPart.minor),
                              description, self.execution_rid)

    def list_dataset_element_types(self) -> list[Table]:
        """Tables whose rows can be dataset members."""
        return self._ml.list_dataset_element_types()
