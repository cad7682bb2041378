"""The ketamine bladder screen: screens (one standing per visit, struck through not deleted) and
the sites' setting of how often a client is asked (28 days unless set).

Revision ID: care_0002
Revises: care_0001
Create Date: 2026-12-06 03:28:45.536407
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "care_0002"
down_revision = "care_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_bladder_screens",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column(
            "result",
            sa.Enum(
                "skipped",
                "no_symptoms",
                "symptoms",
                "same_day_review",
                name="screenresult",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "use_frequency",
            sa.Enum(
                "daily",
                "several_a_week",
                "weekly",
                "less",
                name="usefrequency",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("frequency", sa.Boolean(), nullable=False),
        sa.Column("urgency", sa.Boolean(), nullable=False),
        sa.Column("nocturia", sa.Boolean(), nullable=False),
        sa.Column("painful_urination", sa.Boolean(), nullable=False),
        sa.Column("lower_belly_pain", sa.Boolean(), nullable=False),
        sa.Column("blood_in_urine", sa.Boolean(), nullable=False),
        sa.Column("leaking", sa.Boolean(), nullable=False),
        sa.Column("side_or_back_pain", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("submission_key", sa.String(length=36), nullable=False),
        sa.Column("struck_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("struck_by_id", sa.Integer(), nullable=True),
        sa.Column("strike_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_care_bladder_screens_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff.id"],
            name=op.f("fk_care_bladder_screens_recorded_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_care_bladder_screens_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["struck_by_id"], ["staff.id"], name=op.f("fk_care_bladder_screens_struck_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_care_bladder_screens_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_bladder_screens")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_care_bladder_screens_submission_key")),
    )
    with op.batch_alter_table("care_bladder_screens", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_bladder_screens_client_recorded", ["client_id", "recorded_at"], unique=False
        )
        batch_op.create_index(
            "ix_care_bladder_screens_site_recorded", ["site_id", "recorded_at"], unique=False
        )
        batch_op.create_index(
            "uq_care_bladder_screens_visit_standing",
            ["visit_id"],
            unique=True,
            sqlite_where=sa.text("struck_at IS NULL"),
            postgresql_where=sa.text("struck_at IS NULL"),
        )

    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("bladder_screen_days", sa.Integer(), nullable=False, server_default="28")
        )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.alter_column("bladder_screen_days", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("bladder_screen_days")

    with op.batch_alter_table("care_bladder_screens", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_care_bladder_screens_visit_standing",
            sqlite_where=sa.text("struck_at IS NULL"),
            postgresql_where=sa.text("struck_at IS NULL"),
        )
        batch_op.drop_index("ix_care_bladder_screens_site_recorded")
        batch_op.drop_index("ix_care_bladder_screens_client_recorded")

    op.drop_table("care_bladder_screens")
