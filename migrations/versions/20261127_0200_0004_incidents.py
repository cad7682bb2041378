"""Incidents: emergency response log, reports, amendments, manager review, draft reminders.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 00:01:45.071546
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "draft",
                "submitted",
                "in_review",
                "closed",
                name="incidentstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("started_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("response_ended_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("review_started_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reported_by_id", sa.Integer(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("submission_key", sa.String(length=36), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "recovered_on_site",
                "transferred_to_hospital",
                "left_against_advice",
                "died",
                name="outcome",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "physical_harm",
            sa.Enum(
                "none",
                "low",
                "moderate",
                "severe",
                "fatal",
                name="physicalharm",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "psychological_harm",
            sa.Enum(
                "none",
                "low",
                "moderate",
                "severe",
                name="psychologicalharm",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("contributing_factors", sa.Text(), nullable=False),
        sa.Column("learning", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["staff.id"], name=op.f("fk_incidents_reported_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["staff.id"], name=op.f("fk_incidents_reviewer_id_staff")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_incidents_site_id_sites")),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["staff.id"], name=op.f("fk_incidents_submitted_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_incidents_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_incidents_submission_key")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incidents_site_started_at", ["site_id", "started_at"], unique=False
        )
        batch_op.create_index(
            "ix_incidents_site_status_started_at", ["site_id", "status", "started_at"], unique=False
        )
        batch_op.create_index("ix_incidents_visit_id", ["visit_id"], unique=False)
        batch_op.create_index(
            "uq_incidents_visit_open",
            ["visit_id"],
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )

    op.create_table(
        "incident_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "stimulation",
                "airway",
                "oxygen",
                "rescue_breaths",
                "naloxone",
                "cpr_started",
                "cpr_stopped",
                "defibrillator",
                "ems_called",
                "ems_arrived",
                "ems_left",
                "transferred_to_hospital",
                "client_responsive",
                "client_refused_transfer",
                "note",
                name="actionkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("submission_key", sa.String(length=36), nullable=False),
        sa.Column("dose_mg", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column(
            "naloxone_route",
            sa.Enum(
                "intramuscular",
                "intranasal",
                "intravenous",
                name="naloxoneroute",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("oxygen_l_per_min", sa.Numeric(precision=4, scale=1), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("struck_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("struck_by_id", sa.Integer(), nullable=True),
        sa.Column("strike_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_actions_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_incident_actions_recorded_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["struck_by_id"], ["staff.id"], name=op.f("fk_incident_actions_struck_by_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_actions")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_incident_actions_submission_key")),
    )
    with op.batch_alter_table("incident_actions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incident_actions_incident_id_recorded_at",
            ["incident_id", "recorded_at"],
            unique=False,
        )

    op.create_table(
        "incident_amendments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=False),
        sa.Column("new_value", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=False),
        sa.Column("amended_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("amended_by_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["amended_by_id"], ["staff.id"], name=op.f("fk_incident_amendments_amended_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_amendments_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_amendments")),
    )
    with op.batch_alter_table("incident_amendments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_amendments_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_reminders_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_reminders")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_incident_reminders_incident_id")),
    )
    op.create_table(
        "incident_staff",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_staff_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"], ["staff.id"], name=op.f("fk_incident_staff_staff_id_staff")
        ),
        sa.PrimaryKeyConstraint("incident_id", "staff_id", name=op.f("pk_incident_staff")),
    )
    op.create_table(
        "incident_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column(
            "from_status",
            sa.Enum(
                "open",
                "draft",
                "submitted",
                "in_review",
                "closed",
                name="incidentstatus",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "open",
                "draft",
                "submitted",
                "in_review",
                "closed",
                name="incidentstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("changed_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["staff.id"],
            name=op.f("fk_incident_status_changes_changed_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_status_changes_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_status_changes")),
    )
    with op.batch_alter_table("incident_status_changes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_status_changes_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_substances",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_substances_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "code", name=op.f("pk_incident_substances")),
    )
    op.create_table(
        "incident_types",
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "opioid_overdose",
                "stimulant_overamping",
                "ketamine_dissociative_crisis",
                "seizure",
                "vomiting_aspiration_risk",
                "fall_or_injury",
                "agitation_or_aggression",
                "allergic_reaction",
                "mental_health_crisis",
                "other_medical",
                "security_police",
                "staff_injury_or_needlestick",
                name="incidenttype",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_types_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "type", name=op.f("pk_incident_types")),
    )
    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("created_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("done_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["staff.id"], name=op.f("fk_review_actions_created_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["staff.id"], name=op.f("fk_review_actions_done_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_review_actions_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["staff.id"], name=op.f("fk_review_actions_owner_id_staff")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_actions")),
    )
    with op.batch_alter_table("review_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_actions_incident_id"), ["incident_id"], unique=False
        )

    # Existing sites get the default limit through a temporary server default.
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("draft_reminder_hours", sa.Integer(), nullable=False, server_default="12")
        )
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.alter_column("draft_reminder_hours", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("sites", schema=None) as batch_op:
        batch_op.drop_column("draft_reminder_hours")

    with op.batch_alter_table("review_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_actions_incident_id"))

    op.drop_table("review_actions")
    op.drop_table("incident_types")
    op.drop_table("incident_substances")
    with op.batch_alter_table("incident_status_changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_status_changes_incident_id"))

    op.drop_table("incident_status_changes")
    op.drop_table("incident_staff")
    op.drop_table("incident_reminders")
    with op.batch_alter_table("incident_amendments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_amendments_incident_id"))

    op.drop_table("incident_amendments")
    with op.batch_alter_table("incident_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_actions_incident_id_recorded_at")

    op.drop_table("incident_actions")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_incidents_visit_open",
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        )
        batch_op.drop_index("ix_incidents_visit_id")
        batch_op.drop_index("ix_incidents_site_status_started_at")
        batch_op.drop_index("ix_incidents_site_started_at")

    op.drop_table("incidents")
