"""Writing webhook events into the outbox, inside the caller's transaction.

The event body is fixed (and later signed) exactly as written here, so every
retry of a delivery sends the same bytes with the same event id: receivers drop
duplicates by `id`.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal, get_args

import orjson
from sqlalchemy import Connection, Engine, insert, select

from service.dbtx import now, write
from service.webhooks.tables import webhook_deliveries, webhook_events, webhooks

EventType = Literal["alert.created", "alert.closed", "list.updated", "rescreen.finished"]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)


def event_body(event_id: str, event_type: str, created_at: str, data: dict[str, Any]) -> str:
    """The JSON document a receiver gets: {"id", "type", "created_at", "data"}."""
    return orjson.dumps({"id": event_id, "type": event_type, "created_at": created_at, "data": data}).decode()


def enqueue_event(bind: Engine | Connection, event_type: str, data: dict[str, Any]) -> str:
    """Record an event and one pending delivery per active webhook subscribed to its type.

    Returns the event id. Called inside the transaction that makes the change the
    event reports, so both commit or neither does.
    """
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown webhook event type {event_type!r}; known: {', '.join(EVENT_TYPES)}")
    event_id = str(uuid.uuid4())
    created = now()
    body = event_body(event_id, event_type, created.isoformat().replace("+00:00", "Z"), data)
    with write(bind) as conn:
        conn.execute(
            insert(webhook_events).values(event_id=event_id, type=event_type, created_at=created, body=body)
        )
        subscribed = [
            row.webhook_id
            for row in conn.execute(select(webhooks.c.webhook_id, webhooks.c.events).where(webhooks.c.active))
            if event_type in (row.events or [])
        ]
        if subscribed:
            conn.execute(
                insert(webhook_deliveries),
                [
                    {
                        "webhook_id": webhook_id,
                        "event_id": event_id,
                        "state": "pending",
                        "attempts": 0,
                        "next_attempt_at": created,
                        "created_at": created,
                    }
                    for webhook_id in subscribed
                ],
            )
    return event_id
