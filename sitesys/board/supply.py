"""What the board shows of the drug supply: the site's active drug alerts, and samples whose rest
is still on the bench past the site's custody limit. Each is one query, whatever the numbers, and
both are worked out from times when the board is read (never from the scheduler's jobs), with the
moments they change for the board's freshness.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.alerts.models import DrugAlert, alert_sites
from sitesys.drugchecks.models import Sample
from sitesys.sites.models import Site


@dataclass(frozen=True)
class CustodyWarning:
    """A sample neither handed back nor disposed of past the site's limit after its result."""

    sample: Sample
    due_at: datetime


@dataclass
class Supply:
    alerts: list[DrugAlert] = field(default_factory=list)
    custody: list[CustodyWarning] = field(default_factory=list)
    #: When the board will look different by the clock alone (an alert starts or ends, a
    #: sample's custody falls due).
    moments: list[datetime] = field(default_factory=list)


def read_supply(session: Session, site: Site, now: datetime) -> Supply:
    """The site's active drug alerts, most severe first, and its overdue custody (two queries)."""
    supply = Supply()
    alerts = session.scalars(
        select(DrugAlert)
        .join(alert_sites, alert_sites.c.alert_id == DrugAlert.id)
        .where(alert_sites.c.site_id == site.id, DrugAlert.still_to_end(now))
    )
    for alert in alerts:
        if alert.starts_at > now:
            supply.moments.append(alert.starts_at)
            continue
        supply.alerts.append(alert)
        supply.moments.append(alert.ends_at)
    supply.alerts.sort(key=lambda alert: (alert.severity.rank, -alert.starts_at.timestamp()))
    limit = timedelta(minutes=site.custody_alert_minutes)
    waiting = session.scalars(
        select(Sample).where(Sample.site_id == site.id, Sample.awaiting_custody())
    )
    for sample in waiting:
        if sample.result_at is None:
            continue
        due = sample.result_at + limit
        if due > now:
            supply.moments.append(due)
        else:
            supply.custody.append(CustodyWarning(sample, due))
    supply.custody.sort(key=lambda warning: warning.due_at)
    return supply
