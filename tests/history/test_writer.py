"""The writer of generated days: in order, counted, and a failure reported, not swallowed."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.auth.models import Staff
from sitesys.auth.roles import Role
from sitesys.db import get_database
from sitesys.history.writer import HistoryFailed, write_days


def _staff_rows(day: date) -> dict[str, object]:
    return {
        "username": f"history-{day.isoformat()}",
        "display_name": f"History {day.day}",
        "role": Role.NURSE,
        "password_hash": "!",
        "is_active": True,
        "created_at": datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
    }


def test_days_are_written_in_order_and_a_failure_in_generation_is_reported(committed_app):
    engine = get_database(committed_app).engine
    table = Staff.__table__
    first = date(2026, 1, 1)
    days = [first + timedelta(days=n) for n in range(3)]

    def make_day(day):
        if day == days[2]:
            raise RuntimeError("the generator broke on the third day")
        return 0, {table: [_staff_rows(day)]}

    with pytest.raises(HistoryFailed, match="the generator broke on the third day"):
        write_days(engine, days, make_day, batch_size=10)
    with Session(engine) as session:
        names = list(session.scalars(select(Staff.username).order_by(Staff.id)))
        assert names == ["history-2026-01-01", "history-2026-01-02"]
        assert session.scalar(select(func.count()).select_from(Staff)) == 2


def test_the_written_counts_are_the_rows_in_the_database(committed_app):
    engine = get_database(committed_app).engine
    table = Staff.__table__
    days = [date(2026, 2, 1) + timedelta(days=n) for n in range(4)]
    report = write_days(engine, days, lambda day: (0, {table: [_staff_rows(day)]}), batch_size=1)
    with Session(engine) as session:
        assert report.counts == {"staff": 4}
        assert session.scalar(select(func.count()).select_from(Staff)) == 4
