"""The audit trail: every screening decision is committed before its response is sent.

A single writer thread owns the inserts. Requests hand their rows to a queue
and wait on a future; the writer takes everything that queued up while the
previous commit was running and commits it in one transaction (group commit),
then completes all of those futures. Under load, one fsync serves many
requests, so auditing costs one commit's latency, not one commit per request.
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

from sqlalchemy import Engine, insert, select

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


class AuditWriter:
    """Write-behind queue with group commit; `submit` returns a future completed after the commit."""

    def __init__(self, engine: Engine, max_batch_rows: int = 500) -> None:
        self._engine = engine
        self._max_batch_rows = max_batch_rows
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
        batch, rows, stop = [first], len(first.rows), False
        while rows < self._max_batch_rows:
            try:
                item = self._queue.get_nowait()
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
                return

    def _commit(self, batch: list[_Pending]) -> None:
        rows = [row for pending in batch for row in pending.rows]
        started = time.perf_counter()
        try:
            with self._engine.connect() as conn:
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    conn.execute(insert(screenings), rows)
        except Exception as exc:  # every waiter learns of the failure; nothing is answered
            log.exception("audit commit of %d rows failed", len(rows))
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
