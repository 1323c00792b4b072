"""One way for the monitoring, alerts and webhook services to get a write transaction.

Their functions take an Engine (they open and commit their own transaction) or a
Connection (they join the caller's, so e.g. an alert and its webhook event commit
together). On SQLite a fresh transaction is BEGIN IMMEDIATE: writers queue on the
write lock up front instead of failing half-way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Connection, Engine


@contextmanager
def write(bind: Engine | Connection) -> Iterator[Connection]:
    """A connection inside a write transaction: the caller's, or a new one committed on exit."""
    if isinstance(bind, Connection):
        if bind.in_transaction():
            yield bind
        else:
            with bind.begin():
                yield bind
        return
    with bind.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn


@contextmanager
def read(bind: Engine | Connection) -> Iterator[Connection]:
    """A connection to read with: the caller's, or a new one."""
    if isinstance(bind, Connection):
        yield bind
        return
    with bind.connect() as conn:
        yield conn


def now() -> datetime:
    return datetime.now(UTC)


def utc(value: datetime | None) -> datetime | None:
    """SQLite hands timezone-aware columns back naive (they were stored as UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
