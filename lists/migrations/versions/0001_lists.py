"""Versioned designation store: list versions, designations, active pointer per list.

Revision ID: 0001_lists
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_lists"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "list_versions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("list_code", sa.String(32), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("publish_date", sa.Date(), nullable=True),
        sa.Column("record_count", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_list_versions"),
    )
    op.create_index("ix_list_versions_list_code", "list_versions", ["list_code"])
    op.create_table(
        "designations",
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("primary_name", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        # The primary key is the (version_id, entity_id) index every lookup uses.
        sa.PrimaryKeyConstraint("version_id", "entity_id", name="pk_designations"),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["list_versions.id"],
            name="fk_designations_version_id_list_versions",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "active_lists",
        sa.Column("list_code", sa.String(32), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("list_code", name="pk_active_lists"),
        sa.ForeignKeyConstraint(
            ["version_id"], ["list_versions.id"], name="fk_active_lists_version_id_list_versions"
        ),
    )


def downgrade() -> None:
    op.drop_table("active_lists")
    op.drop_table("designations")
    op.drop_index("ix_list_versions_list_code", table_name="list_versions")
    op.drop_table("list_versions")
