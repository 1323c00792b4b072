"""Alert review: named users (API keys may belong to one), the accept list and its history.

Revision ID: 0007_review
Revises: 0006_monitoring
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_review"
down_revision: str | None = "0006_monitoring"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_users"),
    )
    with op.batch_alter_table("api_keys") as batch:
        batch.add_column(sa.Column("user_name", sa.String(64), nullable=True))
        batch.create_index("ix_api_keys_user_name", ["user_name"])
    op.create_table(
        "accepts",
        sa.Column("accept_id", sa.String(36), nullable=False),
        sa.Column("party_id", sa.Text(), nullable=True),
        sa.Column("name_key", sa.Text(), nullable=True),
        sa.Column("dob", sa.String(64), nullable=True),
        sa.Column("country", sa.String(64), nullable=True),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("list_code", sa.String(32), nullable=False),
        sa.Column("designation_hash", sa.String(64), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column("alert_id", sa.String(36), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("accept_id", name="pk_accepts"),
    )
    op.create_index("ix_accepts_party_id", "accepts", ["party_id"])
    op.create_index("ix_accepts_name_key", "accepts", ["name_key"])
    op.create_index("ix_accepts_entity_id", "accepts", ["entity_id"])
    op.create_index("ix_accepts_alert_id", "accepts", ["alert_id"])
    op.create_table(
        "accept_events",
        sa.Column("event_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("accept_id", sa.String(36), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name="pk_accept_events"),
    )
    op.create_index("ix_accept_events_accept_id", "accept_events", ["accept_id"])


def downgrade() -> None:
    op.drop_table("accept_events")
    op.drop_table("accepts")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_index("ix_api_keys_user_name")
        batch.drop_column("user_name")
    op.drop_table("users")
