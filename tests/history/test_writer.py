"""The writer of generated days: in order, counted, and a failure reported, not swallowed."""

import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, inspect, select, table
from sqlalchemy.orm import Session

from bench.history.observations import VitalsTable
from bench.history.writer import LOADING_PRAGMAS, HistoryFailed, _loading, write_days
from sitesys.auth.models import Staff
from sitesys.auth.roles import Role
from sitesys.db import get_database


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


def test_written_times_read_back_as_the_same_moment_and_compare_as_the_app_writes_them(
    committed_app,
):
    """Bulk-written timestamps (taken from another zone too) read back as the same UTC moments,
    and compare in SQL against a time the application itself wrote."""
    engine = get_database(committed_app).engine
    table = Staff.__table__
    day = date(2026, 3, 2)
    local = datetime(2026, 3, 2, 10, 30, 0, 250, tzinfo=timezone(timedelta(hours=1)))
    rows = [
        {**_staff_rows(day), "username": "bulk-utc", "created_at": local.astimezone(UTC)},
        {**_staff_rows(day), "username": "bulk-local", "created_at": local},
    ]
    write_days(engine, [day], lambda _: (0, {table: rows}), batch_size=10)
    with Session(engine.execution_options(sitesys_write=True)) as session:
        session.add(
            Staff(
                username="app-written",
                display_name="Written by the app",
                role=Role.NURSE,
                password_hash="!",
                created_at=local.astimezone(UTC),
            )
        )
        session.commit()
        found = dict(session.execute(select(Staff.username, Staff.created_at)).all())
        assert found["bulk-utc"] == found["bulk-local"] == found["app-written"]
        assert found["bulk-utc"] == datetime(2026, 3, 2, 9, 30, 0, 250, tzinfo=UTC)
        same_moment = session.scalars(
            select(Staff.username)
            .where(Staff.created_at == found["app-written"])
            .order_by(Staff.username)
        ).all()
        assert same_moment == ["app-written", "bulk-local", "bulk-utc"]


def test_the_loading_connection_is_put_back_as_it_was(committed_app):
    """Its SQLite settings and the temporary table of templates last as long as the connection,
    which goes back to the pool: both are undone when loading ends."""
    engine = get_database(committed_app).engine
    vitals = VitalsTable.build(random.Random(1))
    holder = f"history_{vitals.templates().table}_templates"
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        before = _settings(connection) if sqlite else {}
        with _loading(connection, [vitals.templates()]):
            assert inspect(connection).has_table(holder)
            assert connection.execute(select(func.count()).select_from(table(holder))).scalar()
            if sqlite:
                assert _settings(connection) == LOADING_PRAGMAS
        assert not inspect(connection).has_table(holder)
        if sqlite:
            assert _settings(connection) == before


def _settings(connection):
    return {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in LOADING_PRAGMAS}
