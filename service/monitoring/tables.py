"""The monitoring tables: the party register, per-list watermarks and monitoring jobs.

Created by lists/migrations/versions/0006_monitoring.py.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

from lists.store_models import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)

parties = Table(
    "parties",
    metadata,
    Column("party_id", String(200), primary_key=True),  # the firm's own id
    Column("name", Text, nullable=False),
    Column("type", String(16), nullable=False),  # person | entity | vessel | aircraft | any
    Column("dob", String(32), nullable=True),
    Column("country", String(64), nullable=True),
    Column("nationality", String(64), nullable=True),
    Column("identifiers", JSON, nullable=False),  # [{type, value, country}]
    Column("labels", JSON, nullable=False),  # free labels: {"segment": "retail", ...}
    Column("content_hash", String(64), nullable=False),  # of the screened facts and labels
    # The engine's lookup keys of the name (space-separated) and the engine build they came
    # from: a list change only screens the parties sharing a key with the changed designations.
    Column("match_keys", Text, nullable=False),
    Column("keys_engine", String(16), nullable=False),
    Column("needs_screen", Boolean, nullable=False),  # added or changed, not yet screened
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("screened_at", DateTime(timezone=True), nullable=True),
    Index("ix_parties_needs_screen", "needs_screen"),
)

list_watermarks = Table(
    "list_watermarks",
    metadata,
    Column("list_code", String(32), primary_key=True),
    Column("version_id", Integer, nullable=False),  # the last active version the register was screened for
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

monitoring_jobs = Table(
    "monitoring_jobs",
    metadata,
    Column("job_id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),  # delta | full | parties | import
    Column("state", String(16), nullable=False),  # queued | running | done | failed
    Column("list_code", String(32), nullable=True),
    Column("from_version", Integer, nullable=True),
    Column("to_version", Integer, nullable=True),
    Column("trigger", Text, nullable=True),  # what started it
    Column("total", Integer, nullable=True),  # parties (rows for an import) to go through
    Column("done", Integer, nullable=False),
    Column("counts", JSON, nullable=False),  # screened, alerts_opened, alerts_closed, ...
    Column("problems", JSON, nullable=False),  # import: rows refused, with line and reason
    Column("filename", Text, nullable=True),
    Column("input_path", Text, nullable=True),
    Column("options", JSON, nullable=False),
    Column("error", Text, nullable=True),
    Column("notes", JSON, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("runner_id", String(64), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=True),
    Column("heartbeat_at", DateTime(timezone=True), nullable=True),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("seconds", Float, nullable=True),
    Index("ix_monitoring_jobs_kind_created", "kind", "created_at"),
    Index("ix_monitoring_jobs_state", "state"),
)
