"""How a visit ended, given at check-out: left as planned, transferred to hospital (left by
ambulance, also set when a response records the transfer), left against advice, asked to leave.

Revision ID: emergency_0002
Revises: signin_0001
Create Date: 2026-12-06 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "emergency_0002"
down_revision = "signin_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "departure",
                sa.Enum(
                    "planned",
                    "transferred_to_hospital",
                    "against_advice",
                    "asked_to_leave",
                    name="departure",
                    native_enum=False,
                    length=32,
                ),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("departure")
