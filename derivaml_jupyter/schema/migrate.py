"""``derivaml migrate``: add to a catalog what DerivaML records and a deriva-ml release left out.

Only additions, so deriva-ml keeps working on the catalog: missing tables (``Execution_Execution``
for nesting, ``Workflow_Workflow_Type`` for several types per workflow, ...), missing columns
(start/stop times and phase durations of ``Execution``, the version of an input dataset in
``Dataset_Execution``, ...), and the ``Asset_Type``/``Asset_Role`` terms DerivaML uses. What
deriva-ml reads stays as it is: ``Execution.Status`` keeps its words (no ``Execution_Status``
table is added), ``Duration`` stays the run time, and 1.17's ``Workflow.Workflow_Type`` is kept
(its values are copied into ``Workflow_Workflow_Type``). A catalog without the ``deriva-ml``
schema gets ours. Planning reads only; applying the plan again finds nothing to do.

Example::

    changes = plan_migration(catalog)
    print("\\n".join(c.description for c in changes))
    apply_migration(catalog, changes)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..catalog.contract import Catalog, Column, ForeignKey, Model, Table
from ..core.definitions import DOMAIN_SCHEMA, ML_SCHEMA, MLVocab
from .ml_schema import SEED_TERMS, ensure_ml_schema, ml_tables
from .profile import DURATION_COLUMNS

# Vocabularies whose seeded terms DerivaML writes itself.
FRAMEWORK_VOCABULARIES = (MLVocab.asset_type, MLVocab.asset_role)


@dataclass(frozen=True)
class Change:
    """One step of a migration: what it does, in words, and how."""

    description: str
    apply: Callable[[Catalog], object]


def plan_migration(catalog: Catalog) -> list[Change]:
    """The changes that bring ``catalog`` up to what DerivaML records (none when it has it)."""
    model = catalog.model()
    if not model.schemas.get(ML_SCHEMA):
        return [Change(f"create the {ML_SCHEMA} schema and the domain schema "
                       f"{DOMAIN_SCHEMA!r} (a new DerivaML catalog)",
                       lambda c: ensure_ml_schema(c, DOMAIN_SCHEMA))]
    words_kept = not model.has_table(ML_SCHEMA, MLVocab.execution_status)
    changes: list[Change] = []
    for t in ml_tables():
        if t.name == MLVocab.execution_status and words_kept:
            continue
        if not model.has_table(t.schema, t.name):
            changes.append(_create(t, words_kept))
            continue
        have = set(model.table(t.schema, t.name).column_names)
        for column in t.columns:
            if column.name in have or (column.name in DURATION_COLUMNS
                                       and have & set(DURATION_COLUMNS)):
                continue
            fk = next((fk for fk in t.foreign_keys if fk.columns == (column.name,)
                       and not (words_kept and fk.pk_table == MLVocab.execution_status)), None)
            changes.append(_add_column(t, column, fk))
    changes += _workflow_type_copy(catalog, model)
    changes += _missing_terms(catalog, model)
    return changes


def apply_migration(catalog: Catalog, changes: list[Change],
                    done: Callable[[Change], None] | None = None) -> None:
    """Apply ``changes`` in order, calling ``done`` after each."""
    for change in changes:
        change.apply(catalog)
        if done:
            done(change)


def _create(t: Table, words_kept: bool) -> Change:
    if words_kept:  # deriva-ml's Status words are no Execution_Status terms
        t = Table(t.schema, t.name, t.columns, t.keys,
                  [fk for fk in t.foreign_keys if fk.pk_table != MLVocab.execution_status],
                  t.kind, t.comment)
    return Change(f"create table {t.schema}.{t.name} ({', '.join(t.column_names)})",
                  lambda c: c.create_table(t))


def _add_column(t: Table, column: Column, fk: ForeignKey | None) -> Change:
    target = f", referencing {fk.pk_schema}.{fk.pk_table}" if fk else ""
    return Change(f"add column {t.schema}.{t.name}.{column.name} ({column.type}{target})",
                  lambda c: c.add_column(t.schema, t.name, column, fk))


def _workflow_type_copy(catalog: Catalog, model: Model) -> list[Change]:
    """Copy 1.17's ``Workflow.Workflow_Type`` values into ``Workflow_Workflow_Type``."""
    if "Workflow_Type" not in model.table(ML_SCHEMA, "Workflow").column_names:
        return []
    rows = [{"Workflow": w["RID"], "Workflow_Type": w["Workflow_Type"]}
            for w in catalog.iter_rows(ML_SCHEMA, "Workflow") if w["Workflow_Type"]]
    if model.has_table(ML_SCHEMA, "Workflow_Workflow_Type"):
        linked = {(r["Workflow"], r["Workflow_Type"])
                  for r in catalog.iter_rows(ML_SCHEMA, "Workflow_Workflow_Type")}
        rows = [r for r in rows if (r["Workflow"], r["Workflow_Type"]) not in linked]
    if not rows:
        return []
    return [Change(f"copy the Workflow_Type of {len(rows)} workflow(s) into "
                   "Workflow_Workflow_Type",
                   lambda c: c.insert(ML_SCHEMA, "Workflow_Workflow_Type", rows,
                                      on_conflict_skip=True))]


def _missing_terms(catalog: Catalog, model: Model) -> list[Change]:
    changes = []
    for vocabulary in FRAMEWORK_VOCABULARIES:
        if not model.has_table(ML_SCHEMA, vocabulary):
            continue
        have = {r["Name"] for r in catalog.iter_rows(ML_SCHEMA, vocabulary)}
        missing = [{"Name": n, "Description": d} for n, d in SEED_TERMS[vocabulary]
                   if n not in have]
        if missing:
            changes.append(Change(
                f"add {vocabulary} terms {', '.join(t['Name'] for t in missing)}",
                lambda c, v=vocabulary, rows=missing: c.insert(ML_SCHEMA, v, rows,
                                                               on_conflict_skip=True)))
    return changes
