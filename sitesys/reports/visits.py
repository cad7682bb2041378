"""The figures that come from a site's visits over a run of instants: the bulk of a report, and
the part kept per site and day (`daily.py`), so that a month of a busy site is read as thirty
rows per figure rather than thirty thousand visits.

Substances are kept by pick-list code (`SUBSTANCE_CODES`) and named when a report is drawn, so
a label renamed later names every month alike.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from sitesys.checkin.models import (
    Route,
    ServiceGiven,
    Visit,
    VisitKind,
    VisitService,
    VisitSubstance,
)
from sitesys.clock import utcnow
from sitesys.reports import N_
from sitesys.reports.tally import Tally, _seconds, _tenths
from sitesys.sites.models import Booth, Site
from sitesys.source_language import source_language

#: Visits naming each substance, by pick-list code (named by `figures.name_substances`).
SUBSTANCE_CODES = "visits_by_substance_code"
#: Weekdays as breakdown rows name them (English keys; the page translates them).
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def hour_label(weekday: int, hour: int) -> str:
    return f"{WEEKDAYS[weekday]} {hour:02d}"


def booths_in_service(session: Session, site: Site) -> int:
    """The site's booths not retired: occupancy's denominator (per day open)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Booth)
            .where(Booth.site_id == site.id, Booth.is_retired.is_(False))
        )
        or 0
    )


def visit_tally(session: Session, site: Site, start: datetime, end: datetime, booths: int) -> Tally:
    """The visit figures of the visits checked in from `start` (included) to `end`."""
    # Rows are keyed by their English words, whoever asks and from wherever (a job, a command).
    with source_language():
        return _visit_tally(session, site, start, end, booths)


def _visit_tally(
    session: Session, site: Site, start: datetime, end: datetime, booths: int
) -> Tally:
    tally = Tally()
    _visits(session, site, start, end, booths, tally)
    _substances_and_services(session, site, start, end, tally)
    return tally


def _visits(
    session: Session, site: Site, start: datetime, end: datetime, booths: int, tally: Tally
) -> None:
    rows = session.execute(
        select(
            Visit.client_id,
            Visit.kind,
            Visit.route,
            Visit.checked_in_at,
            Visit.booth_entered_at,
            Visit.aftercare_at,
            Visit.left_at,
        ).where(Visit.site_id == site.id, Visit.checked_in_at >= start, Visit.checked_in_at < end)
    ).all()
    zone = site.zone
    now = min(utcnow(), end)
    days: dict[date, tuple[datetime, datetime]] = {}
    for client_id, kind, route, checked_in_at, entered, aftercare, left in rows:
        tally.add("visits_total")
        if kind is VisitKind.SERVICES_ONLY:
            tally.add("visits_services_only")
        else:
            tally.add("visits_consumption")
        if client_id is None:
            tally.add("visits_walk_in")
        if route is not None:
            tally.add("visits_by_route", Route(route).label)
        local = checked_in_at.astimezone(zone)
        tally.add("visits_by_day", local.date().isoformat())
        tally.add("visits_by_hour", hour_label(local.weekday(), local.hour))
        ended = left or now
        if entered is not None:
            tally.add("booth_visits")
            tally.time("booth_wait", _tenths(entered, checked_in_at))
            out = aftercare or left or now
            tally.booth_seconds_used += max(0, _seconds(out, entered))
        opened, closed = days.get(local.date(), (checked_in_at, ended))
        days[local.date()] = (min(opened, checked_in_at), max(closed, ended))
    tally.booth_seconds_open = booths * sum(_seconds(b, a) for a, b in days.values())
    tally.counts[("visits_services_only", "")] += 0  # a fixed row, counted when none
    tally.add("clients_new", count=_first_visits(session, site, start, end))


def _first_visits(session: Session, site: Site, start: datetime, end: datetime) -> int:
    """Visits that were their client's first: each client has one, so the new clients of any
    run of days add up from its days (kept with them), and a report never looks back through a
    client's history. A client's first visit is read by client (ix_visits_client_checked_in_at).
    """
    earlier = aliased(Visit)
    first_of_client = (
        select(func.min(earlier.checked_in_at))
        .where(earlier.client_id == Visit.client_id)
        .scalar_subquery()
    )
    return int(
        session.scalar(
            select(func.count())
            .select_from(Visit)
            .where(
                Visit.site_id == site.id,
                Visit.checked_in_at >= start,
                Visit.checked_in_at < end,
                Visit.client_id.is_not(None),
                Visit.checked_in_at == first_of_client,
            )
        )
        or 0
    )


def _substances_and_services(
    session: Session, site: Site, start: datetime, end: datetime, tally: Tally
) -> None:
    in_period = (Visit.site_id == site.id, Visit.checked_in_at >= start, Visit.checked_in_at < end)
    counted = session.execute(
        select(VisitSubstance.code, func.count())
        .join(Visit, Visit.id == VisitSubstance.visit_id)
        .where(*in_period)
        .group_by(VisitSubstance.code)
    ).all()
    for code, count in counted:
        tally.add(SUBSTANCE_CODES, code, int(count))
    services = session.execute(
        select(VisitService.service, func.count())
        .join(Visit, Visit.id == VisitService.visit_id)
        .where(*in_period)
        .group_by(VisitService.service)
    ).all()
    for service, count in services:
        tally.add("services_given", ServiceGiven(service).label, int(count))
