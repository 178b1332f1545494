"""Error types, in deriva-ml's hierarchy. Every message says what was wrong and what to do.

::

    DerivaMLException
    ├── DerivaMLConfigurationError
    │   ├── DerivaMLSchemaError ── DerivaMLNeedsMigration
    │   ├── DerivaMLSchemaRefreshBlocked, DerivaMLSchemaPinned
    │   └── DerivaMLAuthenticationError, DerivaMLOfflineError
    ├── DerivaMLDataError
    │   ├── DerivaMLNotFound (= DerivaMLNotFoundError)
    │   │   └── DerivaMLDatasetNotFound, DerivaMLTableNotFound, DerivaMLFeatureNotFound,
    │   │       DerivaMLInvalidTerm, DerivaMLRidsNotFound, NoAssociationException
    │   ├── DerivaMLValidationError ── DerivaMLTableTypeError
    │   ├── DerivaMLConflict ── DerivaMLCycleError, DerivaMLNeedsMigration
    │   └── DerivaMLStateInconsistency, AmbiguousAssociationException
    ├── DerivaMLExecutionError
    │   ├── DerivaMLWorkflowError ── DerivaMLDirtyWorkflowError
    │   └── DerivaMLUploadError
    ├── DerivaMLReadOnlyError (= DerivaMLReadOnly)
    └── DerivaMLUnavailable, DerivaMLNotImplemented

The names and constructors are deriva-ml's (``except DerivaMLDatasetNotFound`` in ported code
catches what it catches there); ``DerivaMLConflict``, ``DerivaMLNeedsMigration``,
``DerivaMLUnavailable`` and ``DerivaMLNotImplemented`` are this package's own. The errors whose
constructors take what was not found also take a ``message`` replacing deriva-ml's short text
(``Dataset not found: 1-ABCD``) with one that says what to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def _rebuild(cls: type[BaseException], args: tuple, kwargs: dict) -> BaseException:
    return cls(*args, **kwargs)




class DerivaMLException(Exception):
    """Base class of every error raised by DerivaML; ``msg`` says what went wrong."""

    def __new__(cls, *args: Any, **kwargs: Any):
        error = super().__new__(cls, *args)
        error._init = (args, kwargs)  # for pickling with the subclass's own constructor
        return error

    def __init__(self, msg: str = "") -> None:
        super().__init__(msg)
        self._msg = msg

    def __reduce__(self):  # picklable, so it crosses process pools (parallel sweep jobs)
        state = {k: v for k, v in vars(self).items() if k != "_init"}
        return _rebuild, (type(self), *self._init), state


# -- configuration -------------------------------------------------------------------------
class DerivaMLConfigurationError(DerivaMLException):
    """A configuration, initialization or catalog-setup problem."""


class DerivaMLSchemaError(DerivaMLConfigurationError):
    """A catalog schema that is invalid, ambiguous or lacks a table DerivaML needs."""


class DerivaMLSchemaRefreshBlocked(DerivaMLConfigurationError):
    """A schema refresh refused because executions still have staged work."""


class DerivaMLSchemaPinned(DerivaMLConfigurationError):
    """A schema refresh refused because the schema is pinned (``unpin_schema`` first)."""


class DerivaMLAuthenticationError(DerivaMLConfigurationError):
    """Credentials that are missing, invalid or refused by the catalog server."""


class DerivaMLOfflineError(DerivaMLConfigurationError):
    """An operation that needs the catalog server, attempted in offline mode."""


# -- data ----------------------------------------------------------------------------------
class DerivaMLDataError(DerivaMLException):
    """A data access or validation problem."""


class DerivaMLNotFound(DerivaMLDataError, LookupError):
    """A RID, table, version or object that does not exist (deriva-ml's
    ``DerivaMLNotFoundError``; the REST API reports it by this name)."""


DerivaMLNotFoundError = DerivaMLNotFound


class DerivaMLDatasetNotFound(DerivaMLNotFound):
    """A dataset RID that is not a dataset of the catalog (or the bag)."""

    def __init__(self, dataset_rid: str, msg: str = "Dataset not found", *, message: str = ""):
        super().__init__(message or f"{msg}: {dataset_rid}")
        self.dataset_rid = dataset_rid


class DerivaMLTableNotFound(DerivaMLNotFound):
    """A table name that is in none of the searched schemas."""

    def __init__(self, table_name: str, msg: str = "Table not found", *, message: str = ""):
        super().__init__(message or f"{msg}: {table_name}")
        self.table_name = table_name


class DerivaMLFeatureNotFound(DerivaMLNotFound):
    """A feature name that is not defined on its table."""

    def __init__(self, table_name: str, feature_name: str, msg: str = "Feature not found",
                 *, message: str = ""):
        super().__init__(message or f"{msg}: {feature_name} on {table_name}")
        self.table_name = table_name
        self.feature_name = feature_name


class DerivaMLInvalidTerm(DerivaMLNotFound):
    """A term that is not in its vocabulary; ``known`` lists the terms that are."""

    def __init__(self, vocabulary: str, term: str, msg: str = "Term doesn't exist",
                 known: list[str] | None = None):
        hint = f" Known terms: {', '.join(sorted(known))}." if known else ""
        super().__init__(
            f"Invalid term {term!r} in vocabulary {vocabulary}: {msg[:1].lower()}{msg[1:]}."
            f"{hint} Add it with ml.add_term({vocabulary!r}, {term!r}, description=...)."
        )
        self.vocabulary = vocabulary
        self.term = term


class DerivaMLRidsNotFound(DerivaMLNotFound):
    """RIDs that are rows of no table of the catalog; ``missing_rids`` holds them."""

    def __init__(self, missing_rids: Iterable[str], msg: str = "RIDs not found in catalog",
                 *, message: str = ""):
        missing = set(missing_rids)
        super().__init__(message or f"{msg}: {sorted(missing)}")
        self.missing_rids = missing


class NoAssociationException(DerivaMLNotFound):
    """No association table links ``table1`` and ``table2``."""

    def __init__(self, table1: str, table2: str):
        super().__init__(f"No association tables found between {table1} and {table2}.")
        self.table1 = table1
        self.table2 = table2


class DerivaMLValidationError(DerivaMLDataError, ValueError):
    """Input that is malformed or inconsistent (bad RID form, bad version, bad path...)."""


class DerivaMLTableTypeError(DerivaMLValidationError):
    """A RID or table that is not of the kind an operation needs (a dataset, a vocabulary,
    an asset table...)."""

    def __init__(self, table_type: str, table: str, *, message: str = ""):
        super().__init__(message or f"Table {table} is not of type {table_type}.")
        self.table_type = table_type
        self.table = table


class DerivaMLConflict(DerivaMLDataError):
    """A write that collides with existing data (duplicate name, key, cycle)."""


class DerivaMLCycleError(DerivaMLConflict):
    """Nesting a dataset or execution inside itself or one of its descendants;
    ``cycle_nodes`` are the RIDs around the cycle."""

    def __init__(self, cycle_nodes: list[str], msg: str = "Cycle detected"):
        super().__init__(f"{msg}: {cycle_nodes}")
        self.cycle_nodes = cycle_nodes


class DerivaMLNeedsMigration(DerivaMLSchemaError, DerivaMLConflict):
    """A catalog made by an older deriva-ml lacks a table or column an operation needs;
    ``derivaml migrate`` adds it."""


class DerivaMLStateInconsistency(DerivaMLDataError):
    """Local execution state and the catalog disagree in a way DerivaML cannot resolve."""


class AmbiguousAssociationException(DerivaMLDataError):
    """More than one association table links ``table1`` and ``table2``."""

    def __init__(self, table1: str, table2: str, count: int):
        super().__init__(f"There are {count} association tables between {table1} and {table2}.")
        self.table1 = table1
        self.table2 = table2
        self.count = count


# -- executions ----------------------------------------------------------------------------
class DerivaMLExecutionError(DerivaMLException):
    """A problem in an execution's lifecycle."""


