"""Opening, closing and reading alerts; each change is written with its history row and its
webhook event in one transaction.

The same (party, designation, designation content) opens at most one alert, ever:
`open_alert` inserts with ON CONFLICT DO NOTHING on the unique index, so even two
processes racing on the same hit produce one alert and one `alert.created` event.
An alert without a party (a one-off screening) is never a duplicate of another.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal, get_args

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from service.alerts.models import Alert, AlertEvent, AlertPage
from service.alerts.tables import alert_events, alerts
from service.dbtx import now, read, utc, write
from service.webhooks.outbox import enqueue_event

OPEN = "open"
CLOSED = "closed"
AlertSource = Literal["screen", "bulk", "batch", "rescreen", "payment"]  # what opened an alert
SOURCES: tuple[str, ...] = get_args(AlertSource)


class AlertError(LookupError):
    """No such alert, or it cannot make that change (the message says which)."""


def _insert_ignoring_duplicates(conn: Connection, values: dict[str, Any]) -> bool:
    """Insert the alert unless the unique (party, entity, hash) exists; True if inserted.

    Told by the row RETURNING gives back, not by rowcount: on PostgreSQL an insert that waited
    for a racing transaction's row and then did nothing reported rowcount -1 (true), so the
    loser went on to read an alert that was not there (an AssertionError, a 500 on PUT /v1/parties).
    """
    dialect = conn.dialect.name
    if dialect == "postgresql":
        statement = postgresql.insert(alerts).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(alerts).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover - the service supports SQLite and PostgreSQL
        statement = insert(alerts).values(**values)
    return conn.execute(statement.returning(alerts.c.alert_id)).first() is not None


def webhook_view(alert: Alert) -> dict[str, Any]:
    """What a webhook receiver gets as data.alert."""
    return {
        "id": alert.alert_id,
        "party_id": alert.party_id,
        "entity_id": alert.entity_id,
        "list": alert.list_code,
        "score": alert.score,
        "matched_name": alert.matched_name,
        "designation_hash": alert.designation_hash,
        "status": alert.status,
        "outcome": alert.outcome,
        "source": alert.source,
        "list_versions": alert.list_versions,
        "created_at": alert.created_at.isoformat(),
    }


def open_alert(
    bind: Engine | Connection,
    *,
    party_id: str | None,
    subject: dict[str, Any],
    entity_id: str,
    list_code: str,
    designation_hash: str,
    matched_name: str,
    score: float,
    result: dict[str, Any],
    list_versions: dict[str, Any],
    source: str,
    screening_id: str | None = None,
    actor: str = "system",
) -> Alert | None:
    """Open an alert (history 'opened', event alert.created); None if this alert exists already."""
    if source not in SOURCES:
        raise ValueError(f"source must be one of {', '.join(SOURCES)}, not {source!r}")
    at = now()
    values = {
        "alert_id": str(uuid.uuid4()),
        "party_id": party_id,
        "subject": subject,
        "entity_id": entity_id,
        "list_code": list_code,
        "designation_hash": designation_hash,
        "matched_name": matched_name,
        "score": float(score),
        "result": result,
        "list_versions": list_versions,
        "source": source,
        "screening_id": screening_id,
        "status": OPEN,
        "outcome": None,
        "assigned_to": None,
        "created_at": at,
        "updated_at": at,
    }
    with write(bind) as conn:
        if party_id is not None and _exists(conn, party_id, entity_id, designation_hash):
            return None
        if not _insert_ignoring_duplicates(conn, values):
            return None
        _add_event(
            conn, values["alert_id"], at, actor, "opened", None, OPEN, None, {"score": values["score"]}
        )
        alert = _get(conn, values["alert_id"])
        assert alert is not None
        enqueue_event(conn, "alert.created", {"alert": webhook_view(alert)})
        return alert


def _exists(conn: Connection, party_id: str, entity_id: str, designation_hash: str) -> bool:
    return (
        conn.execute(
            select(alerts.c.alert_id).where(
                alerts.c.party_id == party_id,
                alerts.c.entity_id == entity_id,
                alerts.c.designation_hash == designation_hash,
            )
        ).first()
        is not None
    )


def close_alert(
    bind: Engine | Connection, alert_id: str, *, outcome: str, actor: str, note: str | None = None
) -> Alert:
    """Close an alert with its outcome (history 'closed', event alert.closed)."""
    with write(bind) as conn:
        current = conn.execute(select(alerts.c.status).where(alerts.c.alert_id == alert_id)).scalar()
        if current is None:
            raise AlertError(f"no alert {alert_id!r}")
        if current == CLOSED:
            raise AlertError(f"alert {alert_id} is already closed")
        at = now()
        conn.execute(
            update(alerts)
            .where(alerts.c.alert_id == alert_id)
            .values(status=CLOSED, outcome=outcome, updated_at=at)
        )
        _add_event(conn, alert_id, at, actor, "closed", current, CLOSED, note, {"outcome": outcome})
        alert = _get(conn, alert_id)
        assert alert is not None
        enqueue_event(conn, "alert.closed", {"alert": webhook_view(alert), "note": note})
        return alert


def _add_event(
    conn: Connection,
    alert_id: str,
    at: Any,
    actor: str | None,
    action: str,
    from_status: str | None,
    to_status: str | None,
    note: str | None,
    data: dict[str, Any] | None,
) -> None:
    conn.execute(
        insert(alert_events).values(
            alert_id=alert_id,
            at=at,
            actor=actor,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
            data=data,
        )
    )


def _alert(row: Any, history: list[AlertEvent] | None = None) -> Alert:
    data = dict(row._mapping)
    data["created_at"] = utc(data["created_at"])
    data["updated_at"] = utc(data["updated_at"])
    return Alert(**data, history=history or [])


def _history(conn: Connection, alert_id: str) -> list[AlertEvent]:
    rows = conn.execute(
        select(alert_events).where(alert_events.c.alert_id == alert_id).order_by(alert_events.c.event_id)
    )
    return [AlertEvent(**{**dict(r._mapping), "at": utc(r.at)}) for r in rows]


def _get(conn: Connection, alert_id: str) -> Alert | None:
    row = conn.execute(select(alerts).where(alerts.c.alert_id == alert_id)).first()
    return None if row is None else _alert(row, _history(conn, alert_id))


def get_alert(bind: Engine | Connection, alert_id: str) -> Alert | None:
    """One alert with its history, or None."""
    with read(bind) as conn:
        return _get(conn, alert_id)


def list_alerts(
    bind: Engine | Connection,
    *,
    status: str | None = None,
    list_code: str | None = None,
    party_id: str | None = None,
    assigned_to: str | None = None,
    entity_id: str | None = None,
    source: str | None = None,
    batch_id: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> AlertPage:
    """Alerts newest first, filtered; items carry no history (get_alert has it).

    `batch_id`: the alerts a batch job opened (its id is in their subject; a hit the batch met
    again on an unchanged designation is the earlier alert, opened by whoever met it first).
    """
    conditions = [
        column == value
        for column, value in (
            (alerts.c.status, status),
            (alerts.c.list_code, list_code),
            (alerts.c.party_id, party_id),
            (alerts.c.assigned_to, assigned_to),
            (alerts.c.entity_id, entity_id),
            (alerts.c.source, source),
            (alerts.c.subject["batch_id"].as_string(), batch_id),
        )
        if value is not None
    ]
    with read(bind) as conn:
        total = conn.execute(select(func.count()).select_from(alerts).where(*conditions)).scalar_one()
        rows = conn.execute(
            select(alerts)
            .where(*conditions)
            .order_by(alerts.c.created_at.desc(), alerts.c.alert_id)
            .limit(limit)
            .offset(offset)
        ).all()
    return AlertPage(items=[_alert(row) for row in rows], total=int(total), limit=limit, offset=offset)
