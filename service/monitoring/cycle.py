"""One monitoring cycle: bring the register up to date with the active list versions.

Run holding the monitor lock (one process at a time), by the watcher thread of
the server or by `sanctions parties rescreen`:

1. For each list whose active version differs from its watermark (the last
   version the register was screened for), however the version was loaded:
   diff the two versions, close the open alerts of removed designations
   (outcome `delisted`), build a small index of the added and changed ones
   (service/monitoring/delta.py) and run the register through it. Only the
   parties sharing a lookup key with the delta are screened; the others cannot
   be its candidates. Then move the watermark, in the transaction that finishes the job.
2. Screen the parties added or changed since (`needs_screen`) against every list.
3. A full rescreen (requested, e.g. after an engine upgrade) screens every party.

Jobs 2 and 3 of 20,000 parties or more screen on the batch runner's worker pool, on
every core (service/monitoring/pool.py); so does job 1's screening of the parties its prefilter
admits, for a register of 100,000 parties or more (delta_pool).

Each is a job row (service/monitoring/jobs.py) with progress and counts, and emits
`list.updated` and `rescreen.finished` webhook events. A job killed half-way leaves
its watermark where it was, so the next cycle redoes the work; an alert is never
opened twice (service/alerts).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, exists, func, select, update

from lists.model import Designation
from lists.store import Store, StoreError, VersionInfo
from lists.store_models import DesignationRow
from screening.query import Match
from screening.screener import Screener
from service.alerts import CLOSED, alerts, close_alert, open_alert
from service.batch.runner import chunked, in_order
from service.dbtx import now, write
from service.monitoring import metrics
from service.monitoring.delta import DeltaFilter, delta_screener
from service.monitoring.jobs import create_job, fail_orphaned_rescreens, finish_job, get_job, update_job
from service.monitoring.keys import engine_fingerprint
from service.monitoring.lock import monitor_lock
from service.monitoring.parties import party_from_row
from service.monitoring.pool import (
    CHUNK_PARTIES,
    SCREEN_COLUMNS,
    PoolSettings,
    Screened,
    delta_pool,
    screen_chunk,
    screen_rows,
    screening_pool,
)
from service.monitoring.tables import list_watermarks, monitoring_jobs, parties
from service.review.accepts import accepted
from service.review.hits import existing_case
from service.webhooks.outbox import enqueue_event

log = logging.getLogger(__name__)

PAGE_ROWS = 10_000  # parties read per query while going through the register (and settled at once)
PROGRESS_SECONDS = 1.0
EVENT_IDS_MAX = 1000  # entity ids listed in a list.updated event (the counts are always whole)


@dataclass(frozen=True)
class Context:
    """What parties are screened with: a Screener and exactly the list versions it was built from."""

    screener: Screener
    versions: dict[str, VersionInfo]

    @property
    def version_ids(self) -> dict[str, int]:
        return {code: info.id for code, info in self.versions.items()}


ContextSource = Callable[[], Context | None]
# Any Screener of the lists (the serving one, even a version behind): a delta index borrows its
# token weights, which one list change barely moves.
WeightsSource = Callable[[], Screener | None]


@dataclass
class Counts:
    parties: int = 0  # gone through
    screened: int = 0
    alerts_opened: int = 0
    alerts_closed: int = 0
    errors: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, int]:
        return {
            "parties": self.parties,
            "screened": self.screened,
            "alerts_opened": self.alerts_opened,
            "alerts_closed": self.alerts_closed,
            "errors": self.errors,
            **self.extra,
        }


class _Progress:
    """Writes a job's progress (and heartbeat) about once a second."""

    def __init__(self, engine: Engine, job_id: str, counts: Counts) -> None:
        self.engine, self.job_id, self.counts = engine, job_id, counts
        self._last = time.monotonic()

    def tick(self, force: bool = False) -> None:
        metrics.RESCREEN_DONE.set(self.counts.parties)
        if force or time.monotonic() - self._last >= PROGRESS_SECONDS:
            self._last = time.monotonic()
            update_job(self.engine, self.job_id, done=self.counts.parties, counts=self.counts.as_json())

    def keep_going(self) -> bool:
        """The worker pool's should_stop: a progress tick while waiting (workers may be starting)."""
        self.tick()
        return False


