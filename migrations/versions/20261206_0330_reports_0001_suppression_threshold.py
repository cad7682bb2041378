"""Reports: each site's small-cell suppression threshold for what it publishes (default 10).

Revision ID: reports_0001
Revises: care_0004
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "reports_0001"
down_revision = "care_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("suppression_threshold", sa.Integer(), nullable=False, server_default="10")
        )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.alter_column("suppression_threshold", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("suppression_threshold")
