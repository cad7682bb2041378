"""An index on when visits ended at each site, for "left in the last hour" (a response can still
be started for someone who collapses just outside) without reading the site's whole history.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 23:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_visits_site_left_at", "visits", ["site_id", "left_at"])


def downgrade() -> None:
    op.drop_index("ix_visits_site_left_at", table_name="visits")
