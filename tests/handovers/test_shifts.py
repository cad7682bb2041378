from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitesys.clock import local_instant
from sitesys.handovers.shifts import (
    ShiftDefinition,
    ShiftOccurrence,
    current_shift,
    next_shift,
    occurrence,
    previous_shift,
    shift_problems,
)

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
SANTIAGO = ZoneInfo("America/Santiago")  # its clocks change at local midnight

EARLY = ShiftDefinition("Early", time(8), time(16))
LATE = ShiftDefinition("Late", time(16), time(20))
NIGHT = ShiftDefinition("Night", time(20), time(8))
ROTA = (EARLY, LATE, NIGHT)

# Three shifts that cover every instant: the Late ends and the Night starts at midnight.
COVERING = (
    ShiftDefinition("Early", time(8), time(16)),
    ShiftDefinition("Late", time(16), time(0)),
    ShiftDefinition("Night", time(0), time(8)),
)

HOUR = timedelta(hours=1)
TICK = timedelta(microseconds=1)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def london(*parts, fold=0):
    return datetime(*parts, tzinfo=LONDON, fold=fold)


# --- Definitions and occurrences -------------------------------------------------------------


def test_crosses_midnight_when_the_end_is_at_or_before_the_start():
    assert not EARLY.crosses_midnight
    assert NIGHT.crosses_midnight
    assert ShiftDefinition("Late", time(16), time(0)).crosses_midnight
    assert ShiftDefinition("Long day", time(8), time(8)).crosses_midnight
    assert not ShiftDefinition("Night", time(0), time(8)).crosses_midnight


def test_a_definition_refuses_times_carrying_a_zone():
    with pytest.raises(ValueError, match="wall times"):
        ShiftDefinition("Early", time(8, tzinfo=UTC), time(16))


def test_a_day_shift_in_summer_time_starts_and_ends_in_utc():
    early = occurrence(EARLY, date(2026, 6, 15), LONDON)
    assert early.starts_at == utc(2026, 6, 15, 7)
    assert early.ends_at == utc(2026, 6, 15, 15)
    assert early.starts_at.tzinfo is UTC and early.ends_at.tzinfo is UTC
    assert early.duration == 8 * HOUR
    assert early.key == "2026-06-15/Early"


def test_a_night_shift_ends_on_the_next_day_and_keeps_its_start_date():
    night = occurrence(NIGHT, date(2026, 1, 10), LONDON)
    assert night.starts_at == utc(2026, 1, 10, 20)
    assert night.ends_at == utc(2026, 1, 11, 8)
    assert night.duration == 12 * HOUR
    assert night.local_date == date(2026, 1, 10)
    assert night.key == "2026-01-10/Night"


def test_a_shift_whose_end_equals_its_start_lasts_a_whole_day():
    long_day = ShiftDefinition("Long day", time(9), time(9))
    assert occurrence(long_day, date(2026, 1, 10), LONDON).duration == 24 * HOUR
    # Across the clock changes a whole day is 23 or 25 hours long.
    assert occurrence(long_day, date(2026, 3, 28), LONDON).duration == 23 * HOUR
    assert occurrence(long_day, date(2026, 10, 24), LONDON).duration == 25 * HOUR
    assert current_shift([long_day], london(2026, 1, 11, 8, 59), LONDON).local_date == date(
        2026, 1, 10
    )


def test_contains_includes_the_start_and_excludes_the_end():
    early = occurrence(EARLY, date(2026, 1, 10), LONDON)
    assert early.contains(early.starts_at)
    assert early.contains(early.ends_at - TICK)
    assert not early.contains(early.ends_at)
    assert not early.contains(early.starts_at - TICK)


def test_contains_compares_instants_whatever_zone_they_are_written_in():
    early = occurrence(EARLY, date(2026, 6, 15), LONDON)  # 07:00-15:00 UTC
    assert early.contains(london(2026, 6, 15, 8))
    assert not early.contains(london(2026, 6, 15, 16))
    assert early.contains(datetime(2026, 6, 15, 3, tzinfo=NEW_YORK))  # 07:00 UTC


