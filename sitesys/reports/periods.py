"""The periods a report covers: whole site-local days, as a month, a quarter, a year or a range."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

#: The longest custom range (a report reads every day of it).
MAX_DAYS = 3 * 366


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return {
            "month": "A month",
            "quarter": "A quarter",
            "year": "A year",
            "custom": "From one date to another",
        }[self.value]


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    kind: PeriodKind = PeriodKind.CUSTOM

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return self.first.strftime("%B %Y")
        if self.kind is PeriodKind.QUARTER:
            return f"Q{(self.first.month - 1) // 3 + 1} {self.first.year}"
        if self.kind is PeriodKind.YEAR:
            return str(self.first.year)
        return f"{self.first:%-d %b %Y} to {self.last:%-d %b %Y}"

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def slug(self) -> str:
        """The period in a file name: 2026-03-01_2026-03-31."""
        return f"{self.first.isoformat()}_{self.last.isoformat()}"


def month(year: int, number: int) -> Period:
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return Period(first, following - timedelta(days=1), PeriodKind.MONTH)


def quarter(year: int, number: int) -> Period:
    first = month(year, 3 * number - 2).first
    return Period(first, month(year, 3 * number).last, PeriodKind.QUARTER)


def year(number: int) -> Period:
    return Period(date(number, 1, 1), date(number, 12, 31), PeriodKind.YEAR)


def last_full_month(today: date) -> Period:
    previous = today.replace(day=1) - timedelta(days=1)
    return month(previous.year, previous.month)


def months_to(period: Period, count: int = 12) -> list[Period]:
    """The `count` calendar months ending with the one `period` ends in, oldest first."""
    found = []
    y, m = period.last.year, period.last.month
    for _ in range(count):
        found.append(month(y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return found[::-1]
