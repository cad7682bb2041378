"""Education given on a visit: the sites' topic lists (every existing site is given the default
topics, as a new site is) and the topics covered on visits, one standing per visit and topic.

Revision ID: care_0003
Revises: care_0002
Create Date: 2026-12-06 03:34:27.871845
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

#: care/models.py's DEFAULT_TOPICS as they were when this migration was written.
DEFAULT_TOPICS = (
    ("ketamine_bladder", "Ketamine risks and the bladder"),
    ("tolerance_overdose", "Tolerance and overdose risk"),
    ("mixing_depressants", "Mixing depressants"),
    ("safer_snorting", "Safer snorting"),
    ("safer_injecting", "Safer injecting and vein care"),
    ("safer_smoking", "Safer smoking"),
    ("wound_care", "Wound care"),
    ("naloxone_training", "Naloxone training"),
    ("drug_checking", "Drug checking"),
)

revision = "care_0003"
down_revision = "care_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "care_education_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_care_education_topics_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_education_topics")),
        sa.UniqueConstraint("site_id", "code", name=op.f("uq_care_education_topics_site_id_code")),
    )
    with op.batch_alter_table("care_education_topics", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_care_education_topics_site_id"), ["site_id"], unique=False
        )

    op.create_table(
        "care_education_given",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("struck_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("struck_by_id", sa.Integer(), nullable=True),
        sa.Column("strike_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff.id"],
            name=op.f("fk_care_education_given_recorded_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_care_education_given_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["struck_by_id"], ["staff.id"], name=op.f("fk_care_education_given_struck_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["care_education_topics.id"],
            name=op.f("fk_care_education_given_topic_id_care_education_topics"),
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_care_education_given_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_care_education_given")),
    )
    with op.batch_alter_table("care_education_given", schema=None) as batch_op:
        batch_op.create_index(
            "ix_care_education_given_site_recorded", ["site_id", "recorded_at"], unique=False
        )
        batch_op.create_index(
            "uq_care_education_given_visit_topic",
            ["visit_id", "topic_id"],
            unique=True,
            sqlite_where=sa.text("struck_at IS NULL"),
            postgresql_where=sa.text("struck_at IS NULL"),
        )

    topics = sa.table(
        "care_education_topics",
        sa.column("site_id", sa.Integer()),
        sa.column("code", sa.String()),
        sa.column("label", sa.String()),
        sa.column("position", sa.Integer()),
        sa.column("is_active", sa.Boolean()),
    )
    site_ids = [row[0] for row in op.get_bind().execute(sa.text("SELECT id FROM sites"))]
    rows = [
        {"site_id": site_id, "code": code, "label": label, "position": position, "is_active": True}
        for site_id in site_ids
        for position, (code, label) in enumerate(DEFAULT_TOPICS)
    ]
    if rows:
        op.bulk_insert(topics, rows)


def downgrade() -> None:
    with op.batch_alter_table("care_education_given", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_care_education_given_visit_topic",
            sqlite_where=sa.text("struck_at IS NULL"),
            postgresql_where=sa.text("struck_at IS NULL"),
        )
        batch_op.drop_index("ix_care_education_given_site_recorded")

    op.drop_table("care_education_given")
    with op.batch_alter_table("care_education_topics", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_care_education_topics_site_id"))

    op.drop_table("care_education_topics")
