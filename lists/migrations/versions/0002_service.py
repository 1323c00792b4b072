"""Service tables: API keys (hashed) and the screening audit trail.

Revision ID: 0002_service
Revises: 0001_lists
Create Date: 2025-01-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_service"
down_revision: str | None = "0001_lists"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_keys",
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("key_id", name="pk_api_keys"),
    )
    op.create_table(
        "screenings",
        sa.Column("screening_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("endpoint", sa.String(16), nullable=False),
        sa.Column("bulk_id", sa.String(36), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("api_key_id", sa.String(32), nullable=True),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("decision", sa.String(8), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("list_versions", sa.JSON(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("screen_ms", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("screening_id", name="pk_screenings"),
    )
    op.create_index("ix_screenings_created_at", "screenings", ["created_at"])
    op.create_index("ix_screenings_bulk_id", "screenings", ["bulk_id"])
    op.create_index("ix_screenings_api_key_id", "screenings", ["api_key_id"])
    op.create_index("ix_screenings_reference", "screenings", ["reference"])


def downgrade() -> None:
    op.drop_table("screenings")
    op.drop_table("api_keys")
