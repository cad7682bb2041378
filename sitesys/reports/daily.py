"""Daily figures per site: written once a day is over, re-written when an older day changes,
and read by reports in place of the visits (today, and any day not yet kept, is counted live).

What is kept is what comes from the visits (`visits.visit_tally`), the part that grows with a
busy site's history; clients (distinct over a whole period), incidents, checks, drug checks and
handovers are few and counted from their records for the period asked. The kept figures and a
direct count agree exactly (`tests/reports/test_daily.py`): times are kept in tenths of a
minute, as the direct count takes them.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sitesys.audit.models import AuditEvent
from sitesys.checkin.models import Visit, is_open_visit
from sitesys.clock import day_start, local_date, utcnow
from sitesys.reports.models import AggregatedDay, DailyFigure
from sitesys.reports.tally import Tally
from sitesys.reports.visits import booths_in_service, visit_tally
from sitesys.sites.models import Site

_TENTHS = "~tenths:"
_USED = "~booth_seconds_used"
_OPEN = "~booth_seconds_open"
#: A job run keeps at most this many new days per site (the rebuild command does any number).
DAYS_PER_RUN = 31


def tally_rows(tally: Tally) -> Counter[tuple[str, str]]:
    """A visit tally as (key, row) → value rows, as they are kept."""
    rows: Counter[tuple[str, str]] = Counter(
        {cell: value for cell, value in tally.counts.items() if value}
    )
    for sample, cases in tally.times.items():
        for tenths, count in cases.items():
            rows[(_TENTHS + sample, str(tenths))] += count
    if tally.booth_seconds_used:
        rows[(_USED, "")] = tally.booth_seconds_used
    if tally.booth_seconds_open:
        rows[(_OPEN, "")] = tally.booth_seconds_open
    return rows


def rows_tally(rows: Iterable[tuple[str, str, int]]) -> Tally:
    tally = Tally()
    for key, row, summed in rows:
        value = int(summed)  # PostgreSQL sums a BIGINT as a NUMERIC
        if key.startswith(_TENTHS):
            tally.time(key.removeprefix(_TENTHS), int(row), value)
        elif key == _USED:
            tally.booth_seconds_used += value
        elif key == _OPEN:
            tally.booth_seconds_open += value
        else:
            tally.add(key, row, value)
    return tally


def aggregate_day(session: Session, site: Site, day: date, booths: int | None = None) -> None:
    """Count one local day of a site from its visits and keep it (replacing what was kept)."""
    if booths is None:
        booths = booths_in_service(session, site)
    start, end = day_start(day, site.zone), day_start(day + timedelta(days=1), site.zone)
    rows = tally_rows(visit_tally(session, site, start, end, booths))
    session.execute(
        delete(DailyFigure).where(DailyFigure.site_id == site.id, DailyFigure.day == day)
    )
    session.execute(
        delete(AggregatedDay).where(AggregatedDay.site_id == site.id, AggregatedDay.day == day)
    )
    session.add_all(
        DailyFigure(site_id=site.id, day=day, key=key, row=row, value=value)
        for (key, row), value in rows.items()
    )
    session.add(AggregatedDay(site_id=site.id, day=day, aggregated_at=utcnow()))
    session.flush()


def rebuild(session: Session, site: Site, first: date, last: date) -> int:
    """Count and keep every day from `first` to `last` (idempotent); days not over yet are
    left to be counted live. Returns the days kept.
    """
    today = local_date(utcnow(), site.zone)
    booths = booths_in_service(session, site)
    kept = 0
    day = first
    while day <= last and day < today:
        aggregate_day(session, site, day, booths)
        kept += 1
        day += timedelta(days=1)
    return kept


def _kept_days(session: Session, site: Site, first: date, last: date) -> set[date]:
    return _kept_days_by_site(session, [site], first, last)[site.id]


def _kept_days_by_site(
    session: Session, sites: Sequence[Site], first: date, last: date
) -> dict[int, set[date]]:
    kept: dict[int, set[date]] = {site.id: set() for site in sites}
    for site_id, day in session.execute(
        select(AggregatedDay.site_id, AggregatedDay.day).where(
            AggregatedDay.site_id.in_(kept),
            AggregatedDay.day >= first,
            AggregatedDay.day <= last,
        )
    ):
        kept[site_id].add(day)
    return kept


def _runs_not_kept(first: date, last: date, kept: set[date]) -> list[tuple[date, date]]:
    """The runs of days from `first` to `last` not kept (today, days not yet counted)."""
    runs = []
    day = first
    while day <= last:
        if day in kept:
            day += timedelta(days=1)
            continue
        run_end = day
        while run_end + timedelta(days=1) <= last and run_end + timedelta(days=1) not in kept:
            run_end += timedelta(days=1)
        runs.append((day, run_end))
        day = run_end + timedelta(days=1)
    return runs


def daily_visits(session: Session, site: Site, first: date, last: date) -> Tally:
    return daily_visits_by_site(session, [site], first, last)[site.id]


def daily_visits_by_site(
    session: Session, sites: Sequence[Site], first: date, last: date
) -> dict[int, Tally]:
    """The visit figures of local days `first` to `last` for each site: kept days read from
    their rows (every site's in one statement), the others (today, days not yet kept) counted
    from the visits.
    """
    kept = _kept_days_by_site(session, sites, first, last)
    rows: dict[int, list[tuple[str, str, int]]] = {site.id: [] for site in sites}
    for site_id, key, row, summed in session.execute(
        select(DailyFigure.site_id, DailyFigure.key, DailyFigure.row, func.sum(DailyFigure.value))
        .where(
            DailyFigure.site_id.in_(rows),
            DailyFigure.day >= first,
            DailyFigure.day <= last,
        )
        .group_by(DailyFigure.site_id, DailyFigure.key, DailyFigure.row)
    ):
        rows[site_id].append((key, row, summed))
    tallies = {}
    for site in sites:
        tally = rows_tally(rows[site.id])
        runs = _runs_not_kept(first, last, kept[site.id])
        if runs:
            booths = booths_in_service(session, site)
            for run_first, run_last in runs:
                start = day_start(run_first, site.zone)
                end = day_start(run_last + timedelta(days=1), site.zone)
                tally = tally + visit_tally(session, site, start, end, booths)
        tallies[site.id] = tally
    return tallies


def changed_days(session: Session, site: Site, today: date) -> set[date]:
    """Kept days whose visits changed after they were kept (a service recorded late, a visit
    closed by the end-of-day job), read from the visits' audit events since the last count.
    """
    since = session.scalar(
        select(func.max(AggregatedDay.aggregated_at)).where(AggregatedDay.site_id == site.id)
    )
    if since is None:
        return set()
    ids = {
        uuid.UUID(record_id)
        for record_id in session.scalars(
            select(AuditEvent.record_id)
            .where(
                AuditEvent.site_id == site.id,
                AuditEvent.record_type == "visit",
                AuditEvent.occurred_at > since,
            )
            .distinct()
        )
        if record_id
    }
    if not ids:
        return set()
    found = session.scalars(select(Visit.checked_in_at).where(Visit.id.in_(ids))).all()
    days = {local_date(instant, site.zone) for instant in found}
    kept = _kept_days(session, site, min(days, default=today), today)
    return {day for day in days if day in kept and day < today}


def open_from(session: Session, site: Site) -> date | None:
    """The first local day with a visit still open (days from it on are not over yet)."""
    opened = session.scalar(
        select(func.min(Visit.checked_in_at)).where(Visit.site_id == site.id, is_open_visit())
    )
    return None if opened is None else local_date(opened, site.zone)


def visits_by_month(
    session: Session, sites: Sequence[Site], months: Sequence[tuple[date, date]]
) -> list[int]:
    """Visits of the sites checked in on each run of local days `(first, last)` (the
    twelve-month trend's months, in order): kept days from their figures, read once for every
    site and the whole span; the days not kept (today, days not yet counted) counted from the
    visits.
    """
    if not months:
        return []
    span_first, span_last = months[0][0], months[-1][1]
    kept = _kept_days_by_site(session, sites, span_first, span_last)
    per_day = session.execute(
        select(DailyFigure.day, DailyFigure.value).where(
            DailyFigure.site_id.in_(kept),
            DailyFigure.day >= span_first,
            DailyFigure.day <= span_last,
            DailyFigure.key == "visits_total",
        )
    ).all()
    totals = []
    for first, last in months:
        total = sum(value for day, value in per_day if first <= day <= last)
        for site in sites:
            for run_first, run_last in _runs_not_kept(first, last, kept[site.id]):
                total += int(
                    session.scalar(
                        select(func.count())
                        .select_from(Visit)
                        .where(
                            Visit.site_id == site.id,
                            Visit.checked_in_at >= day_start(run_first, site.zone),
                            Visit.checked_in_at
                            < day_start(run_last + timedelta(days=1), site.zone),
                        )
                    )
                    or 0
                )
        totals.append(total)
    return totals
