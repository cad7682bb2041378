"""The overdue-check alert job: raised at twice the interval, closed by the next check."""

from __future__ import annotations

import logging
import uuid
from functools import partial

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.checkin.models import OPEN_STATUSES, Visit, VisitKind
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.observations.checks import check_interval, clock_start, overdue_at
from sitesys.observations.latest import latest_observations
from sitesys.observations.models import OverdueAlert
from sitesys.sites.models import Site

log = logging.getLogger(__name__)
#: Waiting visits too: one a nurse put on close watch is checked on its clock (check_interval).
CHECKED_PHASES = OPEN_STATUSES


def raise_overdue_alerts(session: Session) -> int:
    """Raise one alert per visit past twice its interval unchecked; close alerts of visits that
    left. Selects only what is due and not yet raised, so a second run (or a second scheduler)
    raises nothing more; the partial unique index settles a true race (`add_once`).
    """
    now = utcnow()
    raised = 0
    for site in session.scalars(select(Site).where(Site.is_active.is_(True)).order_by(Site.id)):
        visits = list(
            session.scalars(
                select(Visit).where(
                    Visit.site_id == site.id,
                    Visit.status.in_(CHECKED_PHASES),
                    # Nobody uses on a services-only visit: no observation checks fall due.
                    Visit.kind == VisitKind.CONSUMPTION,
                    ~exists().where(
                        OverdueAlert.visit_id == Visit.id, OverdueAlert.closed_at.is_(None)
                    ),
                )
            )
        )
        if not visits:
            continue
        latest = latest_observations(session, [visit.id for visit in visits])
        for visit in visits:
            interval = check_interval(site, visit.status, latest.close_watch(visit.id))
            if interval is None:
                continue
            since = clock_start(visit.checks_from, latest.last_checked_at.get(visit.id))
            overdue_since = overdue_at(since, interval)
            if now < overdue_since:
                continue
            alert = OverdueAlert(
                site_id=site.id, visit_id=visit.id, overdue_since=overdue_since, raised_at=now
            )
            stored = add_once(session, alert, partial(_open_alert, session, visit.id))
            if stored is not alert:
                log.info("overdue alert for a visit was raised elsewhere")
                continue
            record_event(
                session,
                "alert.overdue_raised",
                actor=None,
                record=alert,
                visit_id=str(visit.id),
            )
            raised += 1
    _close_alerts_of_ended_visits(session)
    return raised


def _open_alert(session: Session, visit_id: uuid.UUID) -> OverdueAlert | None:
    """The visit's open alert: the one another scheduler raised at the same moment."""
    return session.scalar(
        select(OverdueAlert).where(
            OverdueAlert.visit_id == visit_id, OverdueAlert.closed_at.is_(None)
        )
    )


def _close_alerts_of_ended_visits(session: Session) -> None:
    """Close the alerts of visits that ended unchecked: nobody is checked after leaving."""
    ended = select(Visit.id).where(Visit.status.not_in(CHECKED_PHASES))
    session.execute(
        update(OverdueAlert)
        .where(OverdueAlert.closed_at.is_(None), OverdueAlert.visit_id.in_(ended))
        .values(closed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
