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
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
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


#: strftime's codes as Unicode (CLDR) date patterns, for the language a date is written in.
_CLDR_CODES = {
    "%d": "dd",
    "%-d": "d",
    "%m": "MM",
    "%b": "MMM",
    "%B": "MMMM",
    "%a": "EEE",
    "%A": "EEEE",
    "%y": "yy",
    "%Y": "y",
    "%H": "HH",
    "%M": "mm",
    "%S": "ss",
}
_STRFTIME_CODE = re.compile(r"(%-?[a-zA-Z])")


def _cldr_pattern(fmt: str) -> str:
    pieces = []
    for piece in _STRFTIME_CODE.split(fmt):
        if piece in _CLDR_CODES:
            pieces.append(_CLDR_CODES[piece])
        elif re.search(r"[A-Za-z']", piece):
            pieces.append("'" + piece.replace("'", "''") + "'")
        else:
            pieces.append(piece)
    return "".join(pieces)


def written(value: date | datetime, fmt: str) -> str:
    """A date or time written with strftime's `fmt` in the request's language: "6 Dec 2026" in
    English (exactly as strftime writes it), "6 déc. 2026" in French. Outside a request, and in
    English, it is strftime's own.
    """
    locale = get_locale()
    if locale is None or locale.language == "en":
        return value.strftime(fmt)
    pattern = _cldr_pattern(fmt)
    if isinstance(value, datetime):
        return str(format_datetime(value, pattern, tzinfo=value.tzinfo, locale=locale))
    return str(format_date(value, pattern, locale=locale))
