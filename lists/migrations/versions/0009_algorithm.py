"""The algorithm (name and version) that made each audited screening decision.

Revision ID: 0009_algorithm
Revises: 0003_batches
Create Date: 2026-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_algorithm"
down_revision: str | None = "0007_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Nullable: decisions audited before this revision did not record their algorithm.
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("algorithm", sa.String(32), nullable=True))
        batch.add_column(sa.Column("algorithm_version", sa.String(16), nullable=True))
        batch.create_index("ix_screenings_algorithm", ["algorithm"])


def downgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.drop_index("ix_screenings_algorithm")
        batch.drop_column("algorithm_version")
        batch.drop_column("algorithm")
