"""Drug-alert figures for sites over a run of their local days (the reports' "Drug checking"
section counts the alerts issued). Each figure is read for every site asked for in one
statement, grouped by site.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.alerts.models import AlertShown, DrugAlert, Severity, alert_sites
from sitesys.checkin.models import Visit
from sitesys.sites.models import Site
from sitesys.sites.zones import in_local_days, zone_groups


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


def alerts_issued_by_site(
    session: Session, sites: Sequence[Site], first: date, last: date
) -> dict[int, AlertFigures]:
    """Alerts published for each site from `first` to `last` (its local days, both included),
    by site id (zero figures for a site with none). An alert covering several sites counts once
    at each of them.
    """
    if not sites:
        return {}
    groups = zone_groups(sites, first, last)
    rows = session.execute(
        select(
            alert_sites.c.site_id,
            DrugAlert.severity,
            func.count(),
            func.count(DrugAlert.sample_id),
            func.count(DrugAlert.withdrawn_at),
        )
        .join(alert_sites, alert_sites.c.alert_id == DrugAlert.id)
        .where(in_local_days(groups, alert_sites.c.site_id, DrugAlert.published_at))
        .group_by(alert_sites.c.site_id, DrugAlert.severity)
    ).all()
    warned = dict(
        session.execute(
            select(Visit.site_id, func.count(func.distinct(AlertShown.visit_id)))
            .join(Visit, Visit.id == AlertShown.visit_id)
            .where(in_local_days(groups, Visit.site_id, Visit.checked_in_at))
            .group_by(Visit.site_id)
        )
        .tuples()
        .all()
    )
    by_severity = {site.id: {severity: 0 for severity in Severity} for site in sites}
    from_checks = {site.id: 0 for site in sites}
    withdrawn = {site.id: 0 for site in sites}
    for site_id, severity, count, sampled, withdrawn_count in rows:
        by_severity[site_id][severity] = int(count)
        from_checks[site_id] += int(sampled)
        withdrawn[site_id] += int(withdrawn_count)
    return {
        site.id: AlertFigures(
            issued=sum(by_severity[site.id].values()),
            by_severity=by_severity[site.id],
            from_drug_checks=from_checks[site.id],
            withdrawn=withdrawn[site.id],
            visits_warned=int(warned.get(site.id, 0)),
        )
        for site in sites
    }


def alerts_issued(session: Session, site: Site, first: date, last: date) -> AlertFigures:
    """Alerts published for the site from `first` to `last` (local days, both included)."""
    return alerts_issued_by_site(session, [site], first, last)[site.id]