class DerivaMLWorkflowError(DerivaMLExecutionError):
    """A workflow that cannot be found, created or traced to its source."""


class DerivaMLDirtyWorkflowError(DerivaMLWorkflowError):
    """Workflow code with uncommitted changes; ``dirty_paths`` are ``git status --porcelain``
    lines of the changes."""

    def __init__(self, path: str, dirty_paths: list[str] | None = None):
        self.path = path
        self.dirty_paths = list(dirty_paths or [])
        changes = "".join(f"\n  {line}" for line in self.dirty_paths)
        super().__init__(
            f"File {path} has uncommitted changes{':' if changes else '.'}{changes}\nCommit "
            "them before running, or allow it with --allow-dirty or DERIVA_ML_ALLOW_DIRTY=true "
            "(the run then records code that no commit holds)."
        )


class DerivaMLUploadError(DerivaMLExecutionError):
    """An upload of execution outputs that could not finish; what it stored stays, and
    uploading again resumes where it stopped."""


# -- other ---------------------------------------------------------------------------------
class DerivaMLReadOnlyError(DerivaMLException):
    """A write attempted on a snapshot (read-only) view of a catalog, or on a bag."""


DerivaMLReadOnly = DerivaMLReadOnlyError


class DerivaMLUnavailable(DerivaMLException):
    """A catalog server that cannot be reached or keeps failing."""


class DerivaMLNotImplemented(DerivaMLException, NotImplementedError):
    """A feature that is planned but not available yet."""
