"""Reports: the daily figures kept per site (report_daily_figures) and the days kept
(report_days).

Revision ID: reports_0002
Revises: reports_0001
Create Date: 2026-12-06 04:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import sitesys.db

revision = "reports_0002"
down_revision = "reports_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_daily_figures",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("row", sa.String(length=80), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_report_daily_figures_site_id_sites")
        ),
        sa.PrimaryKeyConstraint(
            "site_id", "day", "key", "row", name=op.f("pk_report_daily_figures")
        ),
    )
    op.create_table(
        "report_days",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("aggregated_at", sitesys.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["sites.id"], name=op.f("fk_report_days_site_id_sites")
        ),
        sa.PrimaryKeyConstraint("site_id", "day", name=op.f("pk_report_days")),
    )


def downgrade() -> None:
    op.drop_table("report_days")
    op.drop_table("report_daily_figures")
