"""Error types. Every message says what was wrong and what to do about it."""


class DerivaMLException(Exception):
    """Base class of every error raised by DerivaML; ``msg`` says what went wrong."""

    def __init__(self, msg: str = "") -> None:
        super().__init__(msg)


class DerivaMLNotFound(DerivaMLException, LookupError):
    """A RID, table, version or object that does not exist."""


class DerivaMLInvalidTerm(DerivaMLNotFound):
    """A term that is not in its vocabulary."""

    def __init__(self, vocabulary: str, term: str, msg: str = "Term doesn't exist",
                 known: list[str] | None = None):
        hint = f" Known terms: {', '.join(sorted(known))}." if known else ""
        super().__init__(
            f"Invalid term {term!r} in vocabulary {vocabulary}: {msg[:1].lower()}{msg[1:]}."
            f"{hint} Add it with ml.add_term({vocabulary!r}, {term!r}, description=...)."
        )
        self.vocabulary = vocabulary
        self.term = term
        self._args = (vocabulary, term, msg, known)

    def __reduce__(self):  # picklable, so it crosses process pools (parallel sweep jobs)
        return type(self), self._args


class DerivaMLValidationError(DerivaMLException, ValueError):
    """Input that is malformed or inconsistent (bad RID form, bad version, bad path...)."""


class DerivaMLConflict(DerivaMLException):
    """A write that collides with existing data (duplicate name, key, cycle)."""


class DerivaMLCycleError(DerivaMLConflict):
    """Nesting a dataset or execution inside itself or one of its descendants."""


class DerivaMLNeedsMigration(DerivaMLConflict):
    """A catalog made by an older deriva-ml lacks a table or column an operation needs;
    ``derivaml migrate`` adds it."""


class DerivaMLReadOnly(DerivaMLException):
    """A write attempted on a snapshot (read-only) view of a catalog."""


class DerivaMLUnavailable(DerivaMLException):
    """A catalog server that cannot be reached or keeps failing."""


class DerivaMLNotImplemented(DerivaMLException, NotImplementedError):
    """A feature that is planned but not available yet."""


class DerivaMLUploadError(DerivaMLException):
    """An upload of execution outputs that could not finish; what it stored stays, and
    uploading again resumes where it stopped."""
