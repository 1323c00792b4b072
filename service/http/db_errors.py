"""Database outages answered as such: 503 with a reason, never a 500, and /readyz's database check.

Any request that needs the database while it is unreachable (PostgreSQL down
or refusing connections, a pool timeout, a SQLite file that cannot be opened)
gets 503 {"error": "database_unavailable"} with Retry-After, whichever route
hit it: the handlers below are the safety net behind each route's own handling.
Nothing needs restarting afterwards: the PostgreSQL pool pre-pings (a
connection that died in the outage is replaced) and every route opens its
connections per request.
"""

from __future__ import annotations

import asyncio
import logging
import time

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from service.api.responses import OrjsonResponse, error_response

log = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (
    "the database is unreachable; nothing was decided or recorded for this request, retry shortly"
)
RETRY_AFTER = {"Retry-After": "2"}
OUTAGE_ERRORS = (OperationalError, InterfaceError, PoolTimeoutError)


def is_database_outage(exc: BaseException) -> bool:
    """True for errors that mean "cannot reach the database", not "the query was wrong"."""
    seen = 0
    current: BaseException | None = exc
    while current is not None and seen < 5:  # the outage may be wrapped (e.g. by a job's own error)
        if isinstance(current, OUTAGE_ERRORS):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        current, seen = current.__cause__ or current.__context__, seen + 1
    return False


def database_unavailable_response(_: Request, exc: Exception) -> OrjsonResponse:
    log.warning("database unavailable: %s", _first_line(exc))
    return error_response(503, "database_unavailable", DATABASE_UNAVAILABLE, RETRY_AFTER)


def install_database_guard(app: FastAPI) -> None:
    """Register the 503 handlers (one line in the app factory)."""
    for error in OUTAGE_ERRORS:
        app.add_exception_handler(error, database_unavailable_response)


def _first_line(exc: BaseException) -> str:
    text_ = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text_[0] if text_ else ''}"[:300]


class DatabaseProbe:
    """A cheap `SELECT 1`, at most one per `ttl_seconds` however often /readyz is polled.

    Readiness probes of every replica poll often; the answer is cached for about
    a second and concurrent probes share one check, so they never hammer the database.
    """

    def __init__(self, engine: Engine, ttl_seconds: float = 1.0) -> None:
        self._engine = engine
        self._ttl = ttl_seconds
        self._checked_at = -float("inf")
        self._problem: str | None = None
        self._lock = asyncio.Lock()

    async def problem(self) -> str | None:
        """None when the database answered within the last `ttl_seconds`, else why it is unavailable."""
        if time.monotonic() - self._checked_at < self._ttl:
            return self._problem
        async with self._lock:
            if time.monotonic() - self._checked_at >= self._ttl:
                problem = await run_in_threadpool(self._check)
                if problem != self._problem:
                    (log.warning if problem else log.info)("database check: %s", problem or "reachable again")
                self._problem, self._checked_at = problem, time.monotonic()
        return self._problem

    def _check(self) -> str | None:
        try:
            with self._engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            return f"the database is unreachable ({type(exc).__name__}); requests that need it answer 503"
        return None


def probe_of(app: FastAPI, engine: Engine) -> DatabaseProbe:
    """The app's probe, made on first use (one per worker process)."""
    probe: DatabaseProbe | None = getattr(app.state, "database_probe", None)
    if probe is None:
        probe = app.state.database_probe = DatabaseProbe(engine)
    return probe
