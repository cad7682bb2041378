"""Staff accounts: a password an admin issued or reset must be changed at the next sign-in.

Revision ID: signin_0001
Revises: desk_0001
Create Date: 2026-12-06 04:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "signin_0001"
down_revision = "desk_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(
            sa.Column(
                "must_change_password",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("must_change_password")
