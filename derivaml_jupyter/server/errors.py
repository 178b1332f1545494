"""The one place where DerivaML errors become HTTP answers: a status code and a JSON body
``{"error": <exception type>, "message": <what was wrong and what to do>}``."""

from __future__ import annotations

from http.client import responses

from tornado.web import HTTPError

from ..core.errors import (
    DerivaMLConflict,
    DerivaMLException,
    DerivaMLNotFound,
    DerivaMLNotImplemented,
    DerivaMLUnavailable,
    DerivaMLUploadError,
    DerivaMLValidationError,
)

STATUS_CODES: tuple[tuple[type[DerivaMLException], int], ...] = (
    (DerivaMLNotFound, 404),
    (DerivaMLValidationError, 400),
    (DerivaMLConflict, 409),
    (DerivaMLNotImplemented, 501),
    (DerivaMLUnavailable, 503),
    (DerivaMLUploadError, 503),  # a full disk or lost connection: fix it, then upload again
)


def status_of(error: DerivaMLException) -> int:
    """The HTTP status of a DerivaML error (500 for types without a more precise one)."""
    return next((code for kind, code in STATUS_CODES if isinstance(error, kind)), 500)


CATALOG_SCOPE = "catalog"
"""The ``scope`` of an error opening the request's catalog (missing, unreachable, a host not
allowed): every call on that catalog fails the same way, so a client shows it once."""


class APIError(HTTPError):
    """An ``HTTPError`` carrying the JSON body of the DerivaML error it was made from."""

    def __init__(self, error: DerivaMLException):
        message = str(error)
        super().__init__(status_of(error), log_message=message.replace("%", "%%"))
        self.body = {"error": type(error).__name__, "message": message}


def error_body(error: HTTPError) -> dict[str, str]:
    """The JSON body answering ``error``: an ``APIError``'s own, or the HTTP reason
    (``Forbidden``, ...) with the error's message; with ``scope`` when the error has one."""
    if isinstance(error, APIError):
        body = error.body
    else:
        reason = responses.get(error.status_code, "Error").replace(" ", "")
        message = error.log_message % error.args if error.args else error.log_message
        body = {"error": reason, "message": message}
    scope = getattr(error, "scope", None)
    return {**body, "scope": scope} if scope else body


def in_catalog_scope(error: HTTPError) -> HTTPError:
    """``error`` marked as an error opening the request's catalog."""
    error.scope = CATALOG_SCOPE
    return error
