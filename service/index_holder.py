"""Holds the Screener this worker serves, builds it off the request path, swaps it atomically.

At start-up the index is opened in a background thread from the store's active
versions (readiness stays 503 until it is done): mapped from their index snapshot, which
every worker on the host shares (service/snapshot/), or built and written when there is none. A reload (or a change noticed
by the periodic refresh, e.g. after `sanctions lists load` or a reload served by
another worker) builds a complete new Screener next to the old one, then
replaces one reference: requests see the old index or the new one, never a mix,
and the old one keeps serving if the build fails.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as dtime

from lists.store import Store, VersionInfo
from screening.heap import freeze_long_lived
from screening.index_parts import warm_up
from screening.screener import Screener
from service import metrics
from service.list_changes import ListChangeListener
from service.snapshot.build import Loaded, NoActiveVersions, load_screener, snapshots_enabled

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Serving:
    """What a request screens against: the index and exactly the versions it was built from."""

    screener: Screener
    versions: dict[str, VersionInfo]
    built_at: datetime
    source: str = "built"  # "snapshot": mapped from the versions' index snapshot; "built": built here

    @property
    def labels(self) -> dict[str, str]:
        return {code: info.label for code, info in self.versions.items()}


@dataclass
class HolderStatus:
    building: bool = False
    last_error: str | None = None
    last_build_seconds: float | None = None
    builds: int = 0
    index_source: str | None = None  # of the serving index: "snapshot" or "built"
    extra: dict[str, str] = field(default_factory=dict)


class IndexHolder:
    def __init__(self, store: Store, default_threshold: float | None = None, refresh_seconds: float = 30.0):
        self._store = store
        self._default_threshold = default_threshold
        self._refresh_seconds = refresh_seconds
        self._serving: Serving | None = None
        self._build_lock = threading.Lock()  # one build at a time
        self._stop = threading.Event()
        self._wake = threading.Event()  # set by the PostgreSQL listener: another process activated a list
        self._listener = ListChangeListener(store.url, self._wake, self._stop)
        self._thread: threading.Thread | None = None
        self.status = HolderStatus()
        # Called with each new Screener off the request path, after the swap: tables built per index
        # (the payment screener's free-text words) are ready before the first request needs them.
        self.on_swap: list[Callable[[Screener], object]] = []

    @property
    def serving(self) -> Serving | None:
        """The current index (a plain attribute read: the swap is one reference assignment)."""
        return self._serving

    def start(self) -> None:
        """Build the first index in the background, then keep it in step with the store."""
        self._thread = threading.Thread(target=self._background, name="index-holder", daemon=True)
        self._thread.start()
        self._listener.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def _background(self) -> None:
        """Refresh on a notification from another process (PostgreSQL), else every `refresh_seconds`."""
        self.refresh()
        if self._refresh_seconds <= 0 and not self._listener.enabled:
            return
        while not self._stop.is_set():
            self._wake.wait(self._refresh_seconds if self._refresh_seconds > 0 else None)
            if self._stop.is_set():
                return
            self._wake.clear()
            self.refresh()

    def refresh(self) -> bool:
        """Rebuild if the store's active versions differ from the serving ones; True if swapped."""
        try:
            active = self._store.active_versions()
        except Exception as exc:
            self.status.last_error = f"cannot read the active list versions: {type(exc).__name__}: {exc}"
            log.exception("reading active versions failed")
            return False
        current = self._serving
        if current is not None and _ids(active) == _ids(current.versions):
            return False
        if not active:
            self.status.last_error = "no list version is active in the store"
            return False
        return self.rebuild() is not None

    def rebuild(self) -> Serving | None:
        """Open (or build) a Screener of the store's active versions and swap it in (None on failure).

        From the versions' index snapshot (service/snapshot/): mapped, not built, when one exists;
        built and written first when not. With snapshots off, built in this process.
        """
        with self._build_lock:
            self.status.building = True
            started = time.perf_counter()
            try:
                loaded = self._load()
                if loaded is None:
                    self.status.last_error = "no list version is active in the store"
                    return None
                serving = Serving(loaded.screener, loaded.versions, datetime.now(UTC), loaded.source)
            except Exception as exc:
                self.status.last_error = f"index build failed: {type(exc).__name__}: {exc}"
                log.exception("index build failed; the previous index keeps serving")
                return None
            finally:
                self.status.building = False
            self._serving = serving  # the atomic swap
            freeze_long_lived()  # full collections must not walk the index mid-request
            seconds = time.perf_counter() - started
            self.status.last_error = None
            self.status.last_build_seconds = round(seconds, 3)
            self.status.index_source = loaded.source
            self.status.builds += 1
            _publish_metrics(serving, seconds)
            threading.Thread(
                target=self._prepare,
                args=(serving.screener, loaded.path is not None),
                name="index-warm-up",
                daemon=True,
            ).start()
            log.info(
                "serving index of %d designations (%s) %s in %.2f s",
                serving.screener.stats.designations,
                ", ".join(serving.labels.values()),
                "mapped from its snapshot" if loaded.source == "snapshot" else "built",
                seconds,
            )
            return serving

    def _prepare(self, screener: Screener, mapped: bool) -> None:
        """What the first requests on a new index would otherwise pay for, done in the background."""
        if mapped:  # the reading tables a build loads
            warm_up()
        for prepare in self.on_swap:
            try:
                prepare(screener)
            except Exception:
                log.exception("preparing the new index failed; the first request that needs it will retry")

    def _load(self) -> Loaded | None:
        """The Screener to serve next: from the snapshot when snapshots are on (the default)."""
        if snapshots_enabled():
            try:
                return load_screener(self._store, self._default_threshold)
            except NoActiveVersions:
                return None
            except OSError as exc:  # e.g. a read-only or full snapshot folder: still serve
                log.warning("index snapshot unavailable (%s): building the index in this process", exc)
        started = time.perf_counter()
        versions, designations = self._store.active_snapshot()
        if not versions:
            return None
        kwargs = {} if self._default_threshold is None else {"default_threshold": self._default_threshold}
        screener = Screener(designations, {c: v.label for c, v in versions.items()}, **kwargs)
        return Loaded(screener, versions, "built", time.perf_counter() - started, None)


def _ids(versions: dict[str, VersionInfo]) -> dict[str, int]:
    return {code: info.id for code, info in versions.items()}


def _epoch(info: VersionInfo) -> tuple[float | None, float]:
    published = (
        datetime.combine(info.publish_date, dtime(0, 0), tzinfo=UTC).timestamp()
        if info.publish_date
        else None
    )
    return published, info.loaded_at.timestamp()


def _publish_metrics(serving: Serving, seconds: float) -> None:
    metrics.INDEX_DESIGNATIONS.set(serving.screener.stats.designations)
    metrics.INDEX_NAMES.set(serving.screener.stats.names)
    metrics.INDEX_BUILD_SECONDS.set(seconds)
    metrics.READY.set(1)
    for code, info in serving.versions.items():
        metrics.LIST_RECORDS.labels(code).set(info.record_count)
    update_list_ages(serving)


def update_list_ages(serving: Serving | None) -> None:
    if serving is None:
        return
    stamps = {code: _epoch(info) for code, info in serving.versions.items()}
    metrics.set_list_ages({c: s[0] for c, s in stamps.items()}, {c: s[1] for c, s in stamps.items()})
