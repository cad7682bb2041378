"""Observations with their NEWS2 assessment, overdue-check alerts, and the visit's SpO2 scale.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 23:56:50.249058
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "observations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("quick_check", "full", name="observationkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("recorded_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("entered_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("backdate_reason", sa.String(length=200), nullable=True),
        sa.Column("respiratory_rate", sa.Integer(), nullable=True),
        sa.Column("spo2", sa.Integer(), nullable=True),
        sa.Column("on_oxygen", sa.Boolean(), nullable=False),
        sa.Column("pulse", sa.Integer(), nullable=True),
        sa.Column("systolic_bp", sa.Integer(), nullable=True),
        sa.Column("temperature", sa.Numeric(precision=3, scale=1), nullable=True),
        sa.Column(
            "consciousness",
            sa.Enum("A", "C", "V", "P", "U", name="consciousness", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column(
            "poss",
            sa.Enum("S", "1", "2", "3", "4", name="poss", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("rass", sa.Integer(), nullable=True),
        sa.Column(
            "pupils",
            sa.Enum(
                "normal",
                "pinpoint",
                "dilated",
                "unequal",
                name="pupils",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("vomiting", sa.Boolean(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("spo2_scale", sa.Integer(), nullable=False),
        sa.Column("news2_total", sa.Integer(), nullable=True),
        sa.Column("news2_partial", sa.Boolean(), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "low",
                "low_medium",
                "medium",
                "high",
                name="escalationlevel",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("prompts_emergency", sa.Boolean(), nullable=False),
        sa.Column("needs_close_watch", sa.Boolean(), nullable=False),
        sa.Column("reasons", sa.String(length=300), nullable=True),
        sa.Column("submission_key", sa.String(length=36), nullable=False),
        sa.Column("struck_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("struck_by_id", sa.Integer(), nullable=True),
        sa.Column("strike_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_observations_recorded_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["struck_by_id"], ["staff.id"], name=op.f("fk_observations_struck_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_observations_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_observations")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_observations_submission_key")),
    )
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_observations_visit_id_recorded_at", ["visit_id", "recorded_at"], unique=False
        )

    op.create_table(
        "overdue_alerts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("overdue_since", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("raised_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "closed_by_observation_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["closed_by_observation_id"],
            ["observations.id"],
            name=op.f("fk_overdue_alerts_closed_by_observation_id_observations"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_overdue_alerts_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_overdue_alerts_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_overdue_alerts")),
    )
    with op.batch_alter_table("overdue_alerts", schema=None) as batch_op:
        batch_op.create_index(
            "ix_overdue_alerts_site_id_raised_at", ["site_id", "raised_at"], unique=False
        )
        batch_op.create_index(
            "uq_overdue_alerts_open_visit",
            ["visit_id"],
            unique=True,
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )

    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("spo2_scale", sa.Integer(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("spo2_scale_reason", sa.String(length=200), nullable=True))
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.alter_column("spo2_scale", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_column("spo2_scale_reason")
        batch_op.drop_column("spo2_scale")

    with op.batch_alter_table("overdue_alerts", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_overdue_alerts_open_visit",
            sqlite_where=sa.text("closed_at IS NULL"),
            postgresql_where=sa.text("closed_at IS NULL"),
        )
        batch_op.drop_index("ix_overdue_alerts_site_id_raised_at")

    op.drop_table("overdue_alerts")
    with op.batch_alter_table("observations", schema=None) as batch_op:
        batch_op.drop_index("ix_observations_visit_id_recorded_at")

    op.drop_table("observations")
