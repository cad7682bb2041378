"""The reports' scheduled job: keep each site's daily figures once its days are over."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.checkin.models import Visit
from sitesys.clock import local_date, utcnow
from sitesys.reports.daily import DAYS_PER_RUN, aggregate_day, changed_days, open_from
from sitesys.reports.models import AggregatedDay
from sitesys.reports.visits import booths_in_service
from sitesys.sites.models import Site


def keep_daily_figures(session: Session) -> int:
    """The scheduled job: for each open site, keep the days that are over (up to yesterday, and
    not while a visit of the day is still open, so after the end-of-day job), at most
    DAYS_PER_RUN new days a run, and count again the kept days whose visits changed. A second
    run does nothing.
    """
    done = 0
    for site in session.scalars(select(Site).where(Site.is_active.is_(True)).order_by(Site.id)):
        today = local_date(utcnow(), site.zone)
        changed = changed_days(session, site, today)
        last_kept = session.scalar(
            select(func.max(AggregatedDay.day)).where(AggregatedDay.site_id == site.id)
        )
        if last_kept is not None:
            first = last_kept + timedelta(days=1)
        else:
            earliest = session.scalar(
                select(func.min(Visit.checked_in_at)).where(Visit.site_id == site.id)
            )
            first = today if earliest is None else local_date(earliest, site.zone)
        stop = today - timedelta(days=1)
        still_open = open_from(session, site)
        if still_open is not None:
            stop = min(stop, still_open - timedelta(days=1))
        stop = min(stop, first + timedelta(days=DAYS_PER_RUN - 1))
        booths = booths_in_service(session, site)
        days = sorted(changed | {first + timedelta(days=n) for n in range((stop - first).days + 1)})
        for day in days:
            aggregate_day(session, site, day, booths)
        done += len(days)
    return done
