"""Drug-alert figures for a site over a run of its local days (the reports' "Drug checking"
section counts the alerts issued).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.alerts.models import AlertShown, DrugAlert, Severity, alert_sites
from sitesys.checkin.models import Visit
from sitesys.clock import day_start
from sitesys.sites.models import Site


@dataclass(frozen=True)
class AlertFigures:
    #: Alerts published in the period that covered the site.
    issued: int
    by_severity: dict[Severity, int] = field(default_factory=dict)
    #: Of those, the ones published from one of the site's drug checks.
    from_drug_checks: int = 0
    withdrawn: int = 0
    #: Check-ins in the period at which the desk showed an alert.
    visits_warned: int = 0


def alerts_issued(session: Session, site: Site, first: date, last: date) -> AlertFigures:
    """Alerts published for the site from `first` to `last` (local days, both included)."""
    start = day_start(first, site.zone)
    end = day_start(last + timedelta(days=1), site.zone)
    rows = session.execute(
        select(
            DrugAlert.severity,
            func.count(),
            func.count(DrugAlert.sample_id),
            func.count(DrugAlert.withdrawn_at),
        )
        .join(alert_sites, alert_sites.c.alert_id == DrugAlert.id)
        .where(
            alert_sites.c.site_id == site.id,
            DrugAlert.published_at >= start,
            DrugAlert.published_at < end,
        )
        .group_by(DrugAlert.severity)
    ).all()
    by_severity = {severity: 0 for severity in Severity}
    from_checks = withdrawn = 0
    for severity, count, sampled, withdrawn_count in rows:
        by_severity[severity] = int(count)
        from_checks += int(sampled)
        withdrawn += int(withdrawn_count)
    warned = session.scalar(
        select(func.count(func.distinct(AlertShown.visit_id)))
        .join(Visit, Visit.id == AlertShown.visit_id)
        .where(Visit.site_id == site.id, Visit.checked_in_at >= start, Visit.checked_in_at < end)
    )
    return AlertFigures(
        issued=sum(by_severity.values()),
        by_severity=by_severity,
        from_drug_checks=from_checks,
        withdrawn=withdrawn,
        visits_warned=int(warned or 0),
    )
