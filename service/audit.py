"""The audit trail: every screening decision is committed before its response is sent.

A single writer thread owns the inserts. Requests hand their rows to a queue
and wait on a future; the writer takes everything that queued up while the
previous commit was running and commits it in one transaction (group commit),
then completes all of those futures. Under load, one fsync serves many
requests, so auditing costs one commit's latency, not one commit per request.
Coroutines wait with `await writer.commit(rows)`: the writer wakes each event
loop once per commit (one call_soon_threadsafe for all of that commit's
requests), not once per request.

Before committing, the writer waits up to `gather_seconds` (default 1 ms) for
more rows: under load that turns ~1 row per commit into many (fewer fsyncs,
less per-transaction work), at a cost of at most that wait when idle. It keeps
one connection open (reopened after a failure) and inserts each batch with one
executemany.

Durability: on SQLite the writer's connection runs `PRAGMA synchronous=FULL`
(set explicitly, not left to the build's default), so each group commit fsyncs
the write-ahead log before any of its callers is answered: a 200 survives a
process crash, an OS crash and a power loss. `synchronous="NORMAL"` (env
SANCTIONS_AUDIT_SYNCHRONOUS=normal) skips that fsync: still safe against a crash
of the server process (the WAL is in the OS's page cache), but an OS crash or
power loss can lose the last commits that callers already have 200s for.
On PostgreSQL durability is the server's `synchronous_commit` (on by default).
"""

from __future__ import annotations

import asyncio
import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from service import metrics
from service.db_models import screenings
from service.db_outage import describe, is_database_outage

log = logging.getLogger(__name__)


class AuditUnavailable(RuntimeError):
    """The audit record could not be committed, so the decision must not be answered."""


@dataclass(slots=True)
class _Pending:
    """Rows waiting for a commit and whoever waits for them: a thread's future or an event loop's."""

    rows: Sequence[dict[str, Any]]
    future: Future[None] | asyncio.Future[None]
    loop: asyncio.AbstractEventLoop | None = None


SQLITE_SYNCHRONOUS = ("FULL", "NORMAL", "EXTRA")


def _settle(waiters: list[asyncio.Future[None]], error: BaseException | None) -> None:
    """On the event loop: answer every request of one commit (one loop wake-up per commit, not per row)."""
    for waiter in waiters:
        if waiter.done():  # the request was cancelled (client gone); its rows are committed anyway
            continue
        if error is None:
            waiter.set_result(None)
        else:
            waiter.set_exception(error)