def test_contains_refuses_a_naive_instant():
    early = occurrence(EARLY, date(2026, 1, 10), LONDON)
    with pytest.raises(ValueError, match="naive"):
        early.contains(datetime(2026, 1, 10, 9))


def test_an_occurrence_holds_its_instants_in_utc_and_refuses_naive_ones():
    made = ShiftOccurrence(
        EARLY, date(2026, 6, 15), london(2026, 6, 15, 8), london(2026, 6, 15, 16)
    )
    assert made.starts_at == utc(2026, 6, 15, 7) and made.starts_at.tzinfo is UTC
    assert made == occurrence(EARLY, date(2026, 6, 15), LONDON)
    with pytest.raises(ValueError, match="naive"):
        ShiftOccurrence(EARLY, date(2026, 6, 15), datetime(2026, 6, 15, 8), utc(2026, 6, 15, 16))
    with pytest.raises(ValueError, match="before it starts"):
        ShiftOccurrence(EARLY, date(2026, 6, 15), utc(2026, 6, 15, 16), utc(2026, 6, 15, 8))


# --- Current, next and previous shift ---------------------------------------------------------


@pytest.mark.parametrize(
    ("local", "name", "started_on"),
    [
        (london(2026, 1, 10, 8), "Early", date(2026, 1, 10)),
        (london(2026, 1, 10, 12), "Early", date(2026, 1, 10)),
        (london(2026, 1, 10, 15, 59, 59, 999999), "Early", date(2026, 1, 10)),
        (london(2026, 1, 10, 16), "Late", date(2026, 1, 10)),
        (london(2026, 1, 10, 20), "Night", date(2026, 1, 10)),
        (london(2026, 1, 10, 23), "Night", date(2026, 1, 10)),
        (london(2026, 1, 11, 3), "Night", date(2026, 1, 10)),
        (london(2026, 1, 11, 7, 59, 59, 999999), "Night", date(2026, 1, 10)),
        (london(2026, 1, 11, 8), "Early", date(2026, 1, 11)),
    ],
)
def test_current_shift(local, name, started_on):
    shift = current_shift(ROTA, local.astimezone(UTC), LONDON)
    assert shift is not None
    assert (shift.definition.name, shift.local_date) == (name, started_on)
    assert shift.contains(local)


def test_the_night_shift_after_midnight_is_the_one_that_started_the_evening_before():
    shift = current_shift(ROTA, utc(2026, 6, 16, 2), LONDON)  # 03:00 BST
    assert shift is not None
    assert shift.key == "2026-06-15/Night"
    assert shift.starts_at == utc(2026, 6, 15, 19)


def test_no_current_shift_outside_every_shift():
    assert current_shift([EARLY], london(2026, 1, 10, 20), LONDON) is None
    assert current_shift([], london(2026, 1, 10, 20), LONDON) is None


def test_of_overlapping_shifts_the_one_that_started_most_recently_is_current():
    middle = ShiftDefinition("Middle", time(12), time(20))
    assert current_shift([EARLY, middle], london(2026, 1, 10, 11), LONDON).definition is EARLY
    assert current_shift([EARLY, middle], london(2026, 1, 10, 13), LONDON).definition is middle
    assert current_shift([middle, EARLY], london(2026, 1, 10, 13), LONDON).definition is middle


def test_shifts_starting_together_go_to_the_one_listed_first():
    long_day = ShiftDefinition("Long day", time(8), time(20))
    assert current_shift([EARLY, long_day], london(2026, 1, 10, 9), LONDON).definition is EARLY
    assert current_shift([long_day, EARLY], london(2026, 1, 10, 9), LONDON).definition is long_day


@pytest.mark.parametrize(
    ("local", "key"),
    [
        (london(2026, 1, 10, 3), "2026-01-10/Early"),
        (london(2026, 1, 10, 8), "2026-01-10/Late"),  # starting strictly after now
        (london(2026, 1, 10, 12), "2026-01-10/Late"),
        (london(2026, 1, 10, 16), "2026-01-10/Night"),
        (london(2026, 1, 10, 22), "2026-01-11/Early"),
    ],
)
def test_next_shift(local, key):
    shift = next_shift(ROTA, local, LONDON)
    assert shift is not None
    assert shift.key == key
    assert shift.starts_at > local


