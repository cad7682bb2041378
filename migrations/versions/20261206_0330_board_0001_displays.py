"""Wall-board displays: registered by an admin, paired by a one-time code, revoked at once; and
the site setting letting trained front desk staff log naloxone and rescue breaths (off).

Revision ID: board_0001
Revises: emergency_0001
Create Date: 2026-12-06 03:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "board_0001"
down_revision = "emergency_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "displays",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("created_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("pairing_digest", sa.String(length=64), nullable=True),
        sa.Column("pairing_expires_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("token_digest", sa.String(length=64), nullable=True),
        sa.Column("paired_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_seen_from", sa.String(length=64), nullable=True),
        sa.Column("revoked_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_displays_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"], ["staff.id"], name=op.f("fk_displays_revoked_by_id_staff")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_displays_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_displays")),
        sa.UniqueConstraint("pairing_digest", name=op.f("uq_displays_pairing_digest")),
        sa.UniqueConstraint("token_digest", name=op.f("uq_displays_token_digest")),
    )
    op.create_index(op.f("ix_displays_site_id"), "displays", ["site_id"], unique=False)
    with op.batch_alter_table("sites") as batch:
        batch.add_column(
            sa.Column(
                "desk_rescue_actions", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("desk_rescue_actions")
    op.drop_index(op.f("ix_displays_site_id"), table_name="displays")
    op.drop_table("displays")
