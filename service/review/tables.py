"""Tables of the review room: named users, the accept list and its history.

SQLAlchemy Core, on the service's metadata; the schema is created by the Alembic
revision lists/migrations/versions/0007_review.py.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table, Text

from service.db_models import metadata

users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),  # analyst | approver | admin
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", Text, nullable=True),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
    Column("disabled_by", Text, nullable=True),
)

# One accepted (party or name, designation as it was) pair. Never deleted: revoking sets revoked_*.
accepts = Table(
    "accepts",
    metadata,
    Column("accept_id", String(36), primary_key=True),
    Column("party_id", Text, nullable=True, index=True),
    Column("name_key", Text, nullable=True, index=True),  # normalised name, for accepts without a party
    Column("dob", String(64), nullable=True),
    Column("country", String(64), nullable=True),
    Column("entity_id", String(200), nullable=False, index=True),
    Column("list_code", String(32), nullable=False),
    Column("designation_hash", String(64), nullable=False),
    Column("created_by", Text, nullable=False),  # who proposed the false positive
    Column("approved_by", Text, nullable=True),  # who approved it (None: approval not required)
    Column("alert_id", String(36), nullable=True, index=True),
    Column("note", Text, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("revoked_by", Text, nullable=True),
)

accept_events = Table(
    "accept_events",
    metadata,
    Column("event_id", Integer, primary_key=True, autoincrement=True),
    Column("accept_id", String(36), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", Text, nullable=False),
    Column("action", String(16), nullable=False),  # created | revoked
    Column("note", Text, nullable=True),
)
