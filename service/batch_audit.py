"""Audit rows for batch screening, shared by the CLI and the HTTP jobs.

Every screening decision lands in the `screenings` audit table, whether it came
from one API call, an HTTP batch job or `sanctions batch` on the command line.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert

from service.batch_runner import RowOutcome
from service.db_models import screenings


def batch_audit_row(
    outcome: RowOutcome,
    *,
    endpoint: str,
    bulk_id: str,
    list_versions: Mapping[str, str],
    reference: str | None,
    api_key_id: str | None = None,
) -> dict[str, Any]:
    """The audit record of one screened batch row (error rows have no decision to audit)."""
    return {
        "screening_id": str(uuid.uuid4()),
        "created_at": datetime.now(UTC),
        "endpoint": endpoint,
        "bulk_id": bulk_id,
        "position": outcome.row_number,
        "api_key_id": api_key_id,
        "reference": reference or None,
        "decision": outcome.decision,
        "threshold": outcome.threshold,
        "list_versions": dict(list_versions),
        "request": outcome.query,
        "result": {
            "query": outcome.query,
            "decision": outcome.decision,
            "threshold": outcome.threshold,
            "list_versions": dict(list_versions),
            "matches": outcome.matches,
        },
        "screen_ms": outcome.screen_ms,
    }


class BatchAuditSink:
    """Buffers a command-line batch's audit rows and commits them about once a second."""

    def __init__(self, engine: Engine, list_versions: Mapping[str, str], endpoint: str = "batch-cli"):
        self.engine = engine
        self.bulk_id = str(uuid.uuid4())
        self.list_versions = dict(list_versions)
        self.endpoint = endpoint
        self.recorded = 0
        self._rows: list[dict[str, Any]] = []
        self._last = time.monotonic()

    def add(self, outcome: RowOutcome, reference: str | None) -> None:
        if outcome.decision == "error":
            return
        self._rows.append(
            batch_audit_row(
                outcome,
                endpoint=self.endpoint,
                bulk_id=self.bulk_id,
                list_versions=self.list_versions,
                reference=reference,
            )
        )
        if len(self._rows) >= 5_000 or time.monotonic() - self._last >= 1.0:
            self.flush()

    def flush(self) -> None:
        self._last = time.monotonic()
        if not self._rows:
            return
        with self.engine.begin() as conn:
            conn.execute(insert(screenings), self._rows)
        self.recorded += len(self._rows)
        self._rows = []
