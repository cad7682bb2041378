"""The custody alert job: a sample neither handed back nor disposed of past the site's limit."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.drugchecks.models import CustodyAlert, Sample
from sitesys.sites.models import Site

log = logging.getLogger(__name__)


def raise_custody_alerts(session: Session) -> int:
    """Raise one custody alert per sample still on the bench past its site's limit after its
    result, and close any whose sample has since been handed back or disposed of.

    Selects only samples due and without an alert, so a second run (or a second scheduler)
    raises nothing more; the unique sample id settles a true race.
    """
    now = utcnow()
    raised = 0
    for site in session.scalars(select(Site).where(Site.is_active.is_(True)).order_by(Site.id)):
        limit = now - timedelta(minutes=site.custody_alert_minutes)
        alerted = select(CustodyAlert.sample_id).where(CustodyAlert.site_id == site.id)
        due = session.scalars(
            select(Sample)
            .where(
                Sample.site_id == site.id,
                Sample.awaiting_custody(),
                Sample.result_at <= limit,
                Sample.id.not_in(alerted),
            )
            .order_by(Sample.result_at)
        )
        for sample in list(due):
            alert = CustodyAlert(
                site_id=site.id,
                sample_id=sample.id,
                due_at=sample.custody_due_at() or now,
                raised_at=now,
            )
            stored = add_once(
                session,
                alert,
                lambda sample=sample: session.scalar(  # type: ignore[misc]
                    select(CustodyAlert).where(CustodyAlert.sample_id == sample.id)
                ),
            )
            if stored is not alert:
                log.info("custody alert for a sample was raised elsewhere")
                continue
            record_event(
                session,
                "drug_sample.custody_overdue",
                actor=None,
                record=alert,
                sample_id=str(sample.id),
            )
            raised += 1
    _close_alerts_of_returned_samples(session, now)
    return raised


def _close_alerts_of_returned_samples(session: Session, now: datetime) -> None:
    returned = select(Sample.id).where(Sample.custody.is_not(None))
    session.execute(
        update(CustodyAlert)
        .where(CustodyAlert.closed_at.is_(None), CustodyAlert.sample_id.in_(returned))
        .values(closed_at=now)
        .execution_options(synchronize_session=False)
    )
