"""A report: the figures of each chosen site and their total over a period, and what of them may
be published (small-cell suppression over every table a reader could add up).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from sitesys.reports.figures import Value, site_tallies, total, values
from sitesys.reports.indicators import INDICATORS, Indicator, Measure, indicator
from sitesys.reports.periods import Period
from sitesys.reports.suppression import DEFAULT_THRESHOLD, Mark, Table, suppress
from sitesys.reports.tally import Tally
from sitesys.sites.models import Site

TOTAL = "Total"

#: Single counts that add up to another (consumption + services-only = all visits).
SUM_GROUPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("visits_consumption", "visits_services_only"), "visits_total"),
    (("clients_new", "clients_returning"), "clients_unique"),
)

#: The cell of one figure: (column, indicator key, row).
Cell = tuple[str, str, str]


@dataclass
class Report:
    period: Period
    sites: list[Site]
    #: The site names, then "Total" when there are several.
    columns: list[str]
    figures: dict[str, dict[tuple[str, str], Value]]
    #: The rows of each breakdown, across the sites.
    rows: dict[str, list[str]]
    threshold: int = DEFAULT_THRESHOLD
    tallies: dict[str, Tally] = field(default_factory=dict)

    @property
    def is_network(self) -> bool:
        return len(self.sites) > 1

    def value(self, column: str, key: str, row: str = "") -> Value:
        return self.figures[column].get((key, row))

    def breakdown_rows(self, key: str) -> list[str]:
        return self.rows.get(key, [])


def threshold_of(sites: Sequence[Site]) -> int:
    """A network publishes under the strictest of its sites' thresholds."""
    return max((site.suppression_threshold for site in sites), default=DEFAULT_THRESHOLD)


def build_report(session: Session, sites: Sequence[Site], period: Period) -> Report:
    """Every figure of each site over the period, and their total when there are several."""
    by_site = site_tallies(session, sites, period.first, period.last)
    tallies = {site.name: by_site[site.id] for site in sites}
    columns = list(tallies)
    if len(sites) > 1:
        tallies[TOTAL] = total(tallies.values())
        columns.append(TOTAL)
    combined = tallies[columns[-1]]
    return Report(
        period=period,
        sites=list(sites),
        columns=columns,
        figures={column: values(tally) for column, tally in tallies.items()},
        rows=combined.rows,
        threshold=threshold_of(sites),
        tallies=tallies,
    )


def _tables(report: Report) -> list[Table]:
    """Every table a reader of the publication could add up: the sites down the side (with the
    network's total last), an indicator's rows across (with the figure they add up to last).
    """
    sites = report.columns
    network = report.is_network

    def grid(keys: list[tuple[str, str]], adds_up: bool) -> Table:
        return Table(
            cells=[[(column, key, row) for key, row in keys] for column in sites],
            row_totals=adds_up,
            column_totals=network,
        )

    tables = []
    grouped: set[str] = set()
    for parts, whole in SUM_GROUPS:
        tables.append(grid([(key, "") for key in (*parts, whole)], True))
        grouped.update((*parts, whole))
    for item in INDICATORS:
        if item.measure is not Measure.COUNT:
            continue
        if item.breakdown is None:
            if item.key not in grouped:
                tables.append(grid([(item.key, "")], False))
            continue
        keys = [(item.key, row) for row in report.breakdown_rows(item.key)]
        if item.adds_up_to is not None:
            keys.append((item.adds_up_to, ""))
        tables.append(grid(keys, item.adds_up_to is not None))
    return tables


def publication_marks(report: Report) -> dict[Cell, Mark]:
    """Which counts a publication shows, as "<threshold", or withholds to protect them."""
    counts: dict[Hashable, int] = {}
    for column in report.columns:
        for (key, row), value in report.figures[column].items():
            if indicator(key).measure is Measure.COUNT:
                counts[(column, key, row)] = int(value or 0)
    marks = suppress(_tables(report), counts, report.threshold)
    return {cell: mark for cell, mark in marks.items() if isinstance(cell, tuple)}


def derived_hidden(report: Report, marks: dict[Cell, Mark], column: str, item: Indicator) -> bool:
    """Whether a rate, amount or minutes figure is withheld from a publication: its count (or
    denominator) is hidden, or a median rests on fewer cases than the threshold.
    """
    if item.measure in (Measure.COUNT, Measure.PERCENT):
        return False
    for key in (item.of, item.per):
        if key is None:
            continue
        if marks.get((column, key, ""), Mark.SHOWN).hidden:
            return True
        cases = int(report.value(column, key) or 0)
        if item.measure is Measure.MINUTES and cases < report.threshold:
            return True
    return False
