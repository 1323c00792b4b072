"""Screening many parties on every core, with the batch runner's worker pool (service/batch/runner.py).

A full rescreen (after an engine upgrade), or the screening of a big import, is the
batch command's work on the register's rows, so it runs on the same machinery: the
runner's pool (with "fork", as from the CLI, workers inherit the Screener already
built here; with "forkserver", inside the threaded server, each builds it from the
same designations), chunks through its bounded window, results back in order. The
workers only screen; this process reads the register, opens the alerts and marks
the parties screened. Fewer parties than PoolSettings.min_parties are screened in
this process: a pool would cost more to start than it saves.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from lists.model import Designation
from lists.store import Store
from screening.query import Match
from screening.screener import Screener
from service.batch.runner import (
    default_workers,
    init_pool_worker,
    install_screener,
    release_screener,
    start_pool,
    worker_screener,
)
from service.monitoring.parties import PartyIn
from service.monitoring.tables import parties
from service.snapshot.workers import snapshot_ref

log = logging.getLogger(__name__)

MATCH_LIMIT = 100  # matches kept per party screened (every one of them may open an alert)
CHUNK_PARTIES = 256  # parties per task sent to a worker (the batch runner's chunk size)
WORKERS_ENV = "SANCTIONS_BATCH_WORKERS"  # the batch jobs' worker count, for rescreens and imports too
DASK_ENV = "SANCTIONS_DASK_SCHEDULER"  # rescreens on a Dask cluster: its scheduler address, or "local"

# The columns a party is screened from, in this order (PartyRow).
SCREEN_COLUMNS = (
    parties.c.party_id,
    parties.c.content_hash,
    parties.c.name,
    parties.c.type,
    parties.c.dob,
    parties.c.country,
    parties.c.nationality,
    parties.c.identifiers,
    parties.c.labels,
)
PartyRow = tuple[str, str, str, str, str | None, str | None, str | None, Any, Any]


@dataclass(frozen=True)
class PoolSettings:
    """How many workers, started how, and from how many parties on."""

    workers: int = field(default_factory=default_workers)
    start_method: str = "fork"  # "forkserver" inside a threaded server
    min_parties: int = 20_000
    # A delta screens about 1 party in 8 of its register (those sharing a rare enough key with an
    # added name): from this register size on, those are enough to be worth starting workers.
    delta_min_parties: int = 100_000
    dask_scheduler: str | None = None  # a Dask scheduler address, or "local"; None: this machine's pool

    @classmethod
    def from_env(cls, start_method: str = "fork") -> PoolSettings:
        configured = os.environ.get(WORKERS_ENV, "").strip()
        workers = int(configured) if configured.isdigit() and int(configured) > 0 else default_workers()
        scheduler = os.environ.get(DASK_ENV, "").strip() or None
        return cls(workers=workers, start_method=start_method, dask_scheduler=scheduler)


@dataclass(frozen=True)
class Workers:
    """Where chunks are screened: an executor, and how many chunks it takes at once."""

    executor: Executor
    count: int


@dataclass(slots=True)
class Screened:
    """One party's screening: its matches (and the query as screened), or why it could not be."""

    party_id: str
    content_hash: str
    subject: dict[str, Any] | None = None  # only with matches: what an alert records
    matches: list[Match] = field(default_factory=list)
    error: str | None = None


def screen_rows(screener: Screener, rows: Sequence[PartyRow]) -> list[Screened]:
    """Screen each party with `screener` (here, or in a worker: the same code either way)."""
    out: list[Screened] = []
    for party_id, digest, name, kind, dob, country, nationality, identifiers, labels in rows:
        try:
            party = PartyIn(
                name=name,
                type=kind,  # type: ignore[arg-type]  # validated: stored parties were
                dob=dob,
                country=country,
                nationality=nationality,
                identifiers=identifiers or [],
                labels=labels or {},
            )
            query = party.query().model_copy(update={"limit": MATCH_LIMIT})
            result = screener.screen(query)
        except (ValidationError, ValueError) as exc:
            out.append(Screened(party_id, digest, error=str(exc)))
            continue
        if result.matches:
            subject = query.model_dump(mode="json", exclude_defaults=True, exclude={"limit"})
            out.append(Screened(party_id, digest, subject, list(result.matches)))
        else:
            out.append(Screened(party_id, digest))
    return out


def screen_chunk(rows: list[PartyRow]) -> list[Screened]:
    """A worker's task: screen_rows with the Screener the pool gave this process."""
    return screen_rows(worker_screener(), rows)


