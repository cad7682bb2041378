"""Referrals: the site's referral directory, referrals (by client record, visit or incident)
and their steps, each step once per referral.

Revision ID: care_0001
Revises: board_0001
Create Date: 2026-12-06 03:18:43.349088
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "care_0001"
down_revision = "board_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_referral_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "mental_health",
                "crisis_team",
                "detox",
                "drug_treatment",
                "urology",
                "gp",
                "sexual_health",
                "bbv_testing",
                "wound_care",
                "housing",
                "welfare",
                "peer_support",
                "other",
                name="referraltype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("how_to_refer", sa.String(length=300), nullable=False),
        sa.Column("opening_hours", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_care_referral_services_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_referral_services")),
        sa.UniqueConstraint("site_id", "name", name=op.f("uq_care_referral_services_site_id_name")),
    )
    with op.batch_alter_table("care_referral_services", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_referral_services_site_id"), ["site_id"], unique=False
        )

    op.create_table(
        "care_referrals",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=True),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column("incident_id", sa.Uuid(), nullable=True),
        sa.Column(
            "type",
            sa.Enum(
                "mental_health",
                "crisis_team",
                "detox",
                "drug_treatment",
                "urology",
                "gp",
                "sexual_health",
                "bbv_testing",
                "wound_care",
                "housing",
                "welfare",
                "peer_support",
                "other",
                name="referraltype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("service_id", sa.Integer(), nullable=True),
        sa.Column("service_name", sa.String(length=120), nullable=True),
        sa.Column(
            "urgency",
            sa.Enum("routine", "soon", "urgent", name="urgency", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "offered",
                "accepted",
                "declined",
                "made",
                "attended",
                "did_not_attend",
                "unknown",
                name="referralstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("follow_up_due_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("submission_key", sa.String(length=36), nullable=False),
        sa.Column("struck_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("struck_by_id", sa.Integer(), nullable=True),
        sa.Column("strike_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_care_referrals_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_care_referrals_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_care_referrals_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff.id"], name=op.f("fk_care_referrals_owner_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["care_referral_services.id"],
            name=op.f("fk_care_referrals_service_id_care_referral_services"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_care_referrals_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["struck_by_id"], ["staff.id"], name=op.f("fk_care_referrals_struck_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_care_referrals_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_referrals")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_care_referrals_submission_key")),
    )
    with op.batch_alter_table("care_referrals", schema=None) as batch_op:
        batch_op.create_index("ix_care_referrals_client_id", ["client_id"], unique=False)
        batch_op.create_index(
            "ix_care_referrals_site_due",
            ["site_id", "follow_up_due_at"],
            unique=False,
            sqlite_where=sa.text("follow_up_due_at IS NOT NULL"),
            postgresql_where=sa.text("follow_up_due_at IS NOT NULL"),
        )
        batch_op.create_index("ix_care_referrals_visit_id", ["visit_id"], unique=False)

    op.create_table(
        "care_referral_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "offered",
                "accepted",
                "declined",
                "made",
                "attended",
                "did_not_attend",
                "unknown",
                name="referralstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff.id"],
            name=op.f("fk_care_referral_steps_recorded_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["care_referrals.id"],
            name=op.f("fk_care_referral_steps_referral_id_care_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_referral_steps")),
        sa.UniqueConstraint(
            "referral_id", "state", name=op.f("uq_care_referral_steps_referral_id_state")
        ),
    )


def downgrade() -> None:
    op.drop_table("care_referral_steps")
    with op.batch_alter_table("care_referrals", schema=None) as batch_op:
        batch_op.drop_index("ix_care_referrals_visit_id")
        batch_op.drop_index(
            "ix_care_referrals_site_due",
            sqlite_where=sa.text("follow_up_due_at IS NOT NULL"),
            postgresql_where=sa.text("follow_up_due_at IS NOT NULL"),
        )
        batch_op.drop_index("ix_care_referrals_client_id")

    op.drop_table("care_referrals")
    with op.batch_alter_table("care_referral_services", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_referral_services_site_id"))

    op.drop_table("care_referral_services")
