"""Webhook tables (created by lists/migrations/versions/0006_monitoring.py).

`webhook_events` is the outbox: an event is written in the same transaction as
the change it reports (an alert opened or closed, a list version processed, a
rescreen finished), with one `webhook_deliveries` row per subscription that wants
it. The delivery worker only ever reads these tables, so a receiver that is down
costs the screening path nothing, and nothing is lost across a restart.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, MetaData, String, Table, Text

from lists.store_models import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)

webhooks = Table(
    "webhooks",
    metadata,
    Column("webhook_id", String(36), primary_key=True),
    Column("url", Text, nullable=False),
    Column("events", JSON, nullable=False),  # event types this subscription receives
    Column("secret", Text, nullable=False),  # HMAC key; needed in clear to sign, never shown back
    Column("description", Text, nullable=True),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("removed_at", DateTime(timezone=True), nullable=True),
)

webhook_events = Table(
    "webhook_events",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("body", Text, nullable=False),  # the exact JSON sent (and signed), fixed at creation
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("delivery_id", Integer, primary_key=True, autoincrement=True),
    Column("webhook_id", String(36), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("state", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("last_attempt_at", DateTime(timezone=True), nullable=True),
    Column("last_status", Integer, nullable=True),  # the receiver's last HTTP status
    Column("last_error", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True), nullable=True),
    Index("ix_webhook_deliveries_due", "state", "next_attempt_at"),
    Index("ix_webhook_deliveries_webhook", "webhook_id", "delivery_id"),
)
