"""Named shifts in a site's local time, turned into concrete UTC occurrences across DST changes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from sitesys.clock import local_instant

MAX_SHIFTS = 12

_ONE_DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_COUNT_WORDS = {
    2: _l("Two"), 3: _l("Three"), 4: _l("Four"), 5: _l("Five"), 6: _l("Six"), 7: _l("Seven"),
    8: _l("Eight"), 9: _l("Nine"), 10: _l("Ten"), 11: _l("Eleven"), 12: _l("Twelve"),
}  # fmt: skip


@dataclass(frozen=True)
class ShiftDefinition:
    """A named shift by local wall-clock times; an end at or before the start falls next day."""

    name: str
    start: time
    end: time
    id: int | None = None

    def __post_init__(self) -> None:
        # The times are read in the site's zone; a time carrying its own zone would be ambiguous.
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("Shift start and end are local wall times and must not carry a zone.")

    @property
    def crosses_midnight(self) -> bool:
        """True when the shift ends on the next local day (a 24-hour shift included)."""
        return self.end <= self.start


@dataclass(frozen=True)
class ShiftOccurrence:
    """One shift on one site-local date, with its real start and end instants in UTC."""

    definition: ShiftDefinition
    local_date: date
    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        # Held in UTC so that subtraction and comparison measure elapsed time: arithmetic between
        # datetimes sharing one ZoneInfo works on wall clocks and would ignore a DST change.
        for field in ("starts_at", "ends_at"):
            value: datetime = getattr(self, field)
            _require_aware(value, field)
            object.__setattr__(self, field, value.astimezone(UTC))
        if self.ends_at < self.starts_at:
            raise ValueError("A shift occurrence cannot end before it starts.")

    @property
    def duration(self) -> timedelta:
        """Elapsed time, not wall-clock: a 20:00-08:00 night lasts 11 or 13 hours across DST."""
        return self.ends_at - self.starts_at

    def contains(self, instant: datetime) -> bool:
        """Whether the instant falls in the shift: start inclusive, end exclusive."""
        _require_aware(instant, "instant")
        moment = instant.astimezone(UTC)
        return self.starts_at <= moment < self.ends_at

    @property
    def key(self) -> str:
        """Stable identifier such as "2026-03-28/Night", for idempotent scheduled jobs."""
        return f"{self.local_date.isoformat()}/{self.definition.name}"


def occurrence(definition: ShiftDefinition, local_date: date, zone: ZoneInfo) -> ShiftOccurrence:
    """The shift as it happens on the given site-local start date."""
    end_date = local_date + _ONE_DAY if definition.crosses_midnight else local_date
    # Each end is resolved on its own date, so a night across a DST change is 11 or 13 hours long.
    # A shift lying wholly in a spring gap resolves both ends to the jump and lasts no time at all.
    return ShiftOccurrence(
        definition=definition,
        local_date=local_date,
        starts_at=local_instant(local_date, definition.start, zone),
        ends_at=local_instant(end_date, definition.end, zone),
    )


def current_shift(
    definitions: Sequence[ShiftDefinition], now: datetime, zone: ZoneInfo
) -> ShiftOccurrence | None:
    """The shift running at `now`; of overlapping shifts, the one that started most recently."""
    moment, today = _utc_and_local_date(now, zone)
    # A shift ends at the latest on the day after it starts, so yesterday's and today's will do.
    running = [
        (-(shift.starts_at - _EPOCH), position, shift)
        for position, shift in _occurrences(definitions, today - _ONE_DAY, today, zone)
        if shift.contains(moment)
    ]
    return _first(running)


def running_shifts(
    definitions: Sequence[ShiftDefinition], now: datetime, zone: ZoneInfo
) -> list[ShiftOccurrence]:
    """Every shift running at `now` (shifts may overlap), the earliest started first."""
    moment, today = _utc_and_local_date(now, zone)
    running = [
        (shift.starts_at - _EPOCH, position, shift)
        for position, shift in _occurrences(definitions, today - _ONE_DAY, today, zone)
        if shift.contains(moment)
    ]
    return [shift for *_, shift in sorted(running, key=lambda entry: entry[:2])]


def ended_shifts(
    definitions: Sequence[ShiftDefinition], now: datetime, zone: ZoneInfo, within: timedelta
) -> list[ShiftOccurrence]:
    """Every shift that ended at or before `now` and less than `within` ago (at most a day),
    the latest ended first.
    """
    if within > _ONE_DAY:
        raise ValueError("ended_shifts looks back at most one day.")
    moment, today = _utc_and_local_date(now, zone)
    ended = [
        (-(shift.ends_at - _EPOCH), position, shift)
        for position, shift in _occurrences(definitions, today - 2 * _ONE_DAY, today, zone)
        if _happens(shift) and moment - within < shift.ends_at <= moment
    ]
    return [shift for *_, shift in sorted(ended, key=lambda entry: entry[:2])]


def next_shift(
    definitions: Sequence[ShiftDefinition], now: datetime, zone: ZoneInfo
) -> ShiftOccurrence | None:
    """The earliest shift starting strictly after `now`, looking up to two days ahead."""
    moment, today = _utc_and_local_date(now, zone)
    coming = [
        (shift.starts_at - _EPOCH, position, shift)
        for position, shift in _occurrences(definitions, today, today + 2 * _ONE_DAY, zone)
        if shift.starts_at > moment and _happens(shift)
    ]
    return _first(coming)


def previous_shift(
    definitions: Sequence[ShiftDefinition], now: datetime, zone: ZoneInfo
) -> ShiftOccurrence | None:
    """The latest shift to have ended at or before `now`, looking up to two days back."""
    moment, today = _utc_and_local_date(now, zone)
    finished = [
        (-(shift.ends_at - _EPOCH), position, shift)
        for position, shift in _occurrences(definitions, today - 2 * _ONE_DAY, today, zone)
        if shift.ends_at <= moment and _happens(shift)
    ]
    return _first(finished)


def shift_problems(definitions: Sequence[ShiftDefinition]) -> list[str]:
    """Plain-English problems with a site's shifts for the admin form; overlaps are allowed."""
    problems: list[str] = []
    if len(definitions) > MAX_SHIFTS:
        problems.append(
            _(
                "A site can have at most %(most)s shifts; this one has %(count)s.",
                most=MAX_SHIFTS,
                count=len(definitions),
            )
        )
    named: dict[str, list[str]] = {}
    for position, definition in enumerate(definitions, start=1):
        name = definition.name.strip()
        if not name:
            problems.append(_("Shift %(position)s has no name.", position=position))
            continue
        # Names are compared without case: "Early" and "early" would read as one shift on a rota.
        named.setdefault(name.casefold(), []).append(name)
        if definition.start == definition.end:
            problems.append(
                _(
                    "%(name)s starts and ends at %(time)s: give it its end time.",
                    name=name,
                    time=definition.start.strftime("%H:%M"),
                )
            )
    for spellings in named.values():
        if len(spellings) > 1:
            count = str(_COUNT_WORDS.get(len(spellings), len(spellings)))
            problems.append(
                _("%(count)s shifts are called %(name)s.", count=count, name=spellings[0])
            )
    return problems


