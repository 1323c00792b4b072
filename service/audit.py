"""The audit trail: every screening decision is committed before its response is sent.

A single writer thread owns the inserts. Requests hand their rows to a queue
and wait on a future; the writer takes everything that queued up while the
previous commit was running and commits it in one transaction (group commit),
then completes all of those futures. Under load, one fsync serves many
requests, so auditing costs one commit's latency, not one commit per request.

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

import logging
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from service import metrics
from service.db_models import screenings

log = logging.getLogger(__name__)


class AuditUnavailable(RuntimeError):
    """The audit record could not be committed, so the decision must not be answered."""


@dataclass
class _Pending:
    rows: Sequence[dict[str, Any]]
    future: Future[None] = field(default_factory=Future)


_STOP = object()
SQLITE_SYNCHRONOUS = ("FULL", "NORMAL", "EXTRA")


class AuditWriter:
    """Write-behind queue with group commit; `submit` returns a future completed after the commit."""

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
        self._queue: queue.Queue[Any] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
        self._started = False
        self._closed = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def submit(self, rows: Sequence[dict[str, Any]]) -> Future[None]:
        pending = _Pending(rows)
        if self._closed:
            pending.future.set_exception(AuditUnavailable("the audit writer is shut down"))
            return pending.future
        self._queue.put(pending)
        return pending.future

    def close(self, timeout: float = 10.0) -> None:
        """Commit what is queued, then stop the writer."""
        if self._started and not self._closed:
            self._closed = True
            self._queue.put(_STOP)
            self._thread.join(timeout)

    def _take_batch(self, first: _Pending) -> tuple[list[_Pending], bool]:
        """What queued up, plus what arrives within the gather window, up to max_batch_rows."""
        batch, rows, stop = [first], len(first.rows), False
        deadline = time.monotonic() + self._gather_seconds
        while rows < self._max_batch_rows:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    item = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
            if item is _STOP:
                stop = True
                break
            batch.append(item)
            rows += len(item.rows)
        return batch, stop

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch, stop = self._take_batch(item)
            self._commit(batch)
            if stop:
                self._disconnect()
                return

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

    def _commit(self, batch: list[_Pending]) -> None:
        rows = [row for pending in batch for row in pending.rows]
        started = time.perf_counter()
        try:
            conn = self._connection()
            with conn.begin():
                conn.execute(self._insert, rows)
        except Exception as exc:  # every waiter learns of the failure; nothing is answered
            log.exception("audit commit of %d rows failed", len(rows))
            self._disconnect()  # the next batch starts on a fresh connection
            error = AuditUnavailable(f"the audit trail could not be written ({type(exc).__name__})")
            for pending in batch:
                pending.future.set_exception(error)
            metrics.AUDIT_FAILURES.inc(len(rows))
            return
        metrics.AUDIT_COMMIT_SECONDS.observe(time.perf_counter() - started)
        metrics.AUDIT_BATCH_ROWS.observe(len(rows))
        for pending in batch:
            pending.future.set_result(None)


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
