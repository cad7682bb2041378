"""Handovers and their alerts read by site and time (reports, history) and by site and state
(the handovers waiting, on every landing page): by index, however many years a site has kept.

Revision ID: reports_0003
Revises: totp_0001
Create Date: 2026-12-06 08:25:00
"""

from __future__ import annotations

from alembic import op

revision = "reports_0003"
down_revision = "totp_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_handovers_site_shift_ends_at", "handovers", ["site_id", "shift_ends_at"])
    op.create_index("ix_handovers_site_status", "handovers", ["site_id", "status"])
    op.create_index(
        "ix_handover_alerts_site_shift_ends_at", "handover_alerts", ["site_id", "shift_ends_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_handover_alerts_site_shift_ends_at", table_name="handover_alerts")
    op.drop_index("ix_handovers_site_status", table_name="handovers")
    op.drop_index("ix_handovers_site_shift_ends_at", table_name="handovers")
