"""Alerts issued, for the reports' "Drug checking" section."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sitesys.alerts.models import AlertShown, Severity
from sitesys.alerts.reports import AlertFigures, alerts_issued, alerts_issued_by_site
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


def test_alerts_by_site_count_each_site_by_its_own_local_days_in_one_read(app, db, count_queries):
    london = make_site(db, time_zone="Europe/London")
    toronto = make_site(db, time_zone="America/Toronto")
    quiet = make_site(db, time_zone="Europe/London")
    manager = make_staff(db, Role.MANAGER, [london, toronto, quiet])
    august = datetime(2026, 8, 10, 12, 0, tzinfo=UTC)
    # 03:30 UTC on 1 September is 04:30 on 1 September in London (September's) and 23:30 on 31
    # August in Toronto (August's); 03:30 UTC on 1 August is still 31 July in Toronto.
    first_of_september = datetime(2026, 9, 1, 3, 30, tzinfo=UTC)
    first_of_august = datetime(2026, 8, 1, 3, 30, tzinfo=UTC)
    sample, _ = make_sample(db, app, london, manager, result_at=august - timedelta(hours=1))
    shared = make_alert(db, manager, [london, toronto], starts_at=august, sample_id=sample.id)
    make_alert(db, manager, [london, toronto], starts_at=first_of_september)
    make_alert(
        db, manager, [london], starts_at=august, severity=Severity.INFORMATION,
        withdrawn_at=august + timedelta(hours=1), withdraw_reason="Mistake",
    )  # fmt: skip
    for site, at in ((london, august), (toronto, august), (toronto, first_of_august)):
        visit = make_visit(db, site, manager, at=at)
        db.add(
            AlertShown(visit_id=visit.id, alert_id=shared.id, shown_at=at, shown_by_id=manager.id)
        )
    db.flush()
    period = (date(2026, 8, 1), date(2026, 8, 31))
    sites = [london, toronto, quiet]

    with count_queries() as one:
        alerts_issued_by_site(db, [london], *period)
    with count_queries() as three:
        by_site = alerts_issued_by_site(db, sites, *period)
    assert three.count == one.count == 2

    assert set(by_site) == {london.id, toronto.id, quiet.id}
    for site in sites:
        assert by_site[site.id] == alerts_issued(db, site, *period)
    ours, theirs, nothing = (by_site[site.id] for site in sites)
    # The shared alert counts at both sites; September's London alert is Toronto's August's.
    assert (
        ours.issued,
        ours.by_severity[Severity.DANGER],
        ours.by_severity[Severity.INFORMATION],
    ) == (2, 1, 1)
    assert (theirs.issued, theirs.by_severity[Severity.DANGER]) == (2, 2)
    assert theirs.by_severity[Severity.INFORMATION] == 0
    assert (ours.from_drug_checks, ours.withdrawn, ours.visits_warned) == (1, 1, 1)
    assert (theirs.from_drug_checks, theirs.withdrawn, theirs.visits_warned) == (1, 0, 1)
    assert nothing == AlertFigures(issued=0, by_severity=dict.fromkeys(Severity, 0))