def _require_aware(value: datetime, label: str) -> None:
    """Refuse a naive datetime, which could be local or UTC and so names no single instant."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{label} is a naive datetime; give a timezone-aware one (UTC).")


def _utc_and_local_date(now: datetime, zone: ZoneInfo) -> tuple[datetime, date]:
    """An aware instant in UTC, and the site-local calendar date it falls on."""
    _require_aware(now, "now")
    return now.astimezone(UTC), now.astimezone(zone).date()


def _happens(shift: ShiftOccurrence) -> bool:
    """False for a shift wholly inside a spring gap: it never runs, so it never starts or ends."""
    return shift.ends_at > shift.starts_at


def _occurrences(
    definitions: Sequence[ShiftDefinition], first: date, last: date, zone: ZoneInfo
) -> Iterator[tuple[int, ShiftOccurrence]]:
    """Each definition's position in the list and its occurrences starting from first to last."""
    day = first
    while day <= last:
        for position, definition in enumerate(definitions):
            yield position, occurrence(definition, day, zone)
        day += _ONE_DAY


def _first(ranked: list[tuple[timedelta, int, ShiftOccurrence]]) -> ShiftOccurrence | None:
    """The shift with the lowest rank; on a tie, the one whose definition is listed first."""
    if not ranked:
        return None
    return min(ranked, key=lambda entry: entry[:2])[2]