@pytest.mark.parametrize(
    ("local", "key"),
    [
        (london(2026, 1, 10, 3), "2026-01-09/Late"),
        (london(2026, 1, 10, 8), "2026-01-09/Night"),  # ended at or before now
        (london(2026, 1, 10, 12), "2026-01-09/Night"),
        (london(2026, 1, 10, 16), "2026-01-10/Early"),
        (london(2026, 1, 10, 22), "2026-01-10/Late"),
    ],
)
def test_previous_shift(local, key):
    shift = previous_shift(ROTA, local, LONDON)
    assert shift is not None
    assert shift.key == key
    assert shift.ends_at <= local


def test_next_and_previous_reach_across_days_when_a_site_has_one_shift():
    early_only = [EARLY]
    assert next_shift(early_only, london(2026, 1, 10, 20), LONDON).key == "2026-01-11/Early"
    assert previous_shift(early_only, london(2026, 1, 10, 20), LONDON).key == "2026-01-10/Early"
    assert previous_shift(early_only, london(2026, 1, 10, 7), LONDON).key == "2026-01-09/Early"


def test_no_next_or_previous_shift_without_definitions():
    assert next_shift([], utc(2026, 1, 10, 12), LONDON) is None
    assert previous_shift([], utc(2026, 1, 10, 12), LONDON) is None


@pytest.mark.parametrize("find", [current_shift, next_shift, previous_shift])
def test_a_naive_now_is_refused(find):
    with pytest.raises(ValueError, match="naive"):
        find(ROTA, datetime(2026, 1, 10, 12), LONDON)


# --- Daylight saving in London ----------------------------------------------------------------


def test_the_night_the_clocks_go_forward_lasts_eleven_hours():
    night = occurrence(NIGHT, date(2026, 3, 28), LONDON)
    assert night.starts_at == utc(2026, 3, 28, 20)  # 20:00 GMT
    assert night.ends_at == utc(2026, 3, 29, 7)  # 08:00 BST
    assert night.duration == 11 * HOUR


def test_the_night_the_clocks_go_back_lasts_thirteen_hours():
    night = occurrence(NIGHT, date(2026, 10, 24), LONDON)
    assert night.starts_at == utc(2026, 10, 24, 19)  # 20:00 BST
    assert night.ends_at == utc(2026, 10, 25, 8)  # 08:00 GMT
    assert night.duration == 13 * HOUR


@pytest.mark.parametrize("day", [date(2026, 3, 28), date(2026, 3, 29), date(2026, 10, 25)])
def test_a_day_shift_on_a_change_day_lasts_eight_hours(day):
    assert occurrence(EARLY, day, LONDON).duration == 8 * HOUR


@pytest.mark.parametrize(
    "instant",
    [
        utc(2026, 10, 25, 0, 30),  # the first 01:30 (BST)
        utc(2026, 10, 25, 1, 30),  # the second 01:30 (GMT)
        london(2026, 10, 25, 1, 30, fold=0),
        london(2026, 10, 25, 1, 30, fold=1),
    ],
)
def test_both_passes_of_the_repeated_hour_are_in_the_night_shift(instant):
    shift = current_shift(ROTA, instant, LONDON)
    assert shift is not None
    assert shift.key == "2026-10-24/Night"


def test_an_instant_just_after_the_clocks_go_forward_is_in_the_night_shift():
    assert current_shift(ROTA, utc(2026, 3, 29, 1), LONDON).key == "2026-03-28/Night"
    assert current_shift(ROTA, utc(2026, 3, 29, 6, 59), LONDON).key == "2026-03-28/Night"
    assert current_shift(ROTA, utc(2026, 3, 29, 7), LONDON).key == "2026-03-29/Early"


