"""Audit rows for batch screening, shared by the CLI and the HTTP jobs.

Every screening decision lands in the `screenings` audit table, whether it came
from one API call, an HTTP batch job or `sanctions batch` on the command line.
A million-row batch writes a million audit rows, so the workers encode each
row's JSON (see `AuditPayload`) and the parent inserts prepared tuples with one
executemany per commit, without SQLAlchemy's per-row type processing. The
stored rows are the same as through `insert(screenings)`. `record_rows` is the
one commit step of the CLI and the HTTP jobs: review (service/batch/review.py),
audit rows and alerts in one transaction.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

import orjson
from sqlalchemy import Connection, Dialect, Engine

from service.batch.io import InputRow
from service.batch.review import BatchReview, ScreenedRow
from service.batch.runner import RowOutcome
from service.dbtx import write

AUDIT_COLUMNS = (
    "screening_id",
    "created_at",
    "endpoint",
    "bulk_id",
    "position",
    "api_key_id",
    "reference",
    "decision",
    "threshold",
    "list_versions",
    "request",
    "result",
    "screen_ms",
    "algorithm",
    "algorithm_version",
)
_JSON_COLUMNS = frozenset({"list_versions", "request", "result"})
_CREATED_AT = AUDIT_COLUMNS.index("created_at")

AuditRow = tuple[Any, ...]  # values in AUDIT_COLUMNS order, JSON columns as text


def versions_json(list_versions: Mapping[str, str]) -> str:
    """The list versions column, encoded once per batch (it is the same on every row)."""
    return orjson.dumps(dict(list_versions)).decode()


def batch_audit_row(
    outcome: RowOutcome,
    *,
    endpoint: str,
    bulk_id: str,
    list_versions_json: str,
    reference: str | None,
    api_key_id: str | None = None,
) -> AuditRow | None:
    """The audit record of one screened batch row; None for an error row (no decision to audit)."""
    payload = outcome.audit
    if payload is None:
        return None
    return (
        payload.screening_id,
        payload.created_at,
        endpoint,
        bulk_id,
        outcome.row_number,
        api_key_id,
        reference or None,
        outcome.decision,
        outcome.threshold,
        list_versions_json,
        payload.request_json,
        payload.result_json,
        outcome.screen_ms,
        outcome.algorithm,
        outcome.algorithm_version,
    )


@cache
def _insert_sql(dialect_name: str, paramstyle: str) -> str:
    mark = "?" if paramstyle == "qmark" else "%s"
    cast_json = dialect_name == "postgresql"  # the text becomes json; SQLite keeps JSON as text
    values = [f"CAST({mark} AS JSON)" if cast_json and c in _JSON_COLUMNS else mark for c in AUDIT_COLUMNS]
    return f"INSERT INTO screenings ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join(values)})"


def _sqlite_time(value: datetime) -> str:
    """SQLAlchemy's SQLite DateTime storage format (UTC, no zone), so reads parse it as before."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def insert_audit_rows(conn: Connection, rows: Sequence[AuditRow]) -> None:
    """Insert prepared audit rows with one executemany, inside the caller's transaction."""
    if not rows:
        return
    dialect: Dialect = conn.dialect
    if dialect.name == "sqlite":
        at = _CREATED_AT
        rows = [(*row[:at], _sqlite_time(row[at]), *row[at + 1 :]) for row in rows]
    conn.exec_driver_sql(_insert_sql(dialect.name, dialect.paramstyle), list(rows))


def record_rows(
    conn: Connection,
    rows: Sequence[ScreenedRow],
    *,
    endpoint: str,
    bulk_id: str,
    list_versions_json: str,
    api_key_id: str | None = None,
    review: BatchReview | None = None,
) -> int:
    """Review the rows (when the batch reviews), insert their audit records and open their alerts,
    all in the caller's transaction; returns how many decisions were recorded."""
    if review is not None:
        review.apply(conn, rows, bulk_id)
    prepared = [
        audit
        for screened in rows
        if (
            audit := batch_audit_row(
                screened.outcome,
                endpoint=endpoint,
                bulk_id=bulk_id,
                list_versions_json=list_versions_json,
                reference=screened.reference,
                api_key_id=api_key_id,
            )
        )
        is not None
    ]
    insert_audit_rows(conn, prepared)
    if review is not None:
        review.open_alerts(conn, rows, bulk_id)
    return len(prepared)


class BatchAuditSink:
    """Buffers a command-line batch's screened rows and records them about once a second.

    With a `review`, each flush reviews its rows, commits their audit records and
    alerts in one transaction, and only then hands each row to `emit` (the results
    writer): the results file shows the reviewed answer, with its alert ids.
    """

    def __init__(
        self,
        engine: Engine,
        list_versions: Mapping[str, str],
        endpoint: str = "batch-cli",
        review: BatchReview | None = None,
        emit: Callable[[ScreenedRow], None] | None = None,
    ):
        self.engine = engine
        self.bulk_id = str(uuid.uuid4())
        self.list_versions_json = versions_json(list_versions)
        self.endpoint = endpoint
        self.review = review
        self.emit = emit
        self.recorded = 0
        self._pending: list[Any] = []  # ScreenedRow here; MessageOutcome in MessageAuditSink
        self._last = time.monotonic()

    def add(self, outcome: RowOutcome, reference: str | None, row: InputRow | None = None) -> None:
        self._pending.append(ScreenedRow(row, outcome, reference))
        self._flush_when_due()

    def _flush_when_due(self) -> None:
        if len(self._pending) >= 5_000 or time.monotonic() - self._last >= 1.0:
            self.flush()

    def _record(self, conn: Connection, pending: list[Any]) -> int:
        """Review and audit `pending` in this transaction; how many decisions were recorded."""
        return record_rows(
            conn,
            pending,
            endpoint=self.endpoint,
            bulk_id=self.bulk_id,
            list_versions_json=self.list_versions_json,
            review=self.review,
        )

    def flush(self, emit: bool = True) -> None:
        """Record the buffered rows, then (unless `emit` is False: the run failed) emit them."""
        self._last = time.monotonic()
        if not self._pending:
            return
        with write(self.engine) as conn:
            recorded = self._record(conn, self._pending)
        self.recorded += recorded
        pending, self._pending = self._pending, []
        if emit and self.emit is not None:
            for item in pending:
                self.emit(item)
