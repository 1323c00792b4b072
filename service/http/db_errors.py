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

from service.api.responses import OrjsonResponse, error_response
from service.db_outage import OUTAGE_ERRORS, DatabaseUnavailable, describe

log = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (
    "the database is unreachable; nothing was decided or recorded for this request, retry shortly"
)
RETRY_AFTER = {"Retry-After": "2"}


_last_logged = [0.0]  # one warning a second at most: an outage under load fails thousands of requests


def database_unavailable_response(_: Request, exc: Exception) -> OrjsonResponse:
    if time.monotonic() - _last_logged[0] >= 1.0:
        _last_logged[0] = time.monotonic()
        log.warning("database unavailable, answering 503: %s", describe(exc))
    return error_response(503, "database_unavailable", DATABASE_UNAVAILABLE, RETRY_AFTER)


def install_database_guard(app: FastAPI) -> None:
    """Register the 503 handlers (one line in the app factory)."""
    for error in (*OUTAGE_ERRORS, DatabaseUnavailable):
        app.add_exception_handler(error, database_unavailable_response)


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
