"""Sending one step to a DERIVA server again after a transient failure, within a time bound.

ERMrest answers 503 "Transaction aborted." when concurrent transactions conflict (after rolling
the transaction back), and connections drop or time out. ``call`` sends a step again after such
a failure, waiting about 0.5 s, 1 s, 2 s ... (at most ``MAX_DELAY``, with jitter), until it
succeeds, fails for another reason, or ``RETRY_SECONDS`` have passed.

Whether a step may be sent again depends on whether it is idempotent (sending it twice has the
effect of sending it once: reads, inserts with ``onconflict=skip`` of rows that have a key,
attributegroup updates, deletes by filter):

- idempotent steps are sent again after 502/503/504 answers, lost connections and timeouts;
- other steps (plain inserts, model changes) only when the server certainly did not apply them:
  after a 503 "Transaction aborted." or a connection that timed out before opening. After a
  lost connection or a read timeout the server may have committed them, and sending an insert
  again would store its rows twice (under new RIDs), so ``call`` raises an error saying so.

deriva-py's sessions retry by themselves (urllib3: 5xx answers and read errors of GET, PUT and
DELETE, for minutes). Make the bindings whose requests go through ``call`` with
``session_config()`` and pass them through ``without_retries``, which turn that off, so that each
step is retried in one place only.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

from ...core.errors import DerivaMLUnavailable

RETRY_SECONDS = 60.0  # give up on a step once this much time has passed since its first try
FIRST_DELAY = 0.5
MAX_DELAY = 10.0
ABORTED = "Transaction aborted"  # ERMrest's 503 for a transaction it rolled back

T = TypeVar("T")
sleep = time.sleep
clock = time.monotonic


def session_config(timeout: tuple[float, float] | None = None) -> dict:
    """deriva-py's session configuration without its own retries (see the module docstring),
    with ``timeout`` (connect, read seconds per request) instead of deriva-py's if given."""
    from deriva.core import DEFAULT_SESSION_CONFIG

    return {**DEFAULT_SESSION_CONFIG, "retry_connect": 0, "retry_read": 0,
            "retry_status_forcelist": [], **({"timeout": timeout} if timeout else {})}


def without_retries(binding: T) -> T:
    """``binding`` (a deriva-py binding) with its session's urllib3 retries off. deriva-py's
    session configuration turns off only connect and read retries: other failures, such as a
    certificate that does not verify, were still tried 10 times with waits doubling from 1 s,
    so a connection to such a host hung for minutes before failing."""
    from urllib3.util.retry import Retry

    for adapter in binding._session.adapters.values():  # deriva-py has no setting for it
        adapter.max_retries = Retry(0, read=False)  # requests' own default: one try
    return binding


def _transient(error: Exception) -> tuple[str, bool] | None:
    """What went wrong and whether the server may have applied the request, for failures
    that sending again can cure; None for the others."""
    import requests
    from urllib3.exceptions import NewConnectionError

    if isinstance(error, requests.HTTPError):
        response = error.response
        if response is None or response.status_code not in (502, 503, 504):
            return None
        text = " ".join((response.text or "").split())[:200]
        return f"{response.status_code} {text}", ABORTED not in text
    if isinstance(error, requests.ConnectTimeout):
        return "the connection timed out before it opened", False
    cause = error.args[0] if isinstance(error, requests.ConnectionError) and error.args else None
    if isinstance(getattr(cause, "reason", cause), NewConnectionError) \
            or isinstance(error, requests.exceptions.SSLError):
        return None  # refused, unknown host or bad certificate: reported at once
    if isinstance(error, (requests.ConnectionError, requests.Timeout,
                          requests.exceptions.ChunkedEncodingError)):
        return f"the connection was lost ({type(error).__name__}: {error})"[:300], True
    return None


def brief(error: BaseException) -> str:
    """An HTTP error's status and text, or another error's type and message, shortened."""
    response = getattr(error, "response", None)
    if response is not None:
        return f"{response.status_code} {' '.join(response.text.split())[:200]}"
    return f"{type(error).__name__}: {error}"[:300]


def call(send: Callable[[], T], action: str, host: str, *, idempotent: bool,
         transient: Callable[[BaseException], bool] | None = None) -> T:
    """``send()``, sent again after transient failures as the module docstring says;
    ``transient`` (for idempotent steps only) decides instead which failures those are.

    ``action`` says what the step does (``"read s.Image"``) for the error raised when it gives
    up: ``DerivaMLUnavailable`` naming the action, the host and the number of tries. Errors that
    are not transient propagate unchanged. Example::

        rows = call(lambda: binding.get(path), "read s.Image", host, idempotent=True)
    """
    start = clock()
    tries = 0
    while True:
        tries += 1
        try:
            return send()
        except Exception as e:
            failure = _transient(e) if transient is None else \
                (brief(e), True) if transient(e) else None
            if failure is None:
                raise
            what, maybe_applied = failure
            if maybe_applied and not idempotent:
                raise DerivaMLUnavailable(
                    f"Cannot {action} on {host}: {what}, after the request was sent, so the "
                    "server may or may not have applied it; it was not sent again. Check what "
                    "the catalog holds before trying again.") from None
            delay = min(MAX_DELAY, FIRST_DELAY * 2 ** (tries - 1)) * random.uniform(0.5, 1.0)
            if clock() - start + delay > RETRY_SECONDS:
                raise DerivaMLUnavailable(
                    f"Cannot {action} on {host}: the server was still failing after {tries} "
                    f"{'try' if tries == 1 else 'tries'} in {clock() - start:.0f} s (last: "
                    f"{what}). Try again later."
                ) from None
            sleep(delay)
