"""Telling a database outage from a wrong query, and waiting one out.

Shared by the HTTP side (an outage is answered 503, see service/http/db_errors.py)
and the batch runner thread (an outage is waited out with backoff, see
service/batch/jobs.py): neither may die or answer 500 because the database
was away for a while.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

log = logging.getLogger(__name__)

OUTAGE_ERRORS = (OperationalError, InterfaceError, PoolTimeoutError)
T = TypeVar("T")


class DatabaseUnavailable(RuntimeError):
    """The database stayed unreachable for longer than the caller was willing to wait."""


def is_database_outage(exc: BaseException) -> bool:
    """True for errors that mean "cannot reach the database", not "the query was wrong"."""
    current: BaseException | None = exc
    for _ in range(5):  # the outage may be wrapped (e.g. by a job's own error)
        if current is None:
            return False
        if isinstance(current, (*OUTAGE_ERRORS, DatabaseUnavailable)):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False


def describe(exc: BaseException) -> str:
    """The error's type and first line, short enough for a log line or a job's error field."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:300]


def retry_on_outage(
    action: Callable[[], T],
    what: str,
    stop: threading.Event,
    give_up_seconds: float,
    first_delay: float = 0.5,
    max_delay: float = 5.0,
) -> T:
    """`action()`, retried with exponential backoff while the database is unreachable.

    Other errors propagate at once. Raises DatabaseUnavailable after
    `give_up_seconds` of outage, or as soon as `stop` is set (the server is
    shutting down: what was not written is picked up again at the next start).
    """
    deadline = time.monotonic() + give_up_seconds
    delay = first_delay
    attempt = 0
    while True:
        try:
            result = action()
        except Exception as exc:
            if not is_database_outage(exc):
                raise
            attempt += 1
            if attempt == 1:
                log.warning("%s: database unreachable (%s); retrying with backoff", what, describe(exc))
            if time.monotonic() + delay > deadline or stop.is_set():
                raise DatabaseUnavailable(
                    f"{what}: the database stayed unreachable for {give_up_seconds:.0f} s ({describe(exc)})"
                ) from exc
            stop.wait(delay)
            delay = min(delay * 2, max_delay)
            continue
        if attempt:
            log.info("%s: database reachable again after %d retries", what, attempt)
        return result
