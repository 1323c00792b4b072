"""Wakes the index holder when another process activates a list version (PostgreSQL LISTEN/NOTIFY).

The store sends a notification on its activation's commit; every replica that
listens rebuilds within its build time rather than its next poll. Polling stays
as the fallback (SQLite has no notifications, and a listener that lost its
connection reconnects with backoff while the poll goes on).
"""

from __future__ import annotations

import logging
import threading

import psycopg
from sqlalchemy.engine import make_url

from lists.store import CHANGES_CHANNEL

log = logging.getLogger(__name__)

RECONNECT_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)


def libpq_url(database_url: str) -> str | None:
    """The libpq form of a PostgreSQL SQLAlchemy URL; None for other databases."""
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        return None
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


class ListChangeListener:
    """A daemon thread that LISTENs on the store's channel and sets `wake` on every notification."""

    def __init__(self, database_url: str, wake: threading.Event, stop: threading.Event) -> None:
        self._conninfo = libpq_url(database_url)
        self._wake = wake
        self._stop = stop
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()

    @property
    def enabled(self) -> bool:
        return self._conninfo is not None

    def start(self) -> None:
        if self._conninfo is None:
            return
        self._thread = threading.Thread(target=self._run, name="list-change-listener", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._listen()
                failures = 0
            except psycopg.Error as exc:
                self.connected.clear()
                pause = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
                failures += 1
                log.warning("list change listener lost its connection (%s); retrying in %.0f s", exc, pause)
                self._stop.wait(pause)

    def _listen(self) -> None:
        assert self._conninfo is not None
        with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f"LISTEN {CHANGES_CHANNEL}")
            self.connected.set()
            self._wake.set()  # anything activated while we were not listening is seen by the next refresh
            while not self._stop.is_set():
                for notify in conn.notifies(timeout=1.0):
                    log.info("list %s activated by another process; refreshing", notify.payload)
                    self._wake.set()
