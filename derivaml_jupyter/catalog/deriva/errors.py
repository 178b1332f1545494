"""Turn ERMrest/Hatrac HTTP failures into DerivaML errors that say what to do."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from ...core.errors import (
    DerivaMLAuthenticationError,
    DerivaMLConflict,
    DerivaMLException,
    DerivaMLNotFound,
    DerivaMLReadOnly,
    DerivaMLUnavailable,
    DerivaMLValidationError,
)

_DETAIL_CHARS = 600


def login_hint(host: str) -> str:
    return f"log in with `deriva-globus-auth-utils login --host {host}` and try again"


def server_detail(response) -> str:
    """The server's explanation, shortened to something fit for an error message. An HTML
    page comes from the web server in front of ERMrest/Hatrac (which answer in plain text or
    JSON), e.g. Apache's 404 for a path longer than it allows."""
    text = " ".join((response.text or "").split())
    if "html" in response.headers.get("Content-Type", ""):
        title = re.search(r"<title>(.*?)</title>", text, re.IGNORECASE)
        path = urlsplit(response.request.url).path if response.request else ""
        return (f"the web server answered {title.group(1) if title else 'an HTML page'!r} "
                f"for a request path of {len(path)} bytes: check that the host runs DERIVA; if "
                "it refuses long paths, lower derivaml_jupyter.catalog.deriva.urls."
                "MAX_PATH_BYTES")
    return text[:_DETAIL_CHARS] + ("..." if len(text) > _DETAIL_CHARS else "")


def http_error(status: int, detail: str, host: str, action: str,
               authenticated: bool) -> DerivaMLException:
    """The DerivaML error for an HTTP ``status`` answered by ``host`` while doing ``action``."""
    where = f"{action} on {host}"
    if status == 401 or (status == 403 and not authenticated):
        login = ("your login has expired or is not valid" if authenticated
                 else "you are not logged in")
        return DerivaMLAuthenticationError(
            f"Cannot {where}: not authenticated ({login}): {login_hint(host)}. ({detail})")
    if status == 403:
        return DerivaMLException(
            f"Cannot {where}: permission denied ({detail}). Ask the catalog's owner for "
            "access, or log in as a user who has it.")
    if status == 404:
        return DerivaMLNotFound(f"Cannot {where}: not found ({detail}).")
    if status == 409:
        return _conflict(detail, where)
    if status == 400:
        return DerivaMLValidationError(f"Cannot {where}: the server refused the request: "
                                       f"{detail}")
    return DerivaMLException(f"Cannot {where}: the server answered {status}: {detail}")


def _conflict(detail: str, where: str) -> DerivaMLException:
    missing = re.search(r'Key \((.+?)\)=\((.+?)\) is not present in table "(.+?)"', detail)
    if "foreign key" in detail and missing:
        columns, values, table = missing.groups()
        return DerivaMLNotFound(
            f"Cannot {where}: {columns} = {values} does not match any row of table {table}. "
            "Insert the referenced row first or correct the reference.")
    if "foreign key" in detail and "still referenced" in detail:
        return DerivaMLConflict(
            f"Cannot {where}: other rows still refer to the rows being changed ({detail}).")
    if "null value in column" in detail:
        return DerivaMLValidationError(f"Cannot {where}: a required column has no value "
                                       f"({detail}).")
    if "already exists" in detail or "duplicate key" in detail:
        return DerivaMLConflict(
            f"Cannot {where}: a row with the same key already exists ({detail}). Look the "
            "existing row up instead of adding it again.")
    return DerivaMLConflict(f"Cannot {where}: {detail}")


@contextmanager
def translated(host: str, action: str, authenticated: bool) -> Iterator[None]:
    """Raise DerivaML errors instead of the HTTP and connection errors of ``action``."""
    import requests
    from deriva.core import ErmrestCatalogMutationError

    try:
        yield
    except requests.HTTPError as e:
        raise http_error(e.response.status_code, server_detail(e.response), host, action,
                         authenticated) from None
    except requests.exceptions.RetryError as e:
        raise DerivaMLUnavailable(
            f"Cannot {action}: the DERIVA server {host} kept failing ({e}). Try again later.",
        ) from None
    except requests.exceptions.SSLError:
        raise DerivaMLUnavailable(
            f"Cannot {action}: the TLS certificate of the DERIVA server {host} did not verify. "
            "If the server's certificate is signed by your own authority, point "
            "REQUESTS_CA_BUNDLE at a file holding that authority's certificate.") from None
    except (requests.ConnectionError, requests.Timeout) as e:
        raise DerivaMLUnavailable(
            f"Cannot {action}: could not reach the DERIVA server {host} ({type(e).__name__}). "
            "Check the hostname and your network connection.") from None
    except ErmrestCatalogMutationError:
        raise DerivaMLReadOnly(
            f"Cannot {action}: this connection to {host} is bound to a snapshot and is "
            "read-only. Connect without '@<snapshot>' in the catalog id to write.") from None
