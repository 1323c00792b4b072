"""What each list's last check against its source found, and the one-updater-at-a-time lock.

`list_checks` keeps per list the validators the server sent (ETag /
Last-Modified per file), the version the last successful check confirmed, and
the last failure with its reason: freshness is judged from it. The lock is a
PostgreSQL advisory lock, or on SQLite a lease row taken under the write lock,
so several workers or replicas never fetch at the same time.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    text,
    update,
)

from lists.store_models import NAMING_CONVENTION

log = logging.getLogger(__name__)

metadata = MetaData(naming_convention=NAMING_CONVENTION)

list_checks = Table(
    "list_checks",
    metadata,
    Column("list_code", String(32), primary_key=True),
    Column("source", Text, nullable=True),  # the URLs of the last attempt
    Column("validators", JSON, nullable=False),  # file name -> {"etag", "last_modified"}
    Column("version_id", Integer, nullable=True),  # the version the last successful check confirmed
    Column("last_outcome", String(16), nullable=True),  # loaded | unchanged | failed
    Column("last_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_success_at", DateTime(timezone=True), nullable=True),
    Column("last_failure_at", DateTime(timezone=True), nullable=True),
    Column("last_failure", Text, nullable=True),
)

list_update_lock = Table(
    "list_update_lock",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

_ADVISORY_LOCK_ID = 712_300_018
LOCK_NAME = "update"
LEASE = timedelta(minutes=30)  # a crashed holder's lock lapses after this


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@dataclass(frozen=True)
class CheckState:
    list_code: str
    validators: dict[str, dict[str, str | None]] = field(default_factory=dict)
    version_id: int | None = None
    last_outcome: str | None = None
    source: str | None = None
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    last_failure: str | None = None


def read_checks(engine: Engine) -> dict[str, CheckState]:
    with engine.connect() as conn:
        rows = conn.execute(select(list_checks)).mappings().all()
    return {
        row["list_code"]: CheckState(
            list_code=row["list_code"],
            validators=row["validators"] or {},
            version_id=row["version_id"],
            last_outcome=row["last_outcome"],
            source=row["source"],
            last_attempt_at=_utc(row["last_attempt_at"]),
            last_success_at=_utc(row["last_success_at"]),
            last_failure_at=_utc(row["last_failure_at"]),
            last_failure=row["last_failure"],
        )
        for row in rows
    }


def _upsert(engine: Engine, list_code: str, values: dict[str, Any]) -> None:
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            found = conn.execute(
                update(list_checks).where(list_checks.c.list_code == list_code).values(**values)
            ).rowcount
            if not found:
                conn.execute(
                    insert(list_checks).values(**{"validators": {}, **values, "list_code": list_code})
                )


def record_success(
    engine: Engine,
    list_code: str,
    outcome: str,
    version_id: int,
    validators: dict[str, dict[str, str | None]],
    source: str,
    at: datetime | None = None,
) -> None:
    now = at or datetime.now(UTC)
    _upsert(
        engine,
        list_code,
        {
            "validators": validators,
            "version_id": version_id,
            "last_outcome": outcome,
            "source": source,
            "last_attempt_at": now,
            "last_success_at": now,
        },
    )


def record_failure(
    engine: Engine, list_code: str, reason: str, source: str, at: datetime | None = None
) -> None:
    now = at or datetime.now(UTC)
    _upsert(
        engine,
        list_code,
        {
            "last_outcome": "failed",
            "source": source,
            "last_attempt_at": now,
            "last_failure_at": now,
            "last_failure": reason,
        },
    )


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@contextmanager
def update_lock(engine: Engine) -> Iterator[bool]:
    """Yields True when this process holds the update lock (released on exit), False when another does."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = bool(
                conn.execute(text("SELECT pg_try_advisory_lock(:id)"), {"id": _ADVISORY_LOCK_ID}).scalar()
            )
            conn.commit()
            try:
                yield got
            finally:
                if got:
                    conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _ADVISORY_LOCK_ID})
                    conn.commit()
        return
    me = holder_id()
    got = _take_lease(engine, me)
    try:
        yield got
    finally:
        if got:
            with engine.connect() as conn:
                conn = conn.execution_options(sqlite_begin="IMMEDIATE")
                with conn.begin():
                    conn.execute(delete(list_update_lock).where(list_update_lock.c.holder == me))


def _take_lease(engine: Engine, me: str) -> bool:
    now = datetime.now(UTC)
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            row = conn.execute(select(list_update_lock).where(list_update_lock.c.name == LOCK_NAME)).first()
            if row is not None and _utc(row.expires_at) > now:  # type: ignore[operator]
                return False
            if row is not None:
                log.warning("taking over the list update lock of %s (its lease lapsed)", row.holder)
                conn.execute(delete(list_update_lock).where(list_update_lock.c.name == LOCK_NAME))
            conn.execute(insert(list_update_lock).values(name=LOCK_NAME, holder=me, expires_at=now + LEASE))
    return True
