"""Alerts issued, for the reports' "Drug checking" section."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sitesys.alerts.models import AlertShown, Severity
from sitesys.alerts.reports import alerts_issued
from sitesys.auth.roles import Role
from tests.drugchecks.scenes import make_alert, make_sample
from tests.factories import make_site, make_staff, make_visit


def test_alerts_issued_count_those_covering_the_site_in_its_local_days(app, db):
    site, other = make_site(db), make_site(db)
    manager = make_staff(db, Role.MANAGER, [site, other])
    august = datetime(2026, 8, 10, 12, 0, tzinfo=UTC)
    sample, _ = make_sample(db, app, site, manager, result_at=august - timedelta(hours=1))
    danger = make_alert(db, manager, [site, other], starts_at=august, sample_id=sample.id)
    make_alert(db, manager, [site], starts_at=august, severity=Severity.INFORMATION)
    make_alert(db, manager, [other], starts_at=august)
    make_alert(db, manager, [site], starts_at=august - timedelta(days=30))
    make_alert(
        db, manager, [site], starts_at=august, withdrawn_at=august + timedelta(hours=1),
        withdraw_reason="Mistake",
    )  # fmt: skip
    visit = make_visit(db, site, manager, at=august)
    db.add(
        AlertShown(visit_id=visit.id, alert_id=danger.id, shown_at=august, shown_by_id=manager.id)
    )
    db.flush()
    figures = alerts_issued(db, site, date(2026, 8, 1), date(2026, 8, 31))
    assert figures.issued == 3
    assert figures.by_severity[Severity.DANGER] == 2
    assert figures.by_severity[Severity.INFORMATION] == 1
    assert figures.from_drug_checks == 1 and figures.withdrawn == 1
    assert figures.visits_warned == 1