class Monitor:
    """Runs monitoring cycles for one database (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        context: ContextSource,
        weights: WeightsSource | None = None,
        pool: PoolSettings | None = None,
    ) -> None:
        self.store = store
        self.engine: Engine = store.engine
        self._context = context
        self._weights = weights or (lambda: (found := context()) and found.screener)
        self.pool = pool or PoolSettings()  # full and "parties" jobs of many parties use every core
        self.failures = 0  # jobs failed by this monitor (the watcher pauses after one)

    # --- deciding -----------------------------------------------------------------------------

    def watermarks(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return dict(conn.execute(select(list_watermarks.c.list_code, list_watermarks.c.version_id)).all())

    def has_work(self) -> bool:
        """Cheap check (no lock, no index): a list changed, a party waits, or a full rescreen was asked."""
        active = {code: info.id for code, info in self.store.active_versions().items()}
        if not active:
            return False
        if any(self.watermarks().get(code) != vid for code, vid in active.items()):
            return True
        with self.engine.connect() as conn:
            waiting = conn.execute(select(exists().where(parties.c.needs_screen))).scalar()
            queued = conn.execute(
                select(exists().where(monitoring_jobs.c.kind == "full", monitoring_jobs.c.state == "queued"))
            ).scalar()
        return bool(waiting or queued)

    def run_once(self, trigger: str, wait_seconds: float = 0.0, full: bool = False) -> list[str] | None:
        """Take the monitor lock and run a cycle; None if another process holds the lock."""
        with monitor_lock(self.engine, wait_seconds) as held:
            if not held:
                return None
            metrics.RESCREEN_RUNNING.set(1)
            try:
                return self._run(trigger, full)
            finally:
                metrics.RESCREEN_RUNNING.set(0)

    def _run(self, trigger: str, full: bool) -> list[str]:
        for job_id in fail_orphaned_rescreens(self.engine):
            log.warning("rescreen job %s was interrupted (its process stopped); marked failed", job_id)
        active = self.store.active_versions()
        if not active:
            return []  # fail closed: nothing to screen against; waiting parties keep waiting
        jobs: list[str] = []
        marks = self.watermarks()
        with self.engine.connect() as conn:
            anyone_screened = conn.execute(select(exists().where(~parties.c.needs_screen))).scalar()
        weights: Screener | None = None
        version_ids = {code: info.id for code, info in active.items()}
        for code, info in active.items():
            mark = marks.get(code)
            if mark == info.id:
                continue
            if mark is None and not anyone_screened:
                with write(self.engine) as conn:
                    _set_watermark(conn, code, info.id)  # nobody to rescreen: start watching here
                continue
            weights = weights or self._weights()
            if weights is None:
                return jobs  # no index to borrow weights from yet: next round
            jobs.append(self._delta_job(weights, version_ids, code, mark, info, trigger))
        queued = self._queued_full_jobs()
        if full or queued or self._waiting_parties():
            context = self._context()
            if context is None:
                return jobs
            if full or queued:
                jobs.append(self._screen_job(context, "full", trigger, queued))
            else:
                jobs.append(self._screen_job(context, "parties", trigger, []))
        return jobs

    def _queued_full_jobs(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(monitoring_jobs.c.job_id)
                    .where(monitoring_jobs.c.kind == "full", monitoring_jobs.c.state == "queued")
                    .order_by(monitoring_jobs.c.created_at)
                ).scalars()
            )

    def _waiting_parties(self) -> int:
        with self.engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(parties).where(parties.c.needs_screen)
                ).scalar_one()
            )

    # --- a list changed -------------------------------------------------------------------------

    def _delta_job(
        self,
        weights: Screener,
        version_ids: dict[str, int],
        code: str,
        mark: int | None,
        info: VersionInfo,
        trigger: str,
    ) -> str:
        started = time.perf_counter()
        notes: list[str] = []
        diff = None
        if mark is not None:
            try:
                diff = self.store.diff(mark, info.id)
            except StoreError as exc:
                notes.append(f"cannot diff from version {mark} ({exc}); screened against the whole list")
        else:
            notes.append(f"first version of {code} seen by monitoring: screened against the whole list")
        if diff is None:
            listed = self._entity_ids(info.id)
            added, changed, removed = listed, [], self._alerted_not_listed(code, set(listed))
        else:
            added, changed, removed = diff.added, diff.changed, diff.removed
        counts = Counts(extra={"added": len(added), "changed": len(changed), "removed": len(removed)})
        with write(self.engine) as conn:
            job_id = create_job(
                conn,
                "delta",
                list_code=code,
                from_version=mark,
                to_version=info.id,
                trigger=trigger,
                notes=notes,
                counts=counts.as_json(),
            )
            enqueue_event(
                conn,
                "list.updated",
                {
                    "list": code,
                    "version": {"id": info.id, "label": info.label, "publish_date": _date(info)},
                    "previous_version_id": mark,
                    "counts": {"added": len(added), "changed": len(changed), "removed": len(removed)},
                    "added": added[:EVENT_IDS_MAX],
                    "changed": changed[:EVENT_IDS_MAX],
                    "removed": removed[:EVENT_IDS_MAX],
                    "rescreen_job_id": job_id,
                },
            )
        log.info(
            "%s %s -> %s: %d added, %d changed, %d removed; rescreen job %s",
            code,
            mark,
            info.id,
            len(added),
            len(changed),
            len(removed),
            job_id,
        )
        progress = _Progress(self.engine, job_id, counts)
        try:
            counts.alerts_closed = self._close_delisted(code, removed, info)
            self._screen_delta(weights, version_ids, code, info, [*added, *changed], progress)
        except Exception as exc:
            log.exception("rescreen job %s failed", job_id)
            self._finish(job_id, "delta", "failed", started, counts, f"{type(exc).__name__}: {exc}")
            return job_id
        self._finish(job_id, "delta", "done", started, counts, watermark=(code, info.id))
        return job_id

    def _entity_ids(self, version_id: int) -> list[str]:
        with self.engine.connect() as conn:
            return sorted(
                conn.execute(
                    select(DesignationRow.entity_id).where(DesignationRow.version_id == version_id)
                ).scalars()
            )

    def _designations(self, version_id: int, entity_ids: Sequence[str]) -> list[Designation]:
        """The designations of a version with these ids, as stored (the delta index is built from them)."""
        found: list[Designation] = []
        with self.engine.connect() as conn:
            for chunk in _chunked(sorted(entity_ids), 500):
                payloads = conn.execute(
                    select(DesignationRow.payload).where(
                        DesignationRow.version_id == version_id, DesignationRow.entity_id.in_(chunk)
                    )
                ).scalars()
                found.extend(Designation.model_validate(p) for p in payloads)
        return found

    def _alerted_not_listed(self, code: str, listed: set[str]) -> list[str]:
        with self.engine.connect() as conn:
            alerted = conn.execute(
                select(alerts.c.entity_id)
                .distinct()
                .where(alerts.c.list_code == code, alerts.c.status != CLOSED)
            ).scalars()
            return sorted(set(alerted) - listed)

    def _close_delisted(self, code: str, removed: Sequence[str], info: VersionInfo) -> int:
        closed = 0
        for chunk in _chunked(removed, 500):
            with write(self.engine) as conn:
                ids = conn.execute(
                    select(alerts.c.alert_id).where(
                        alerts.c.list_code == code, alerts.c.entity_id.in_(chunk), alerts.c.status != CLOSED
                    )
                ).scalars()
                for alert_id in list(ids):
                    close_alert(
                        conn,
                        alert_id,
                        outcome="delisted",
                        actor="system",
                        note=f"the designation is no longer on {code} (version {info.label})",
                    )
                    closed += 1
        metrics.ALERTS_CLOSED.inc(closed)
        return closed

    def _screen_delta(
        self,
        weights: Screener,
        version_ids: dict[str, int],
        code: str,
        info: VersionInfo,
        entity_ids: Sequence[str],
        progress: _Progress,
    ) -> None:
        """Screen the parties the key prefilter admits against the delta's small index.

        The parent reads and filters the register a page at a time; the admitted parties are
        screened on the worker pool for a big register (delta_pool), and settled in pages.
        """
        counts = progress.counts
        designations = self._designations(info.id, entity_ids)
        small = delta_screener(weights, designations, {code: info.label})
        if small is None:
            return
        admitted = DeltaFilter(small, weights)
        total = _count(self.engine, parties)
        update_job(self.engine, progress.job_id, total=total)

        def candidate_chunks() -> Iterator[tuple[None, list[Any]]]:
            for page in self._pages():
                fresh = self._refresh_keys(
                    [r.party_id for r in page if r.keys_engine != engine_fingerprint()]
                )
                candidates = [
                    r.party_id for r in page if admitted.admits(fresh.get(r.party_id, r.match_keys))
                ]
                for chunk in chunked(self._screening_rows(candidates), CHUNK_PARTIES):
                    yield None, chunk
                counts.parties += len(page)
                progress.tick()

        with delta_pool(self.pool, small, designations, self.store, version_ids, total) as workers:
            executor = workers.executor if workers is not None else None
            work = screen_chunk if executor is not None else partial(screen_rows, small)
            window = workers.count * 4 if workers is not None else 1
            pending: list[Screened] = []
            for _, screened in in_order(executor, work, candidate_chunks(), window, progress.keep_going):
                pending.extend(screened)
                if len(pending) >= PAGE_ROWS:
                    self._settle(version_ids, pending, counts, "delta")
                    pending = []
            self._settle(version_ids, pending, counts, "delta")
        metrics.RESCREEN_PARTIES.labels("delta").inc(counts.parties)

    def _screening_rows(self, party_ids: Sequence[str]) -> list[Any]:
        """These parties as screening rows (SCREEN_COLUMNS), in register order."""
        if not party_ids:
            return []
        with self.engine.connect() as conn:
            query = select(*SCREEN_COLUMNS).where(parties.c.party_id.in_(list(party_ids)))
            return [tuple(row) for row in conn.execute(query.order_by(parties.c.party_id))]

    def _pages(self, only_waiting: bool = False) -> Iterator[Sequence[Any]]:
        """The register in pages of PAGE_ROWS (id, keys, key engine), by party id."""
        last: str | None = None
        while True:
            query = (
                select(parties.c.party_id, parties.c.match_keys, parties.c.keys_engine)
                .order_by(parties.c.party_id)
                .limit(PAGE_ROWS)
            )
            if last is not None:
                query = query.where(parties.c.party_id > last)
            if only_waiting:
                query = query.where(parties.c.needs_screen)
            with self.engine.connect() as conn:
                rows = conn.execute(query).all()
            if not rows:
                return
            yield rows
            last = rows[-1].party_id

    def _refresh_keys(self, party_ids: list[str]) -> dict[str, str]:
        """Keys made by another engine build, made again (and stored) with this one."""
        if not party_ids:
            return {}
        fingerprint = engine_fingerprint()
        fresh: dict[str, str] = {}
        with write(self.engine) as conn:
            for row in conn.execute(select(parties).where(parties.c.party_id.in_(party_ids))):
                fresh[row.party_id] = party_from_row(row).keys()
            conn.execute(
                update(parties)
                .where(parties.c.party_id == bindparam("pid"))
                .values(match_keys=bindparam("keys"), keys_engine=fingerprint),
                [{"pid": pid, "keys": keys} for pid, keys in fresh.items()],
            )
        return fresh

    # --- screening parties ----------------------------------------------------------------------

    def _screen_parties(
        self,
        version_ids: dict[str, int],
        screener: Screener,
        party_ids: Sequence[str],
        counts: Counts,
        kind: str,
    ) -> list[tuple[str, str]]:
        """Screen these parties here, open an alert per match; returns (party id, content hash) screened."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(*SCREEN_COLUMNS).where(parties.c.party_id.in_(list(party_ids)))).all()
        return self._settle(version_ids, screen_rows(screener, [tuple(r) for r in rows]), counts, kind)  # type: ignore[misc]

    def _settle(
        self, version_ids: dict[str, int], screened: Sequence[Screened], counts: Counts, kind: str
    ) -> list[tuple[str, str]]:
        """Count screened parties, open an alert per match; returns (party id, content hash) screened."""
        done: list[tuple[str, str]] = []
        hits: list[tuple[str, dict[str, Any], Match]] = []
        for item in screened:
            if item.error is not None:
                counts.errors += 1
                log.warning("party %s cannot be screened: %s", item.party_id, item.error)
                continue
            done.append((item.party_id, item.content_hash))
            if item.subject is not None:
                hits.extend((item.party_id, item.subject, match) for match in item.matches)
        counts.screened += len(done)
        metrics.RESCREEN_SCREENED.labels(kind).inc(len(done))
        if hits:
            opened = self._open_alerts(version_ids, hits)
            counts.alerts_opened += opened
            metrics.ALERTS_OPENED.labels(kind).inc(opened)
        return done

    def _open_alerts(self, version_ids: dict[str, int], hits: list[tuple[str, dict[str, Any], Match]]) -> int:
        opened = 0
        with write(self.engine) as conn:
            hashes = _designation_hashes(conn, version_ids.values(), {m.entity_id for _, _, m in hits})
            for party_id, subject, match in hits:
                digest = hashes.get(match.entity_id)
                if digest is None:  # not in the active versions any more: the next cycle sees the change
                    continue
                if accepted(  # an accept entry (service.review) covers this pair: no alert
                    conn,
                    party_id=party_id,
                    subject=subject,
                    entity_id=match.entity_id,
                    designation_hash=digest,
                ):
                    continue
                alert = open_alert(
                    conn,
                    party_id=party_id,
                    subject=subject,
                    entity_id=match.entity_id,
                    list_code=match.list,
                    designation_hash=digest,
                    matched_name=match.matched_name,
                    score=match.score,
                    result=match.model_dump(mode="json"),
                    list_versions=version_ids,
                    source="rescreen",
                )
                if alert is None:  # the case exists; a lapsed accept's false positive is reopened (review)
                    existing_case(
                        conn,
                        party_id=party_id,
                        entity_id=match.entity_id,
                        designation_hash=digest,
                        actor="system",
                    )
                opened += alert is not None
        return opened

    def _screen_job(self, context: Context, kind: str, trigger: str, queued: list[str]) -> str:
        """Screen the waiting parties ("parties") or all of them ("full") against every list."""
        started = time.perf_counter()
        counts = Counts()
        if queued:
            job_id = queued[0]
            with write(self.engine) as conn:
                conn.execute(
                    update(monitoring_jobs)
                    .where(monitoring_jobs.c.job_id.in_(queued[1:]))
                    .values(state="done", finished_at=now(), notes=[f"merged into full rescreen {job_id}"])
                )
            update_job(self.engine, job_id, state="running", started_at=now(), attempts=1)
        else:
            job_id = create_job(self.engine, kind, trigger=trigger)
        total = _count(self.engine, parties) if kind == "full" else self._waiting_parties()
        update_job(self.engine, job_id, total=total)
        progress = _Progress(self.engine, job_id, counts)
        try:
            self._screen_all(context, kind, total, progress)
        except Exception as exc:
            log.exception("rescreen job %s failed", job_id)
            self._finish(job_id, kind, "failed", started, counts, f"{type(exc).__name__}: {exc}")
            return job_id
        metrics.RESCREEN_PARTIES.labels(kind).inc(counts.parties)
        self._finish(job_id, kind, "done", started, counts)
        return job_id

    def _screen_all(self, context: Context, kind: str, total: int, progress: _Progress) -> None:
        """Screen the register (or its waiting parties) in chunks, on the worker pool if it is big.

        The parent reads pages of the register and settles the results (alerts, then
        `needs_screen` cleared) a page at a time, in register order, while the workers
        screen the next chunks.
        """
        counts = progress.counts
        chunks = (
            (None, chunk)
            for page in self._party_pages(only_waiting=kind == "parties")
            for chunk in chunked(page, CHUNK_PARTIES)
        )
        with screening_pool(self.pool, context.screener, context.version_ids, self.store, total) as workers:
            executor = workers.executor if workers is not None else None
            work = screen_chunk if executor is not None else partial(screen_rows, context.screener)
            window = workers.count * 4 if workers is not None else 1
            pending: list[Screened] = []
            for _, screened in in_order(executor, work, chunks, window, progress.keep_going):
                pending.extend(screened)
                if len(pending) >= PAGE_ROWS:
                    self._settle_page(context.version_ids, pending, counts, kind)
                    pending = []
                    progress.tick()
            self._settle_page(context.version_ids, pending, counts, kind)
            progress.tick()

    def _settle_page(
        self, version_ids: dict[str, int], screened: list[Screened], counts: Counts, kind: str
    ) -> None:
        self._mark_screened(self._settle(version_ids, screened, counts, kind))
        counts.parties += len(screened)

    def _party_pages(self, only_waiting: bool) -> Iterator[list[Any]]:
        """The register (or its waiting parties) as screening rows, in pages of PAGE_ROWS, by party id."""
        last: str | None = None
        while True:
            query = select(*SCREEN_COLUMNS).order_by(parties.c.party_id).limit(PAGE_ROWS)
            if last is not None:
                query = query.where(parties.c.party_id > last)
            if only_waiting:
                query = query.where(parties.c.needs_screen)
            with self.engine.connect() as conn:
                rows = [tuple(row) for row in conn.execute(query)]
            if not rows:
                return
            yield rows
            last = rows[-1][0]

    def _mark_screened(self, screened: list[tuple[str, str]]) -> None:
        """Clear `needs_screen`, unless the party changed again meanwhile (its hash differs)."""
        if not screened:
            return
        with write(self.engine) as conn:
            conn.execute(
                update(parties)
                .where(parties.c.party_id == bindparam("pid"), parties.c.content_hash == bindparam("digest"))
                .values(needs_screen=False, screened_at=now()),
                [{"pid": pid, "digest": digest} for pid, digest in screened],
            )

    def screen_now(self, context: Context, party_ids: Sequence[str]) -> Counts:
        """Screen parties right away (a party put over the API), without the lock.

        `needs_screen` is cleared only if the index is built from the versions active
        now: a list change after that check finds the party in the register, as its
        rescreen starts later; with an older index the watcher screens it again.
        """
        counts = Counts()
        screened = self._screen_parties(context.version_ids, context.screener, party_ids, counts, "parties")
        active = {code: info.id for code, info in self.store.active_versions().items()}
        if active == context.version_ids:
            self._mark_screened(screened)
        return counts

    # --- finishing ------------------------------------------------------------------------------

    def _finish(
        self,
        job_id: str,
        kind: str,
        state: str,
        started: float,
        counts: Counts,
        error: str | None = None,
        watermark: tuple[str, int] | None = None,
    ) -> None:
        """Job state, counts, the watermark and the rescreen.finished event, in one transaction."""
        with write(self.engine) as conn:
            finish_job(conn, job_id, state, started, error, done=counts.parties, counts=counts.as_json())
            if watermark is not None:
                _set_watermark(conn, *watermark)
            job = get_job(conn, job_id)
            enqueue_event(conn, "rescreen.finished", {"rescreen": job})
        if state == "failed":
            self.failures += 1
        metrics.RESCREEN_JOBS.labels(kind, state).inc()
        metrics.RESCREEN_SECONDS.labels(kind).set(round(time.perf_counter() - started, 3))
        log.info("rescreen job %s (%s) %s: %s", job_id, kind, state, counts.as_json())


def request_full_rescreen(engine: Engine, trigger: str) -> str:
    """Queue a full rescreen of the register (run by the next cycle)."""
    return create_job(engine, "full", state="queued", trigger=trigger)


def _set_watermark(conn: Connection, code: str, version_id: int) -> None:
    changed = conn.execute(
        update(list_watermarks)
        .where(list_watermarks.c.list_code == code)
        .values(version_id=version_id, updated_at=now())
    ).rowcount
    if not changed:
        conn.execute(list_watermarks.insert().values(list_code=code, version_id=version_id, updated_at=now()))


def _designation_hashes(conn: Connection, version_ids: Iterable[int], entity_ids: set[str]) -> dict[str, str]:
    """The store's content hash of each designation in the given versions."""
    found: dict[str, str] = {}
    for chunk in _chunked(sorted(entity_ids), 500):
        rows = conn.execute(
            select(DesignationRow.entity_id, DesignationRow.content_hash).where(
                DesignationRow.version_id.in_(list(version_ids)), DesignationRow.entity_id.in_(chunk)
            )
        )
        found.update(dict(rows.all()))  # type: ignore[arg-type]
    return found


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _chunked(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _date(info: VersionInfo) -> str | None:
    return info.publish_date.isoformat() if info.publish_date else None
