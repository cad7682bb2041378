"""Indexes for a nurse's own incident reports, newest first (reported or submitted by them).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 03:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_incidents_reported_by_submitted_at",
        "incidents",
        ["reported_by_id", "submitted_at"],
    )
    op.create_index(
        "ix_incidents_submitted_by_submitted_at",
        "incidents",
        ["submitted_by_id", "submitted_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_incidents_submitted_by_submitted_at", table_name="incidents")
    op.drop_index("ix_incidents_reported_by_submitted_at", table_name="incidents")
