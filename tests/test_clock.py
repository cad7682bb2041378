"""Site-local days and wall times, across the clock changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sitesys.clock import day_bounds, day_start, local_date, nearest_instant

LONDON = ZoneInfo("Europe/London")
SANTIAGO = ZoneInfo("America/Santiago")  # its clocks change at local midnight


def test_a_london_day_is_23_hours_in_spring_and_25_in_autumn():
    start, end = day_bounds(date(2026, 3, 29), date(2026, 3, 29), LONDON)
    assert start == datetime(2026, 3, 29, 0, tzinfo=UTC)
    assert end == datetime(2026, 3, 29, 23, tzinfo=UTC)
    start, end = day_bounds(date(2026, 10, 25), date(2026, 10, 25), LONDON)
    assert (end - start).total_seconds() == 25 * 3600


def test_a_range_may_be_open_at_either_end():
    assert day_bounds(None, date(2026, 6, 1), LONDON) == (
        None,
        datetime(2026, 6, 1, 23, tzinfo=UTC),
    )
    assert day_bounds(date(2026, 6, 1), None, LONDON) == (
        datetime(2026, 5, 31, 23, tzinfo=UTC),
        None,
    )


def test_a_day_whose_midnight_never_happens_starts_when_the_clocks_jump():
    # Santiago moved its clocks forward at local midnight on 6 September 2026.
    start = day_start(date(2026, 9, 6), SANTIAGO)
    assert start.astimezone(SANTIAGO).time() == time(1, 0)
    assert local_date(start, SANTIAGO) == date(2026, 9, 6)


def test_a_late_visit_counts_on_its_local_day():
    assert local_date(datetime(2026, 3, 31, 22, 30, tzinfo=UTC), LONDON) == date(2026, 3, 31)
    assert local_date(datetime(2026, 3, 31, 23, 30, tzinfo=UTC), LONDON) == date(2026, 4, 1)


def test_a_typed_time_is_the_nearest_instant_with_that_wall_time():
    now = datetime(2026, 6, 2, 23, 5, tzinfo=UTC)  # 00:05 on 3 June in London
    assert nearest_instant(time(23, 50), LONDON, now) == datetime(2026, 6, 2, 22, 50, tzinfo=UTC)
    assert nearest_instant(time(0, 10), LONDON, now) == datetime(2026, 6, 2, 23, 10, tzinfo=UTC)
