"""Visits: a kind (consumption or services only); a services-only visit has no route.

Revision ID: services_0001
Revises: emergency_0002
Create Date: 2026-12-06 05:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "services_0001"
down_revision = "emergency_0002"
branch_labels = None
depends_on = None

_ROUTE = sa.Enum(
    "inject", "smoke", "snort", "oral", "other", name="route", native_enum=False, length=32
)


def upgrade() -> None:
    with op.batch_alter_table("visits") as batch:
        batch.add_column(
            sa.Column(
                "kind",
                sa.Enum(
                    "consumption",
                    "services_only",
                    name="visitkind",
                    native_enum=False,
                    create_constraint=False,
                    length=32,
                ),
                nullable=False,
                server_default="consumption",
            )
        )
        batch.alter_column("route", existing_type=_ROUTE, nullable=True)


def downgrade() -> None:
    # A services-only visit has no route: it goes down as "other", and its kind is dropped.
    op.execute("UPDATE visits SET route = 'other' WHERE route IS NULL")
    with op.batch_alter_table("visits") as batch:
        batch.alter_column("route", existing_type=_ROUTE, nullable=False)
        batch.drop_column("kind")
