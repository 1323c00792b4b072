"""One rescreen at a time across every process sharing the database.

PostgreSQL: a session advisory lock held on a dedicated connection. SQLite: an
exclusive `flock` on a file beside the database (`<db>-monitor.lock`). Both are
released by the operating system or the server when the holder dies, so a
killed process never leaves the register locked.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

MONITOR_LOCK_ID = 712_300_006
_process_lock = threading.Lock()  # threads of one process (flock is per open file, not per thread)


def _sqlite_lock_path(engine: Engine) -> Path | None:
    database = engine.url.database
    if not database or database == ":memory:":
        return None
    return Path(f"{database}-monitor.lock")


@contextmanager
def monitor_lock(engine: Engine, wait_seconds: float = 0.0) -> Iterator[bool]:
    """Yield True holding the lock, or False if another holder kept it for `wait_seconds`."""
    deadline = time.monotonic() + wait_seconds
    if wait_seconds > 0:
        acquired = _process_lock.acquire(timeout=wait_seconds)
    else:
        acquired = _process_lock.acquire(blocking=False)
    if not acquired:
        yield False
        return
    try:
        if engine.dialect.name == "postgresql":
            with _postgres_lock(engine, deadline) as held:
                yield held
        else:
            with _file_lock(_sqlite_lock_path(engine), deadline) as held:
                yield held
    finally:
        _process_lock.release()


@contextmanager
def _postgres_lock(engine: Engine, deadline: float) -> Iterator[bool]:
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        while True:
            held = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": MONITOR_LOCK_ID}).scalar()
            )
            if held or time.monotonic() >= deadline:
                break
            time.sleep(0.2)
        try:
            yield held
        finally:
            if held:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": MONITOR_LOCK_ID})


@contextmanager
def _file_lock(path: Path | None, deadline: float) -> Iterator[bool]:
    if path is None:  # an in-memory database lives in one process: the thread lock suffices
        yield True
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except BlockingIOError:
                held = False
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.2)
        try:
            yield held
        finally:
            if held:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
