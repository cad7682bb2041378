"""Restriction override requests: the desk asks, a manager on site approves or refuses with a
reason, and an approval lets one check-in through.

Revision ID: desk_0001
Revises: audit_0003
Create Date: 2026-12-06 03:34:30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "desk_0001"
down_revision = "audit_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "override_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "refused",
                "used",
                name="overridestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("requested_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", sitesys.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("visit_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["clients.id"], name=op.f("fk_override_requests_client_id_clients")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["staff.id"], name=op.f("fk_override_requests_decided_by_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["staff.id"],
            name=op.f("fk_override_requests_requested_by_id_staff"),
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_override_requests_site_id_sites")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visits.id"], name=op.f("fk_override_requests_visit_id_visits")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_override_requests")),
    )
    with op.batch_alter_table("override_requests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_override_requests_site_status", ["site_id", "status"], unique=False
        )
        batch_op.create_index(
            "uq_override_requests_client_pending",
            ["client_id"],
            unique=True,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("override_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_override_requests_client_pending",
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )
        batch_op.drop_index("ix_override_requests_site_status")

    op.drop_table("override_requests")