def test_a_wall_time_in_the_spring_gap_resolves_to_the_jump():
    # 01:00 to 02:00 never happens on 29 March 2026: the clocks go from 01:00 GMT to 02:00 BST.
    assert local_instant(date(2026, 3, 29), time(0, 59), LONDON) == utc(2026, 3, 29, 0, 59)
    for wall in (time(1), time(1, 30), time(1, 59, 59), time(2)):
        assert local_instant(date(2026, 3, 29), wall, LONDON) == utc(2026, 3, 29, 1)
    assert local_instant(date(2026, 3, 29), time(2, 1), LONDON) == utc(2026, 3, 29, 1, 1)


def test_a_shift_starting_in_the_spring_gap_starts_at_two_in_the_morning():
    odd = ShiftDefinition("Odd", time(1, 30), time(9, 30))
    shift = occurrence(odd, date(2026, 3, 29), LONDON)
    assert shift.starts_at == utc(2026, 3, 29, 1)
    assert shift.starts_at.astimezone(LONDON).time() == time(2)
    assert shift.duration == 7 * HOUR + 30 * timedelta(minutes=1)


def test_a_repeated_wall_time_resolves_to_its_first_occurrence():
    assert local_instant(date(2026, 10, 25), time(1, 30), LONDON) == utc(2026, 10, 25, 0, 30)
    # A time marked as the second pass is still read as the first: the rule is the module's.
    assert local_instant(date(2026, 10, 25), time(1, 30, fold=1), LONDON) == utc(
        2026, 10, 25, 0, 30
    )
    odd = ShiftDefinition("Odd", time(1, 30), time(9, 30))
    shift = occurrence(odd, date(2026, 10, 25), LONDON)
    assert shift.starts_at == utc(2026, 10, 25, 0, 30)
    assert shift.duration == 9 * HOUR


def test_a_shift_wholly_inside_the_spring_gap_never_runs():
    lost = ShiftDefinition("Lost", time(1, 15), time(1, 45))
    shift = occurrence(lost, date(2026, 3, 29), LONDON)
    assert shift.duration == timedelta(0)
    assert not shift.contains(shift.starts_at)
    # It is skipped as the next shift and as the previous one: it neither starts nor hands over.
    assert next_shift([lost], utc(2026, 3, 29, 0, 30), LONDON).key == "2026-03-30/Lost"
    assert previous_shift([lost], utc(2026, 3, 29, 12), LONDON).key == "2026-03-28/Lost"


# --- Other zones ------------------------------------------------------------------------------


def test_new_york_changes_its_clocks_on_its_own_dates():
    # In 2026 New York goes forward on 8 March and back on 1 November, weeks apart from London.
    assert occurrence(NIGHT, date(2026, 3, 7), NEW_YORK).duration == 11 * HOUR
    assert occurrence(NIGHT, date(2026, 3, 7), LONDON).duration == 12 * HOUR
    assert occurrence(NIGHT, date(2026, 3, 28), NEW_YORK).duration == 12 * HOUR
    assert occurrence(NIGHT, date(2026, 10, 31), NEW_YORK).duration == 13 * HOUR
    assert occurrence(NIGHT, date(2026, 10, 24), NEW_YORK).duration == 12 * HOUR
    night = occurrence(NIGHT, date(2026, 3, 7), NEW_YORK)
    assert night.starts_at == utc(2026, 3, 8, 1)  # 20:00 EST
    assert night.ends_at == utc(2026, 3, 8, 12)  # 08:00 EDT


def test_new_york_gap_and_repeated_hour():
    # 02:00 to 03:00 is skipped on 8 March; 01:00 to 02:00 happens twice on 1 November.
    assert local_instant(date(2026, 3, 8), time(2, 30), NEW_YORK) == utc(2026, 3, 8, 7)
    assert local_instant(date(2026, 11, 1), time(1, 30), NEW_YORK) == utc(2026, 11, 1, 5, 30)
    assert current_shift(ROTA, utc(2026, 11, 1, 6, 30), NEW_YORK).key == "2026-10-31/Night"


def test_sydney_changes_its_clocks_the_other_way_round():
    # Southern hemisphere: back on 5 April 2026, forward on 4 October 2026.
    assert occurrence(NIGHT, date(2026, 4, 4), SYDNEY).duration == 13 * HOUR
    assert occurrence(NIGHT, date(2026, 10, 3), SYDNEY).duration == 11 * HOUR


