"""The days already kept learn how many of their visits were a client's first (new clients are
now counted from the kept days; returning clients are the rest), so that no report has to look
back through each client's history.

Revision ID: reports_0004
Revises: reports_0003
Create Date: 2026-12-06 10:20:00
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "reports_0004"
down_revision = "reports_0003"
branch_labels = None
depends_on = None

KEY = "clients_new"

sites = sa.table("sites", sa.column("id", sa.Integer), sa.column("time_zone", sa.String))
visits = sa.table(
    "visits",
    sa.column("site_id", sa.Integer),
    sa.column("client_id", sa.Uuid),
    sa.column("checked_in_at", sa.DateTime(timezone=True)),
)
kept_days = sa.table("report_days", sa.column("site_id", sa.Integer), sa.column("day", sa.Date))
figures = sa.table(
    "report_daily_figures",
    sa.column("site_id", sa.Integer),
    sa.column("day", sa.Date),
    sa.column("key", sa.String),
    sa.column("row", sa.String),
    sa.column("value", sa.BigInteger),
)


def _instant(value: datetime | str) -> datetime:
    """SQLite gives an aggregate's timestamp back as text; PostgreSQL as an aware instant."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def upgrade() -> None:
    connection = op.get_bind()
    connection.execute(sa.delete(figures).where(figures.c.key == KEY))
    for site_id, time_zone in connection.execute(sa.select(sites.c.id, sites.c.time_zone)).all():
        zone = ZoneInfo(time_zone)
        kept: set[date] = set(
            connection.scalars(sa.select(kept_days.c.day).where(kept_days.c.site_id == site_id))
        )
        if not kept:
            continue
        firsts = connection.scalars(
            sa.select(sa.func.min(visits.c.checked_in_at))
            .where(visits.c.site_id == site_id, visits.c.client_id.is_not(None))
            .group_by(visits.c.client_id)
        )
        per_day = Counter(_instant(first).astimezone(zone).date() for first in firsts)
        rows = [
            {"site_id": site_id, "day": day, "key": KEY, "row": "", "value": count}
            for day, count in sorted(per_day.items())
            if day in kept
        ]
        if rows:
            connection.execute(sa.insert(figures), rows)


def downgrade() -> None:
    op.get_bind().execute(sa.delete(figures).where(figures.c.key == KEY))
