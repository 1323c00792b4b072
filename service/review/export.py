"""Periodic reporting: one CSV row per alert opened in a period, with how it ended and who decided.

Cells a spreadsheet would run as a formula are neutralised (names come from payments).
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from service.alerts import alert_events, alerts
from service.batch.output import neutralise
from service.dbtx import utc

COLUMNS = (
    "alert_id",
    "created_at",
    "status",
    "outcome",
    "closed_at",
    "party_id",
    "name",
    "entity_id",
    "list_code",
    "matched_name",
    "score",
    "source",
    "screening_id",
    "assigned_to",
    "proposed_by",
    "approved_by",
    "accept_id",
    "last_note",
)


def _summary(events: list[Any]) -> dict[str, Any]:
    """Who proposed and who approved the outcome, when it closed, and the last note, from the history."""
    out: dict[str, Any] = {"proposed_by": None, "approved_by": None, "accept_id": None, "closed_at": None}
    notes = [e.note for e in events if e.note]
    for event in events:
        data = event.data or {}
        if event.action in ("proposed", "decided"):
            out["proposed_by"] = event.actor
        if event.action in ("approved", "decided"):
            out["approved_by"] = data.get("approved_by")
            out["accept_id"] = data.get("accept_id")
        if event.action == "sent_back":
            out["proposed_by"] = None
        if event.action == "closed":
            out["closed_at"] = utc(event.at).isoformat()  # type: ignore[union-attr]
    out["last_note"] = notes[-1] if notes else None
    return out


def case_rows(engine: Engine, start: datetime, end: datetime) -> list[dict[str, Any]]:
    """Alerts opened in [start, end), oldest first, each as one flat row of COLUMNS."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(alerts)
            .where(alerts.c.created_at >= start, alerts.c.created_at < end)
            .order_by(alerts.c.created_at, alerts.c.alert_id)
        ).all()
        events: dict[str, list[Any]] = {row.alert_id: [] for row in rows}
        ids = list(events)
        for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
            for event in conn.execute(
                select(alert_events)
                .where(alert_events.c.alert_id.in_(chunk))
                .order_by(alert_events.c.event_id)
            ):
                events[event.alert_id].append(event)
    out = []
    for row in rows:
        out.append(
            {
                "alert_id": row.alert_id,
                "created_at": utc(row.created_at).isoformat(),  # type: ignore[union-attr]
                "status": row.status,
                "outcome": row.outcome,
                "party_id": row.party_id,
                "name": (row.subject or {}).get("name"),
                "entity_id": row.entity_id,
                "list_code": row.list_code,
                "matched_name": row.matched_name,
                "score": row.score,
                "source": row.source,
                "screening_id": row.screening_id,
                "assigned_to": row.assigned_to,
                **_summary(events[row.alert_id]),
            }
        )
    return out


def export_cases(engine: Engine, start: datetime, end: datetime, path: Path) -> int:
    """Write the period's cases to a CSV file; the number of rows written."""
    rows = case_rows(engine, start, end)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            writer.writerow(["" if row[c] is None else neutralise(str(row[c])) for c in COLUMNS])
    return len(rows)
