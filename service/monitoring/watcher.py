"""The server's monitoring thread: imports uploaded parties, and rescreens on every list change.

Every few seconds it checks, cheaply and without the lock, whether a list's active
version differs from its watermark, a party waits to be screened or a full
rescreen was asked for; if so it runs a cycle (service/monitoring/cycle.py) with
the serving index, rebuilt first if the store moved on. It sees every new
version, however it was loaded: `sanctions lists load` in another process, a
reload, an update or a scheduled refresh all end as a new active version.
"""

from __future__ import annotations

import logging
import threading
import time

from lists.store import Store
from screening.screener import Screener
from service.index_holder import IndexHolder
from service.monitoring.cycle import Context, Monitor
from service.monitoring.import_jobs import recover_imports, run_queued_imports
from service.monitoring.pool import PoolSettings

log = logging.getLogger(__name__)

FAILURE_PAUSE_SECONDS = 60.0
WEIGHTS_WAIT_SECONDS = 120.0  # an index build takes about 10 s


def serving_context(store: Store, holder: IndexHolder, wait_seconds: float = 600.0) -> Context | None:
    """The serving index, once it is built from exactly the store's active versions (None if it is not)."""
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        active = {code: info.id for code, info in store.active_versions().items()}
        serving = holder.serving
        if serving is not None and {c: v.id for c, v in serving.versions.items()} == active:
            return Context(serving.screener, serving.versions)
        if holder.status.building:  # the holder's own refresh is at it: wait rather than build twice
            time.sleep(0.5)
            continue
        if not holder.refresh() and holder.serving is serving:
            return None  # the build failed (holder.status says why); try again next round
    return None


class Watcher:
    """Runs in a daemon thread of each server process; the monitor lock keeps cycles one at a time."""

    def __init__(self, store: Store, holder: IndexHolder, interval: float = 5.0) -> None:
        self.store = store
        self.holder = holder
        self.interval = interval
        # Forked workers would inherit this threaded process mid-flight: a forkserver's start fresh.
        self.pool = PoolSettings.from_env(start_method="forkserver")
        self.monitor = Monitor(store, lambda: serving_context(store, holder), self._weights, self.pool)
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def _weights(self) -> Screener | None:
        """The Screener of the new active versions, whose word weights a delta must score with.

        A delta scored with the previous version's weights missed a hit in a million parties that
        the new version's weights find (BENCHMARKS.md, Monitoring), so the delta waits for the
        rebuild the list change started anyway; if that build fails or takes longer than
        WEIGHTS_WAIT_SECONDS, the index still serving lends its weights rather than nobody.
        """
        context = serving_context(self.store, self.holder, wait_seconds=WEIGHTS_WAIT_SECONDS)
        if context is not None:
            return context.screener
        serving = self.holder.serving
        if serving is not None:
            log.warning(
                "delta rescreen with the weights of the index still serving (the rebuild is not ready)"
            )
            return serving.screener
        return None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="monitoring-watcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def wake(self) -> None:
        """Not waiting for the next round (a party was added, a rescreen was asked)."""
        self._wake.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            pause = self.interval
            try:
                self.round()
            except Exception:
                log.exception("monitoring round failed; next try in %.0f s", FAILURE_PAUSE_SECONDS)
                pause = FAILURE_PAUSE_SECONDS
            self._wake.wait(pause)
            self._wake.clear()

    def round(self) -> None:
        recover_imports(self.store.engine)
        run_queued_imports(self.store.engine, self.pool)
        if self.monitor.has_work():
            failures = self.monitor.failures
            self.monitor.run_once(trigger="watcher")
            if self.monitor.failures > failures:
                raise RuntimeError("a rescreen job failed (see the job's error)")