@contextmanager
def screening_pool(
    settings: PoolSettings, screener: Screener, version_ids: dict[str, int], store: Store, parties_count: int
) -> Iterator[Workers | None]:
    """Workers screening with exactly `screener`'s lists; None (screen here) for few parties or one core.

    With "fork" they inherit `screener`. Otherwise (forkserver, Dask) each maps the active lists'
    index snapshot (or, without one, builds its own from the store's active designations), which
    must be the versions `screener` was built from: if a list moved on meanwhile, this process
    screens (the next cycle sees the change).
    """
    if parties_count < settings.min_parties or (settings.workers < 2 and not settings.dask_scheduler):
        yield None
        return
    if settings.dask_scheduler is None and settings.start_method == "fork":
        with _forked(settings.workers, screener) as workers:
            yield workers
        return
    versions = store.active_versions()
    if {code: info.id for code, info in versions.items()} != version_ids:
        log.info("the active lists moved on while a rescreen started: screening in this process")
        yield None
        return
    labels = {code: info.label for code, info in versions.items()}
    if settings.dask_scheduler is not None:
        # Each Dask worker maps its host's index snapshot of these versions (or reads the designations).
        with dask_workers(settings, store.url, labels, screener.default_threshold) as workers:
            yield workers
        return
    # The workers map the lists' index snapshot (made here if missing), else each builds its own.
    try:
        source: Any = snapshot_ref(store, labels)
    except OSError as exc:  # a read-only or full snapshot folder
        log.warning("index snapshot unavailable (%s): each worker builds its own index", exc)
        source = None
    if source is None:
        versions, source = store.active_snapshot()
        if {code: info.id for code, info in versions.items()} != version_ids:
            log.info("the active lists moved on while a rescreen started: screening in this process")
            yield None
            return
    initargs = (source, labels, screener.default_threshold, None)
    del source
    with start_pool(settings.workers, settings.start_method, initargs) as executor:
        yield Workers(executor, settings.workers)


@contextmanager
def _forked(count: int, screener: Screener) -> Iterator[Workers]:
    """`count` forked workers that inherit `screener` (frozen out of garbage collection meanwhile)."""
    install_screener(screener)
    try:
        with start_pool(count, "fork") as executor:
            yield Workers(executor, count)
    finally:
        release_screener()


@contextmanager
def delta_pool(
    settings: PoolSettings,
    small: Screener,
    designations: Sequence[Designation],
    store: Store,
    version_ids: dict[str, int],
    register_size: int,
) -> Iterator[Workers | None]:
    """Workers screening with the delta's small index `small`; None (screen here) when not worth it.

    With "fork" they inherit `small`. With "forkserver" each maps the full index snapshot of
    `version_ids` (whose word weights `small` borrows: service/monitoring/delta.py) and builds
    the small index of `designations` itself, a few hundred names. Dask, no snapshot, or lists
    that moved on meanwhile: this process screens, as before.
    """
    if register_size < settings.delta_min_parties or settings.workers < 2 or settings.dask_scheduler:
        yield None
        return
    if settings.start_method == "fork":
        with _forked(settings.workers, small) as workers:
            yield workers
        return
    versions = store.active_versions()
    labels = {code: info.label for code, info in versions.items()}
    ref = None
    if {code: info.id for code, info in versions.items()} == version_ids:
        try:
            ref = snapshot_ref(store, labels)
        except OSError as exc:
            log.warning("index snapshot unavailable (%s): the delta is screened in this process", exc)
    if ref is None:
        yield None
        return
    initargs = (ref, list(designations), dict(small.list_versions), small.default_threshold)
    with start_pool(settings.workers, settings.start_method, initargs, _init_delta_worker) as executor:
        yield Workers(executor, settings.workers)


def _init_delta_worker(
    ref: Any, designations: list[Designation], labels: dict[str, str], threshold: float
) -> None:
    """Pool initializer: the delta's small index, with the word weights of the mapped full index."""
    from service.monitoring.delta import delta_screener
    from service.snapshot.workers import open_ref

    init_pool_worker()
    small = delta_screener(open_ref(ref, threshold), designations, labels)
    if small is None:
        raise ValueError("a delta pool started without designations")
    install_screener(small)


@contextmanager
def dask_workers(
    settings: PoolSettings, database_url: str, labels: dict[str, str], threshold: float
) -> Iterator[Workers]:
    """A Dask cluster's workers, each with a Screener of exactly these list versions (a worker plugin)."""
    from service.batch.dask import PackedTaskExecutor, ScreenerPlugin, open_client

    assert settings.dask_scheduler is not None
    client = open_client(settings.dask_scheduler, settings.workers)
    try:
        client.register_plugin(ScreenerPlugin(database_url, labels, threshold, assess=False))
        executor = PackedTaskExecutor(client)
        count = max(1, sum(client.nthreads().values()))
        log.info("rescreen on Dask (%s): %d worker threads", settings.dask_scheduler, count)
        try:
            yield Workers(executor, count)  # type: ignore[arg-type]  # a concurrent.futures Executor
        finally:
            executor.shutdown(wait=True)
    finally:
        cluster = client.cluster if settings.dask_scheduler == "local" else None
        client.close()
        if cluster is not None:
            cluster.close()