class _WriterLock:
    """An exclusive flock beside a SQLite file, held by an audit writer from BEGIN to COMMIT.

    With several worker processes, every worker has its own writer on the same
    file. SQLite makes a writer that finds the write lock taken sleep 1, 2, 5,
    10 ... ms before retrying (its busy handler), so a commit of one worker
    could delay the other's by up to 180 ms (measured). Queueing on a kernel
    lock instead wakes the next writer as soon as the previous one commits.
    Other writers (list loads, batch jobs) do not take it and keep SQLite's
    own locking, which is what guarantees correctness either way.
    """

    def __init__(self, engine: Engine) -> None:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        self._path = f"{database}-audit.lock" if database and database != ":memory:" else None
        self._fd: int | None = None

    @contextmanager
    def held(self) -> Iterator[None]:
        if self._path is None:
            yield
            return
        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class AuditWriter:
    """Write-behind queue with group commit; callers are answered only after their rows' commit.

    `commit(rows)` is for coroutines (awaits the commit on the event loop);
    `submit(rows)` returns a concurrent future for threads.
    """

    def __init__(
        self,
        engine: Engine,
        max_batch_rows: int = 500,
        gather_seconds: float = 0.001,
        sqlite_synchronous: str = "FULL",
    ) -> None:
        if sqlite_synchronous.upper() not in SQLITE_SYNCHRONOUS:
            raise ValueError(f"sqlite_synchronous: expected one of {', '.join(SQLITE_SYNCHRONOUS)}")
        self._sqlite_synchronous = sqlite_synchronous.upper()
        self._engine = engine
        self._max_batch_rows = max_batch_rows
        self._gather_seconds = gather_seconds
        self._insert = insert(screenings)
        self._conn: Connection | None = None
        self._lock = _WriterLock(engine)
        self._pending: list[_Pending] = []
        self._wakeup = threading.Condition(threading.Lock())
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._started = False
        self._closed = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def _enqueue(self, pending: _Pending) -> None:
        with self._wakeup:
            if self._closed:
                raise AuditUnavailable("the audit writer is shut down")
            self._pending.append(pending)
            if len(self._pending) == 1:  # the writer sleeps only while nothing is pending
                self._wakeup.notify()

    def submit(self, rows: Sequence[dict[str, Any]]) -> Future[None]:
        """A future completed once the rows are committed (or failed with AuditUnavailable)."""
        future: Future[None] = Future()
        try:
            self._enqueue(_Pending(rows, future))
        except AuditUnavailable as exc:
            future.set_exception(exc)
        return future

    async def commit(self, rows: Sequence[dict[str, Any]]) -> None:
        """Return once the rows are committed; raise AuditUnavailable if they could not be."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[None] = loop.create_future()
        self._enqueue(_Pending(rows, waiter, loop))
        await waiter

    def close(self, timeout: float = 10.0) -> None:
        """Commit what is queued, then stop the writer."""
        if self._started and not self._closed:
            with self._wakeup:
                self._closed = True
                self._wakeup.notify()
            self._thread.join(timeout)

    def _take_batch(self) -> list[_Pending] | None:
        """The next batch: what queued up, plus what arrives within the gather window; None to stop."""
        with self._wakeup:
            while not self._pending:
                if self._closed:
                    return None
                self._wakeup.wait()
        if self._gather_seconds > 0 and not self._closed:
            time.sleep(self._gather_seconds)  # arrivals meanwhile only append; nothing wakes us
        with self._wakeup:
            taken, rows = 0, 0
            for pending in self._pending:
                if taken and rows + len(pending.rows) > self._max_batch_rows:
                    break
                taken += 1
                rows += len(pending.rows)
            batch = self._pending[:taken]
            del self._pending[:taken]
        return batch

    def _run(self) -> None:
        while (batch := self._take_batch()) is not None:
            self._answer(batch, self._commit(batch))
        self._disconnect()
        self._lock.close()

    def _connection(self) -> Connection:
        if self._conn is None:
            conn = self._engine.connect()
            if conn.dialect.name == "sqlite":  # on the driver connection: no transaction may be open
                conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                    f"PRAGMA synchronous={self._sqlite_synchronous}"
                )
            self._conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        return self._conn

    def _disconnect(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # a broken connection may fail to close; it is dropped either way
                log.warning("closing the audit connection failed", exc_info=True)
            self._conn = None

    def _commit(self, batch: list[_Pending]) -> AuditUnavailable | None:
        """Insert and commit the batch in one transaction; the error to give its waiters, if any."""
        rows = [row for pending in batch for row in pending.rows]
        started = time.perf_counter()
        try:
            conn = self._connection()
            with self._lock.held(), conn.begin():
                conn.execute(self._insert, rows)
        except Exception as exc:  # every waiter learns of the failure; nothing is answered
            if is_database_outage(exc):  # one line, not a traceback per commit, while the database is away
                log.warning("audit commit of %d rows failed: %s", len(rows), describe(exc))
            else:
                log.exception("audit commit of %d rows failed", len(rows))
            self._disconnect()  # the next batch starts on a fresh connection
            metrics.AUDIT_FAILURES.inc(len(rows))
            return AuditUnavailable(f"the audit trail could not be written ({type(exc).__name__})")
        metrics.AUDIT_COMMIT_SECONDS.observe(time.perf_counter() - started)
        metrics.AUDIT_BATCH_ROWS.observe(len(rows))
        return None

    @staticmethod
    def _answer(batch: list[_Pending], error: AuditUnavailable | None) -> None:
        """Complete every waiter of the batch: thread futures directly, each event loop once."""
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
        for pending in batch:
            if pending.loop is not None:
                by_loop.setdefault(pending.loop, []).append(pending.future)  # type: ignore[arg-type]
            elif error is None:
                pending.future.set_result(None)
            else:
                pending.future.set_exception(error)
        for loop, waiters in by_loop.items():
            try:
                loop.call_soon_threadsafe(_settle, waiters, error)
            except RuntimeError:  # that loop is closed: nobody is left to answer
                log.warning("audit: %d waiters' event loop is closed", len(waiters))


def get_screening(engine: Engine, screening_id: str) -> dict[str, Any] | None:
    """The audited decision, as stored."""
    with engine.connect() as conn:
        row = conn.execute(select(screenings).where(screenings.c.screening_id == screening_id)).first()
    if row is None:
        return None
    record = dict(row._mapping)
    created = record["created_at"]
    if created is not None and created.tzinfo is None:  # SQLite keeps no zone; we always write UTC
        created = created.replace(tzinfo=UTC)
    record["created_at"] = created.isoformat() if created is not None else None
    return record
