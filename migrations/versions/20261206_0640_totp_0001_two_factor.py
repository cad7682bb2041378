"""Two-factor sign-in: each account's encrypted TOTP secret and last accepted time step, its
recovery codes (hashes only), and a site setting asking it of every role.

Revision ID: totp_0001
Revises: i18n_0001
Create Date: 2026-12-06 06:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "totp_0001"
down_revision = "i18n_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("two_factor_secret", sa.String(255), nullable=True))
        batch.add_column(
            sa.Column(
                "two_factor_enrolled_at", sitesys.db.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch.add_column(sa.Column("two_factor_last_step", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("sites") as batch:
        batch.add_column(
            sa.Column("two_factor_for_all", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "recovery_codes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff.id"), nullable=False),
        sa.Column("locator", sa.String(8), nullable=False),
        sa.Column("code_hash", sa.String(255), nullable=False),
        sa.Column("created_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_recovery_codes_staff_id", "recovery_codes", ["staff_id"])


def downgrade() -> None:
    op.drop_index("ix_recovery_codes_staff_id", table_name="recovery_codes")
    op.drop_table("recovery_codes")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("two_factor_for_all")
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("two_factor_last_step")
        batch.drop_column("two_factor_enrolled_at")
        batch.drop_column("two_factor_secret")
