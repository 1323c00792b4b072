"""The audit writer's group commit against real databases: every submitted row committed, batched."""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from lists.store import Store
from service import metrics
from service.audit import AuditUnavailable, AuditWriter, get_screening
from service.db_models import screenings


def _row(**overrides: Any) -> dict[str, Any]:
    return {
        "screening_id": str(uuid.uuid4()),
        "created_at": datetime.now(UTC),
        "endpoint": "screen",
        "bulk_id": None,
        "position": None,
        "api_key_id": "k1",
        "reference": "ref",
        "decision": "clear",
        "threshold": 0.84,
        "list_versions": {"un": "un@1"},
        "request": {"name": "A"},
        "result": {"decision": "clear", "matches": []},
        "screen_ms": 1.0,
        **overrides,
    }


def _batches() -> float:
    samples = metrics.AUDIT_BATCH_ROWS.collect()[0].samples
    return next(s.value for s in samples if s.name.endswith("_count"))  # one observation per commit


def test_concurrent_submissions_are_all_committed_in_fewer_transactions(db_url: str) -> None:
    store = Store(db_url)
    writer = AuditWriter(store.engine)
    writer.start()
    batches_before = _batches()
    rows = [_row() for _ in range(400)]
    try:
        with ThreadPoolExecutor(16) as pool:
            futures = list(pool.map(lambda r: writer.submit([r]), rows))
        for future in futures:
            future.result(timeout=30)
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(screenings)).scalar_one() == 400
        assert _batches() - batches_before < 400  # group commit: at least some rows shared a commit
        stored = get_screening(store.engine, rows[7]["screening_id"])
        assert stored is not None and stored["request"] == {"name": "A"}
        assert stored["created_at"].endswith("+00:00")
    finally:
        writer.close()
        store.close()


def test_a_failed_commit_fails_every_waiter_of_the_batch(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    writer = AuditWriter(store.engine)
    writer.start()
    duplicate = _row()
    try:
        writer.submit([duplicate]).result(timeout=30)
        with pytest.raises(AuditUnavailable):
            writer.submit([_row(), duplicate]).result(timeout=30)
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(screenings)).scalar_one() == 1
    finally:
        writer.close()
        store.close()
    with pytest.raises(AuditUnavailable):
        writer.submit([_row()]).result(timeout=1)


def _writer_synchronous(writer: AuditWriter) -> int:
    """The PRAGMA synchronous level of the writer's own connection (0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA)."""
    conn = writer._connection()  # the connection the commits go through
    value = conn.exec_driver_sql("PRAGMA synchronous").scalar_one()
    conn.rollback()
    return int(value)


@pytest.mark.parametrize(("mode", "level"), [("FULL", 2), ("normal", 1)])
def test_sqlite_audit_commits_use_the_configured_synchronous_level(
    sqlite_url: str, mode: str, level: int
) -> None:
    store = Store(sqlite_url)
    writer = AuditWriter(store.engine, sqlite_synchronous=mode)
    writer.start()
    try:
        writer.submit([_row()]).result(timeout=30)
        assert _writer_synchronous(writer) == level
    finally:
        writer.close()
        store.close()


def test_an_unknown_synchronous_mode_is_refused_by_name(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    try:
        with pytest.raises(ValueError, match="sqlite_synchronous"):
            AuditWriter(store.engine, sqlite_synchronous="sometimes")
    finally:
        store.close()


def test_the_gather_window_puts_rows_submitted_one_by_one_into_one_commit(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    writer = AuditWriter(store.engine, gather_seconds=2.0)  # long enough for a loaded machine
    writer.start()
    try:
        writer.submit([_row()]).result(timeout=30)  # opens the connection outside the measurement
        batches_before = _batches()
        futures = [writer.submit([_row()]) for _ in range(5)]  # sequential, no commit in between
        for future in futures:
            future.result(timeout=30)
        assert _batches() - batches_before == 1
    finally:
        writer.close()
        store.close()


def test_the_writer_keeps_committing_after_a_failed_batch(db_url: str) -> None:
    store = Store(db_url)
    writer = AuditWriter(store.engine)
    writer.start()
    duplicate = _row()
    try:
        writer.submit([duplicate]).result(timeout=30)
        with pytest.raises(AuditUnavailable):
            writer.submit([duplicate]).result(timeout=30)
        writer.submit([_row()]).result(timeout=30)  # a fresh connection after the failure
        with store.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(screenings)).scalar_one() == 2
    finally:
        writer.close()
        store.close()


def _count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(screenings)).scalar_one())


def test_coroutines_return_only_after_their_rows_are_committed(db_url: str) -> None:
    """`await writer.commit(rows)`: many requests on one event loop, each answered after its commit."""
    store = Store(db_url)
    writer = AuditWriter(store.engine)
    writer.start()
    seen_after_commit: list[bool] = []

    async def request(row: dict[str, Any]) -> None:
        await writer.commit([row])
        # what the request may now answer is already readable by another connection
        seen_after_commit.append(get_screening(store.engine, row["screening_id"]) is not None)

    async def many() -> None:
        await asyncio.gather(*(request(_row()) for _ in range(60)))

    try:
        asyncio.run(many())
        assert seen_after_commit == [True] * 60
        assert _count(store) == 60
    finally:
        writer.close()
        store.close()


def test_a_failed_commit_raises_in_every_waiting_coroutine(sqlite_url: str) -> None:
    store = Store(sqlite_url)
    writer = AuditWriter(store.engine, gather_seconds=0.5)  # both requests land in one batch
    writer.start()
    duplicate = _row()

    async def two_requests() -> list[BaseException | None]:
        results = await asyncio.gather(
            writer.commit([_row()]), writer.commit([duplicate, dict(duplicate)]), return_exceptions=True
        )
        return list(results)

    try:
        results = asyncio.run(two_requests())
        assert all(isinstance(result, AuditUnavailable) for result in results)
        assert _count(store) == 0  # the whole batch was rolled back: nobody got an answer
    finally:
        writer.close()
        store.close()

    async def after_close() -> None:
        await writer.commit([_row()])

    with pytest.raises(AuditUnavailable):
        asyncio.run(after_close())


def test_sqlite_writers_of_several_workers_queue_on_one_file_lock(sqlite_url: str) -> None:
    """A commit waits while another worker's writer holds the lock, and goes through once it is free."""
    lock_path = f"{make_url(sqlite_url).database}-audit.lock"
    stores = [Store(sqlite_url), Store(sqlite_url)]
    writers = [AuditWriter(store.engine, gather_seconds=0) for store in stores]
    for writer in writers:
        writer.start()
    try:
        writers[0].submit([_row()]).result(timeout=30)  # creates the lock file
        other_worker = os.open(lock_path, os.O_RDWR)
        fcntl.flock(other_worker, fcntl.LOCK_EX)
        try:
            waiting = writers[1].submit([_row()])
            time.sleep(0.5)
            assert not waiting.done()  # it queues behind the lock holder
        finally:
            fcntl.flock(other_worker, fcntl.LOCK_UN)
            os.close(other_worker)
        waiting.result(timeout=30)
        with ThreadPoolExecutor(8) as pool:  # both writers at once: every row committed
            futures = list(pool.map(lambda i: writers[i % 2].submit([_row()]), range(200)))
        for future in futures:
            future.result(timeout=60)
        assert _count(stores[0]) == 202
    finally:
        for writer, store in zip(writers, stores, strict=True):
            writer.close()
            store.close()
