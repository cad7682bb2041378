"""A tally: what a site (or several, added) did over a period, before it becomes figures."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


def _seconds(later: datetime, earlier: datetime) -> int:
    """Whole seconds from one instant to another (times are counted to the second, so that
    figures read from the daily aggregates and from the records agree exactly).
    """
    return int((later - earlier).total_seconds())


@dataclass
class Tally:
    """What one site (or several, added) did over a period, before it becomes figures."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: The rows of each breakdown, in order (the fixed ones, then substances and days seen).
    rows: dict[str, list[str]] = field(default_factory=dict)
    #: Whole seconds of each timed case: "naloxone", "overdue_answer", "booth_wait".
    seconds: dict[str, list[int]] = field(default_factory=dict)
    naloxone_mg: Decimal = Decimal(0)
    booth_seconds_used: int = 0
    booth_seconds_open: int = 0

    def add(self, key: str, row: str = "", count: int = 1) -> None:
        self.counts[(key, row)] += count

    def __add__(self, other: Tally) -> Tally:
        rows = {key: list(values) for key, values in self.rows.items()}
        for key, names in other.rows.items():
            known = rows.setdefault(key, [])
            known += [name for name in names if name not in known]
        seconds = {key: list(cases) for key, cases in self.seconds.items()}
        for key, cases in other.seconds.items():
            seconds.setdefault(key, []).extend(cases)
        return Tally(
            counts=self.counts + other.counts,
            rows=rows,
            seconds=seconds,
            naloxone_mg=self.naloxone_mg + other.naloxone_mg,
            booth_seconds_used=self.booth_seconds_used + other.booth_seconds_used,
            booth_seconds_open=self.booth_seconds_open + other.booth_seconds_open,
        )
