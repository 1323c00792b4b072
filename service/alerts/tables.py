"""The alert tables (SQLAlchemy Core; created by lists/migrations/versions/0006_monitoring.py).

One alert is one (party, designation, designation content): the unique index on
(party_id, entity_id, designation_hash) makes a second alert for the same hit on the
same unchanged designation impossible, even with two rescreens racing.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text

from lists.store_models import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)

alerts = Table(
    "alerts",
    metadata,
    Column("alert_id", String(36), primary_key=True),
    Column("party_id", Text, nullable=True),
    Column("subject", JSON, nullable=False),  # the query as screened: name, type, dob, country...
    Column("entity_id", Text, nullable=False),
    Column("list_code", String(32), nullable=False),
    Column("designation_hash", String(64), nullable=False),  # store content hash when opened
    Column("matched_name", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("result", JSON, nullable=False),  # the match with its explanation
    Column("list_versions", JSON, nullable=False),  # {list_code: version_id}
    Column("source", String(16), nullable=False),  # screen | bulk | batch | rescreen | payment
    Column("screening_id", String(36), nullable=True),
    Column("status", String(16), nullable=False),  # open | closed (review adds more)
    Column("outcome", String(16), nullable=True),  # delisted (review adds more)
    Column("assigned_to", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Index("uq_alerts_party_entity_hash", "party_id", "entity_id", "designation_hash", unique=True),
    Index("ix_alerts_status", "status"),
    Index("ix_alerts_entity_id", "entity_id"),
    Index("ix_alerts_created_at", "created_at"),
)

alert_events = Table(
    "alert_events",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", String(36), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=True),  # a user name or "system"
    Column("action", String(32), nullable=False),  # opened | closed (review adds more)
    Column("from_status", String(16), nullable=True),
    Column("to_status", String(16), nullable=True),
    Column("note", Text, nullable=True),
    Column("data", JSON, nullable=True),
)
