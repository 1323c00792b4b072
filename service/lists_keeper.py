"""The server's scheduled list refresh (`sanctions serve --refresh-every 1h`, SANCTIONS_REFRESH_EVERY).

Every worker runs one keeper thread. Each tick it re-reads the fetch state and
the active versions (so a version loaded by another worker, replica or the CLI
is picked up within a tick), and when an update is due it tries the update
lock: exactly one process fetches at a time, and the others find the checks
fresh and skip. After a load, this worker's index is rebuilt beside the old one
and swapped in one assignment (IndexHolder), so no request fails during the switch.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from datetime import UTC, datetime, timedelta

from lists.fetch.state import read_checks
from lists.fetch.update import UpdateBusy, UpdateOutcome, update_lists
from lists.store import Store
from service.freshness import FETCH_FAILURES, FETCH_OUTCOMES, ListStatus
from service.index_holder import IndexHolder

log = logging.getLogger(__name__)

ENV_REFRESH_EVERY = "SANCTIONS_REFRESH_EVERY"
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$", re.I)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_TICK_SECONDS = 5.0


def parse_duration(text: str, name: str = ENV_REFRESH_EVERY) -> float:
    """'1h', '30m', '45s', '3600' -> seconds; '0' or '' -> 0 (off)."""
    if not text.strip():
        return 0.0
    found = _DURATION.match(text)
    if not found:
        raise ValueError(f"{name}: expected a duration like 1h, 30m, 45s or seconds, got {text!r}")
    return float(found.group(1)) * _UNITS[(found.group(2) or "s").lower()]


def refresh_every_from_env() -> float:
    return parse_duration(os.environ.get(ENV_REFRESH_EVERY, ""))


def record_outcomes(outcomes: list[UpdateOutcome]) -> None:
    for outcome in outcomes:
        FETCH_OUTCOMES.labels(outcome.list_code, outcome.status).inc()
        if not outcome.ok:
            FETCH_FAILURES.labels(outcome.list_code).inc()


class ListsKeeper:
    def __init__(self, store: Store, holder: IndexHolder, status: ListStatus, every_seconds: float) -> None:
        self.store = store
        self.holder = holder
        self.status = status
        self.every = every_seconds
        self.tick = min(MAX_TICK_SECONDS, every_seconds / 2) if every_seconds > 0 else MAX_TICK_SECONDS
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_outcomes: list[UpdateOutcome] = []

    def start(self) -> None:
        try:
            self.status.reload()  # the first copy of the fetch state, before any request
        except Exception:
            log.exception("cannot read the list fetch state; retried every tick")
        self._thread = threading.Thread(target=self._loop, name="lists-keeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def due(self, now: datetime | None = None) -> bool:
        """An enabled list has no attempt within the refresh interval (by any worker or replica)."""
        now = now or datetime.now(UTC)
        checks = read_checks(self.store.engine)
        interval = timedelta(seconds=self.every)
        for code in self.status.policy.sources.enabled():
            check = checks.get(code.value)
            if check is None or check.last_attempt_at is None or now - check.last_attempt_at >= interval:
                return True
        return False

    def _loop(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self.run_once()
            except Exception:
                log.exception("scheduled list refresh failed; the serving lists stay as they are")

    def run_once(self) -> list[UpdateOutcome]:
        """One tick: update when due (if no one else is), then follow the store's active versions."""
        outcomes: list[UpdateOutcome] = []
        if self.every > 0 and self.due():
            try:
                outcomes = update_lists(self.store, config=self.status.policy.sources)
            except UpdateBusy:
                log.info("scheduled list refresh skipped: another process is updating")
            else:
                record_outcomes(outcomes)
                self.last_outcomes = outcomes
                for outcome in outcomes:
                    if outcome.ok:
                        log.info("list %s: %s (%.1f s)", outcome.list_code, outcome.status, outcome.seconds)
        self.status.reload()
        holder = self.holder
        # not before the holder's own first build has ended (two first builds would double start-up time)
        if not holder.status.building and (
            holder.serving is not None or holder.status.last_error is not None
        ):
            holder.refresh()
        return outcomes
