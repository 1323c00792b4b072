"""Webhook subscriptions: add, list, remove, and their delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine, func, select, update

from service.dbtx import now, read, utc, write
from service.webhooks.outbox import EVENT_TYPES
from service.webhooks.tables import webhook_deliveries, webhook_events, webhooks

MIN_SECRET = 16


class WebhookError(ValueError):
    """A subscription cannot be made as asked; the message names the field."""


class Webhook(BaseModel):
    """A subscription as shown (the secret is never shown back)."""

    webhook_id: str
    url: str
    events: list[str]
    description: str | None = None
    active: bool
    created_at: datetime
    removed_at: datetime | None = None
    pending: int = 0
    delivered: int = 0
    failed: int = 0


class Delivery(BaseModel):
    delivery_id: int
    webhook_id: str
    event_id: str
    event_type: str
    state: str  # pending | delivered | failed
    attempts: int
    last_status: int | None = None
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[Delivery]
    total: int
    limit: int
    offset: int
    counts: dict[str, int] = Field(default_factory=dict)


def check_url(url: str) -> str:
    """Only absolute http(s) URLs with a host: no file:, ftp:, javascript: or relative ones."""
    value = url.strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  # a port out of range or not a number raises here, not at delivery
    except ValueError as exc:  # "http://[::1" (an unclosed IPv6 host), "http://host:x"
        raise WebhookError(f"url: not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https"):
        raise WebhookError(f"url: only http and https URLs are allowed, got {parts.scheme or 'no'} scheme")
    if not parts.hostname:
        raise WebhookError("url: has no host")
    if parts.username or parts.password:
        raise WebhookError("url: must not carry credentials (sign with the secret instead)")
    return value


def check_events(events: list[str]) -> list[str]:
    if not events:
        raise WebhookError(f"events: give at least one of {', '.join(EVENT_TYPES)}")
    unknown = [e for e in events if e not in EVENT_TYPES]
    if unknown:
        raise WebhookError(
            f"events: unknown {', '.join(map(repr, unknown))}; known: {', '.join(EVENT_TYPES)}"
        )
    return list(dict.fromkeys(events))


def check_secret(secret: str) -> str:
    if len(secret) < MIN_SECRET:
        raise WebhookError(f"secret: at least {MIN_SECRET} characters")
    return secret


def add_webhook(
    bind: Engine | Connection, url: str, events: list[str], secret: str, description: str | None = None
) -> Webhook:
    values = {
        "webhook_id": str(uuid.uuid4()),
        "url": check_url(url),
        "events": check_events(events),
        "secret": check_secret(secret),
        "description": description,
        "active": True,
        "created_at": now(),
    }
    with write(bind) as conn:
        conn.execute(webhooks.insert().values(**values))
    found = get_webhook(bind, values["webhook_id"])
    assert found is not None
    return found


def _counts(conn: Connection, webhook_id: str) -> dict[str, int]:
    rows = conn.execute(
        select(webhook_deliveries.c.state, func.count())
        .where(webhook_deliveries.c.webhook_id == webhook_id)
        .group_by(webhook_deliveries.c.state)
    ).all()
    return {state: int(n) for state, n in rows}


def _webhook(conn: Connection, row: Any) -> Webhook:
    counts = _counts(conn, row.webhook_id)
    return Webhook(
        webhook_id=row.webhook_id,
        url=row.url,
        events=list(row.events),
        description=row.description,
        active=bool(row.active),
        created_at=utc(row.created_at),  # type: ignore[arg-type]
        removed_at=utc(row.removed_at),
        pending=counts.get("pending", 0),
        delivered=counts.get("delivered", 0),
        failed=counts.get("failed", 0),
    )


def get_webhook(bind: Engine | Connection, webhook_id: str) -> Webhook | None:
    with read(bind) as conn:
        row = conn.execute(select(webhooks).where(webhooks.c.webhook_id == webhook_id)).first()
        return None if row is None else _webhook(conn, row)


def list_webhooks(bind: Engine | Connection, include_removed: bool = False) -> list[Webhook]:
    with read(bind) as conn:
        query = select(webhooks).order_by(webhooks.c.created_at)
        if not include_removed:
            query = query.where(webhooks.c.active)
        return [_webhook(conn, row) for row in conn.execute(query).all()]


def remove_webhook(bind: Engine | Connection, webhook_id: str) -> bool:
    """Deactivate a subscription: no new deliveries, pending ones are dropped (marked failed)."""
    with write(bind) as conn:
        changed = conn.execute(
            update(webhooks)
            .where(webhooks.c.webhook_id == webhook_id, webhooks.c.active)
            .values(active=False, removed_at=now())
        ).rowcount
        if changed:
            conn.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.webhook_id == webhook_id, webhook_deliveries.c.state == "pending")
                .values(state="failed", last_error="the webhook was removed")
            )
        return bool(changed)


def list_deliveries(
    bind: Engine | Connection, webhook_id: str, state: str | None = None, limit: int = 50, offset: int = 0
) -> DeliveryPage:
    conditions = [webhook_deliveries.c.webhook_id == webhook_id]
    if state:
        conditions.append(webhook_deliveries.c.state == state)
    with read(bind) as conn:
        total = conn.execute(
            select(func.count()).select_from(webhook_deliveries).where(*conditions)
        ).scalar_one()
        rows = conn.execute(
            select(webhook_deliveries, webhook_events.c.type)
            .join(webhook_events, webhook_events.c.event_id == webhook_deliveries.c.event_id)
            .where(*conditions)
            .order_by(webhook_deliveries.c.delivery_id.desc())
            .limit(limit)
            .offset(offset)
        ).all()
        counts = _counts(conn, webhook_id)
    items = [
        Delivery(
            delivery_id=r.delivery_id,
            webhook_id=r.webhook_id,
            event_id=r.event_id,
            event_type=r.type,
            state=r.state,
            attempts=r.attempts,
            last_status=r.last_status,
            last_error=r.last_error,
            next_attempt_at=utc(r.next_attempt_at) if r.state == "pending" else None,
            last_attempt_at=utc(r.last_attempt_at),
            delivered_at=utc(r.delivered_at),
            created_at=utc(r.created_at),  # type: ignore[arg-type]
        )
        for r in rows
    ]
    return DeliveryPage(items=items, total=int(total), limit=limit, offset=offset, counts=counts)
