"""The site's naloxone prompt: the response screen says "Consider another dose" this many
minutes (2 or 3, 3 unless changed) after a naloxone dose.

Revision ID: emergency_0001
Revises: audit_0002
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "emergency_0001"
down_revision = "audit_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("naloxone_prompt_minutes", sa.Integer(), nullable=False, server_default="3")
        )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.alter_column("naloxone_prompt_minutes", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("naloxone_prompt_minutes")
