"""Tables the service owns next to the store's: API keys and the screening audit trail.

SQLAlchemy Core tables (the schema itself is created by the Alembic revision
lists/migrations/versions/0002_service.py, applied when the Store opens).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Float, Integer, MetaData, String, Table, Text

from lists.store_models import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),  # public part of the token, used for lookup
    Column("name", Text, nullable=False),
    Column("role", String(16), nullable=False),
    Column("secret_hash", String(64), nullable=False),  # sha256 hex of the whole token
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column(
        "user_name", String(64), nullable=True, index=True
    ),  # the key's user (0007_review); None: role-only
)

screenings = Table(
    "screenings",
    metadata,
    Column("screening_id", String(36), primary_key=True),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("endpoint", String(16), nullable=False),  # "screen" | "bulk"
    Column("bulk_id", String(36), nullable=True, index=True),
    Column("position", Integer, nullable=True),  # index of the query in a bulk request
    Column("api_key_id", String(32), nullable=True, index=True),  # None when auth is off
    Column("reference", Text, nullable=True, index=True),
    Column("decision", String(8), nullable=False),
    Column("threshold", Float, nullable=False),
    Column("list_versions", JSON, nullable=False),
    Column("request", JSON, nullable=False),  # the query as the caller sent it (validated)
    Column("result", JSON, nullable=False),  # the engine's result as answered
    Column("screen_ms", Float, nullable=False),
    # The algorithm that decided and its version (screening.algorithms); NULL on rows from before 0009.
    Column("algorithm", String(32), nullable=True, index=True),
    Column("algorithm_version", String(16), nullable=True),
)
