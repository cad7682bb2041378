"""Wound care and blood-borne virus tests given on a visit, each with a short note: never
deleted (a trigger refuses it, as for the versions of clinical records); corrected by striking
through with a reason and writing the correction, which names what it corrects.

Revision ID: care_0007
Revises: services_0001
Create Date: 2026-12-06 06:36:20.789363
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "care_0007"
down_revision = "services_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_given",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("wound_care", "bbv_test", name="carekind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("recorded_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("submission_key", sa.String(length=36), nullable=False),
        sa.Column("corrects_id", sa.Uuid(), nullable=True),
        sa.Column("struck_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("struck_by_id", sa.Integer(), nullable=True),
        sa.Column("strike_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["care_given.id"], name=op.f("fk_care_given_corrects_id_care_given")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["staff.id"], name=op.f("fk_care_given_recorded_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_care_given_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["struck_by_id"], ["staff.id"], name=op.f("fk_care_given_struck_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_care_given_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_given")),
        sa.UniqueConstraint("submission_key", name=op.f("uq_care_given_submission_key")),
    )
    with op.batch_alter_table("care_given", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_given_site_recorded", ["site_id", "recorded_at"], unique=False
        )
        batch_op.create_index("ix_care_given_visit_id", ["visit_id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION sitesys_refuse_care_given_delete() RETURNS trigger "
            "LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'care given is never deleted'; END $$"
        )
        op.execute(
            "CREATE TRIGGER care_given_kept BEFORE DELETE ON care_given "
            "FOR EACH ROW EXECUTE FUNCTION sitesys_refuse_care_given_delete()"
        )
    else:
        op.execute(
            "CREATE TRIGGER care_given_kept BEFORE DELETE ON care_given "
            "BEGIN SELECT RAISE(ABORT, 'care given is never deleted'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER care_given_kept ON care_given")
        op.execute("DROP FUNCTION sitesys_refuse_care_given_delete()")
    else:
        op.execute("DROP TRIGGER care_given_kept")
    with op.batch_alter_table("care_given", schema=None) as batch_op:
        batch_op.drop_index("ix_care_given_visit_id")
        batch_op.drop_index("ix_care_given_site_recorded")
    op.drop_table("care_given")