def test_a_zone_that_skips_midnight_starts_the_night_at_the_jump():
    # Santiago goes from 00:00 -04 to 01:00 -03 on 6 September 2026: that midnight never happens.
    late, night = COVERING[1], COVERING[2]
    assert occurrence(night, date(2026, 9, 6), SANTIAGO).starts_at == utc(2026, 9, 6, 4)
    assert occurrence(night, date(2026, 9, 6), SANTIAGO).duration == 7 * HOUR
    assert occurrence(late, date(2026, 9, 5), SANTIAGO).ends_at == utc(2026, 9, 6, 4)
    assert current_shift(COVERING, utc(2026, 9, 6, 4), SANTIAGO).key == "2026-09-06/Night"


# --- Properties -------------------------------------------------------------------------------

ZONES = st.sampled_from(
    [LONDON, NEW_YORK, SYDNEY, SANTIAGO, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")]
)
INSTANTS = st.datetimes(
    min_value=datetime(2026, 1, 1),
    max_value=datetime(2027, 12, 31, 23, 59, 59),
    timezones=st.just(UTC),
)


@settings(max_examples=300, database=None)
@given(now=INSTANTS, zone=ZONES)
def test_covering_shifts_always_have_a_current_shift_that_contains_now(now, zone):
    current = current_shift(COVERING, now, zone)
    assert current is not None
    assert current.contains(now)
    following = next_shift(COVERING, now, zone)
    before = previous_shift(COVERING, now, zone)
    assert following is not None and before is not None
    for shift in (current, following, before):
        assert shift.ends_at > shift.starts_at
    # The shifts are back to back, so each hands over at the instant the next begins.
    assert before.ends_at == current.starts_at <= now < current.ends_at == following.starts_at


@settings(max_examples=300, database=None)
@given(
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    wall=st.times(),
    zone=ZONES,
)
def test_a_wall_time_resolves_to_its_first_instant_or_to_the_end_of_the_gap(day, wall, zone):
    instant = local_instant(day, wall, zone)
    assert instant.tzinfo is UTC
    wanted = datetime.combine(day, wall)
    seen = instant.astimezone(zone)
    if seen.replace(tzinfo=None) == wanted:
        assert seen.fold == 0  # the first of two, if the wall time happens twice
    else:
        # A skipped wall time: the clocks jumped over it exactly at this instant.
        just_before = (instant - TICK).astimezone(zone).replace(tzinfo=None)
        assert just_before < wanted < seen.replace(tzinfo=None)


# --- Problems for the admin form --------------------------------------------------------------


def test_a_sound_rota_has_no_problems():
    assert shift_problems(ROTA) == []
    assert shift_problems([]) == []


def test_overlapping_shifts_are_allowed():
    overlapping = [EARLY, ShiftDefinition("Middle", time(12), time(20)), NIGHT]
    assert shift_problems(overlapping) == []


def test_duplicate_names_are_reported_without_regard_to_case():
    shifts = [EARLY, ShiftDefinition("early", time(9), time(17)), NIGHT]
    assert shift_problems(shifts) == ["Two shifts are called Early."]
    three = [
        NIGHT,
        ShiftDefinition("NIGHT", time(21), time(9)),
        ShiftDefinition(" night ", time(22), time(6)),
    ]
    assert shift_problems(three) == ["Three shifts are called Night."]


def test_empty_names_are_reported_by_position():
    shifts = [
        EARLY,
        ShiftDefinition("", time(16), time(20)),
        ShiftDefinition("   ", time(20), time(8)),
    ]
    assert shift_problems(shifts) == ["Shift 2 has no name.", "Shift 3 has no name."]


def test_at_most_twelve_shifts():
    twelve = [ShiftDefinition(f"Shift {n}", time(n), time(n + 1)) for n in range(12)]
    assert shift_problems(twelve) == []
    thirteen = [*twelve, ShiftDefinition("Extra", time(20), time(21))]
    assert shift_problems(thirteen) == ["A site can have at most 12 shifts; this one has 13."]
