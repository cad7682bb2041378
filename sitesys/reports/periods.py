"""The periods a report covers: whole site-local days, as a month, a quarter, a year or a range."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

#: The longest custom range (a report reads every day of it).
MAX_DAYS = 3 * 366


class PeriodKind(enum.StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        return str(PERIOD_KIND_LABELS[self.value])


#: The kinds of period in words (lazy: the form's choices are made at import time).
PERIOD_KIND_LABELS = {
    "month": _l("A month"),
    "quarter": _l("A quarter"),
    "year": _l("A year"),
    "custom": _l("From one date to another"),
}


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    kind: PeriodKind = PeriodKind.CUSTOM

    @property
    def label(self) -> str:
        text: str
        if self.kind is PeriodKind.MONTH:
            # The month's name in the reader's language ("December 2026" in English); outside a
            # request (a command, a job) in English.
            locale = get_locale()
            if locale is None or locale.language == "en":
                return self.first.strftime("%B %Y")
            text = format_date(self.first, "MMMM y")
            return text
        if self.kind is PeriodKind.QUARTER:
            text = _(
                "Q%(quarter)s %(year)s",
                quarter=(self.first.month - 1) // 3 + 1,
                year=self.first.year,
            )
            return text
        if self.kind is PeriodKind.YEAR:
            return str(self.first.year)
        text = _(
            "%(first)s to %(last)s",
            first=self.first.strftime("%-d %b %Y"),
            last=self.last.strftime("%-d %b %Y"),
        )
        return text

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
    for _month in range(count):
        found.append(month(y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return found[::-1]
