"""Time in one place: the instant now, and a site's local days and wall-clock times.

Every record is stamped in UTC (`utcnow`). A site sees its own time zone: a day at a site is
from its local midnight to the next, which is 23 or 25 hours long when the clocks change, and a
wall time in the spring gap does not exist. Reports, filters, shifts and typed times all turn
local dates and times into instants here, so the rules for the clock change live once. Tests
move "now" with time-machine, which `utcnow` follows.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, match_skeleton
from flask_babel import get_locale


def utcnow() -> datetime:
    """The current time, UTC-aware: the only clock SiteSys stamps records with."""
    return datetime.now(UTC)


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The site's calendar date at an instant."""
    return instant.astimezone(zone).date()


def local_instant(local_day: date, wall: time, zone: ZoneInfo) -> datetime:
    """UTC instant of a local wall time: skipped moves to the jump, repeated takes the first."""
    if wall.tzinfo is not None:
        raise ValueError("A wall time must not carry a zone; the site's zone is given separately.")
    # fold=0 picks the first of two instants when the clocks go back and the wall time repeats.
    naive = datetime.combine(local_day, wall).replace(fold=0)
    candidate = naive.replace(tzinfo=zone).astimezone(UTC)
    # A wall time that exists comes back unchanged; one in the spring gap does not.
    if candidate.astimezone(zone).replace(tzinfo=None) == naive:
        return candidate
    return _end_of_gap(naive, zone)


def _end_of_gap(naive: datetime, zone: ZoneInfo) -> datetime:
    """The instant the clocks jump forward across the gap holding a wall time that never happens."""
    # For a skipped wall time, fold=0 reads it with the offset before the jump and fold=1 with the
    # offset after it; the two readings fall either side of the jump itself.
    readings = (naive.replace(tzinfo=zone, fold=fold).astimezone(UTC) for fold in (0, 1))
    earlier, later = sorted(readings)
    after_jump = later.astimezone(zone).utcoffset()
    # zoneinfo does not expose its transitions, so search for the jump; tzdata transitions fall on
    # whole seconds, and a gap is at most a day, so this takes fewer than twenty steps.
    low, high = math.floor(earlier.timestamp()), math.ceil(later.timestamp())
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == after_jump:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)


def day_start(local_day: date, zone: ZoneInfo) -> datetime:
    """The instant a site's local day begins (its midnight, or the first moment after it)."""
    return local_instant(local_day, time(0), zone)


def day_bounds(
    first: date | None, last: date | None, zone: ZoneInfo
) -> tuple[datetime | None, datetime | None]:
    """The instants [start, end) covering local days `first` to `last` inclusive; either end
    may be open (None), as a filter with only a "from" or a "to" date is.
    """
    start = day_start(first, zone) if first is not None else None
    end = day_start(last + timedelta(days=1), zone) if last is not None else None
    return start, end


def nearest_instant(wall: time, zone: ZoneInfo, now: datetime) -> datetime:
    """A wall-clock time typed at a site, as the instant with that time nearest to `now`.

    At 00:05, "23:50" is yesterday's; at 12:00, "12:05" is five minutes ahead rather than
    yesterday's; at 23:58, "00:02" is tomorrow's. Whoever asked then judges the instant.
    """
    today = local_date(now, zone)
    # Compared in UTC: aware datetimes sharing a zone compare by their wall clocks, which is
    # wrong across a change to or from summer time.
    candidates = (
        datetime.combine(today + timedelta(days=days), wall, tzinfo=zone).astimezone(UTC)
        for days in (-1, 0, 1)
    )
    return min(candidates, key=lambda candidate: abs(candidate - now))


#: strftime's codes, as the skeleton letters (CLDR) that let each language order and spell a
#: date its own way: "%d %b %Y %H:%M" is "6 déc. 2026, 14 h 30" in fr_CA.
_SKELETON = {
    "%d": "d",
    "%-d": "d",
    "%m": "M",
    "%b": "MMM",
    "%B": "MMMM",
    "%a": "E",
    "%A": "EEEE",
    "%y": "yy",
    "%Y": "y",
    "%H": "H",
    "%M": "m",
    "%S": "s",
}
_STRFTIME_CODE = re.compile(r"%-?[a-zA-Z]")
_TIME_FIELDS = frozenset("Hms")


@lru_cache(maxsize=512)
def _patterns(locale_code: str, fmt: str) -> tuple[str, ...]:
    """The Babel patterns that write `fmt`'s fields in a language: (pattern,) for a date or a
    time alone, or (date pattern, time pattern, the language's glue between them).
    """
    locale = Locale.parse(locale_code)
    skeleton = "".join(_SKELETON[code] for code in _STRFTIME_CODE.findall(fmt))
    day = "".join(c for c in skeleton if c not in _TIME_FIELDS)
    clock = "".join(c for c in skeleton if c in _TIME_FIELDS)

    def best(part: str) -> str:
        found = match_skeleton(part, locale.datetime_skeletons) or part
        return str(locale.datetime_skeletons[found].pattern)

    if day and clock:
        glue = str(locale.datetime_formats["medium"]).replace("'", "")
        return (best(day), best(clock), glue)
    return (best(day or clock),)


def written(value: date | datetime, fmt: str) -> str:
    """A date or time (already in the site's zone) written with strftime's `fmt` in the
    request's language: "6 Dec 2026 14:30" in English, exactly as strftime writes it; in
    another language its own order, words and punctuation for the same fields (fr_CA:
    "6 déc. 2026, 14 h 30"). Outside a request it is strftime's own.
    """
    locale = get_locale()
    if locale is None or locale.language == "en":
        return value.strftime(fmt)
    patterns = _patterns(str(locale), fmt)
    if not isinstance(value, datetime):
        return str(format_date(value, patterns[0], locale=locale))
    if len(patterns) == 1:
        return str(format_datetime(value, patterns[0], tzinfo=value.tzinfo, locale=locale))
    day, clock, glue = patterns
    return glue.replace(
        "{1}", str(format_datetime(value, day, tzinfo=value.tzinfo, locale=locale))
    ).replace("{0}", str(format_datetime(value, clock, tzinfo=value.tzinfo, locale=locale)))
