"""Local rows as the target stores them: foreign keys rewritten through the mapping, columns
and words of the target's schema profile (status words, duration columns, optional columns a
catalog made by deriva-ml lacks)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ...core.definitions import ML_SCHEMA
from ...core.errors import DerivaMLException
from ...schema.profile import SchemaProfile
from ..contract import SYSTEM_COLUMNS, Catalog, Model, Table
from .plan import Plan, is_rid_link

# Column types whose values come back from a server as they were sent.
COMPARABLE_TYPES = {"text", "markdown", "int2", "int4", "int8", "boolean", "ermrest_uri",
                    "ermrest_curie", "ermrest_rid"}


@dataclass
class Rewriter:
    """Makes target rows of local ones (``mapping``: local RID -> target RID)."""

    local: Catalog
    remote_model: Model
    plan: Plan
    mapping: Mapping[str, str]
    source_profile: SchemaProfile
    target_profile: SchemaProfile

    def target_rid(self, rid: str | None) -> str | None:
        if rid is None or rid in self.plan.identity:
            return rid
        if rid not in self.mapping:
            raise DerivaMLException(f"Internal error: {rid} was not pushed before a row "
                                    "referring to it.")
        return self.mapping[rid]

    def row(self, t: Table, row: Mapping[str, Any], deferred: set[str],
            url: str | None = None) -> dict[str, Any]:
        """``row`` of local table ``t`` for the target (``deferred`` columns left empty, to be
        filled in once their rows are there; ``url`` the asset's object there)."""
        links = {fk.columns[0] for fk in t.foreign_keys if is_rid_link(fk)}
        here = set(self.remote_model.table(t.schema, t.name).column_names)
        out: dict[str, Any] = {}
        for name, value in row.items():
            if name in SYSTEM_COLUMNS:
                continue
            if name in deferred:
                value = None
            elif name in links:
                value = self.target_rid(value)
            out[name] = value
        if url is not None:
            out["URL"] = url
        if (t.schema, t.name) == (ML_SCHEMA, "Execution"):
            out = self._execution(out)
        elif (t.schema, t.name) == (ML_SCHEMA, "Dataset_Version"):
            out["Snapshot"] = None  # the target's snapshot once the push is done
        elif (t.schema, t.name) == (ML_SCHEMA, "Workflow"):
            types = self.source_profile.workflow_types(self.local, [row])[row["RID"]]
            out |= self.target_profile.workflow_values(types)
        return {k: v for k, v in out.items() if k in here}

    def _execution(self, row: dict[str, Any]) -> dict[str, Any]:
        status = self.source_profile.status_of(row.get("Status"))
        values = self.target_profile.execution_values(**{**row, "Status": None})
        values["Status"] = self.target_profile.status_word(status) if status \
            else row.get("Status")
        return values


def same_content(t: Table, ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> bool:
    """Whether a target row holds the values of ``ours`` (columns compared by value where a
    server returns them as sent)."""
    return all(theirs.get(name) == value for name, value in ours.items()
               if name in t.column_names and t.column(name).type in COMPARABLE_TYPES)
