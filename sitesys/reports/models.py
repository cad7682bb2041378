"""The daily figures kept per site, so that a report on a busy site reads days, not visits.

A day's figures are written whole by `daily.aggregate_day` (its rows, then its marker in
`report_days`); a day without a marker is counted from the visits when a report asks for it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from sitesys.clock import utcnow
from sitesys.db import Base


class DailyFigure(Base):
    """One figure of one site's day: a count by indicator and row, or a timed case's seconds."""

    __tablename__ = "report_daily_figures"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    row: Mapped[str] = mapped_column(String(80), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class AggregatedDay(Base):
    """A site's day whose figures are kept (and when they were last counted)."""

    __tablename__ = "report_days"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    aggregated_at: Mapped[datetime] = mapped_column(default=utcnow)
