"""The expiry job: alerts end at their end time (whatever the job, pages stop showing them then;
the job records the ending, for the history and for each covered site's audit log).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from sitesys.alerts.models import DrugAlert
from sitesys.audit.services import record_event
from sitesys.clock import utcnow


def end_expired_alerts(session: Session) -> int:
    """Mark alerts past their end time as ended, once each (a second run finds none to end)."""
    now = utcnow()
    due = list(
        session.scalars(
            select(DrugAlert)
            .where(
                DrugAlert.ends_at <= now,
                DrugAlert.ended_at.is_(None),
                DrugAlert.withdrawn_at.is_(None),
            )
            .options(selectinload(DrugAlert.sites))
            .order_by(DrugAlert.ends_at)
            .with_for_update(of=DrugAlert)
        )
    )
    for alert in due:
        alert.ended_at = alert.ends_at
        for site in alert.sites:
            record_event(session, "drug_alert.ended", actor=None, record=alert, site_id=site.id)
    session.flush()
    return len(due)
