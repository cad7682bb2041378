"""The custody alert job: raised once past the site's limit, closed by custody, audited."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.drugchecks.models import Custody, CustodyAlert
from sitesys.drugchecks.results import record_custody
from sitesys.drugchecks.tasks import raise_custody_alerts
from sitesys.scheduler import jobs
from tests.drugchecks.scenes import make_sample
from tests.factories import make_site, make_staff


def test_a_sample_still_on_the_bench_past_the_limit_raises_one_alert(app, db):
    site = make_site(db, custody_alert_minutes=30)
    checker = make_staff(db, Role.DRUG_CHECKER, [site])
    late, _ = make_sample(db, app, site, checker, result_at=utcnow() - timedelta(minutes=31))
    make_sample(db, app, site, checker, result_at=utcnow() - timedelta(minutes=29))
    make_sample(db, app, site, checker)  # no result yet: no clock
    make_sample(
        db, app, site, checker, result_at=utcnow() - timedelta(hours=2), custody=Custody.DISPOSED
    )
    assert raise_custody_alerts(db) == 1
    assert raise_custody_alerts(db) == 0  # a second run raises nothing more
    [alert] = db.scalars(select(CustodyAlert))
    assert alert.sample_id == late.id and alert.closed_at is None
    assert alert.due_at == late.result_at + timedelta(minutes=30)
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "drug_sample.custody_overdue")
    )
    assert event.actor_id is None and event.site_id == site.id
    assert event.detail == {"sample_id": str(late.id)}


def test_the_limit_is_each_sites_own_and_custody_closes_the_alert(app, db):
    strict = make_site(db, custody_alert_minutes=5)
    relaxed = make_site(db, custody_alert_minutes=60)
    checker = make_staff(db, Role.DRUG_CHECKER, [strict, relaxed])
    ten_minutes_ago = utcnow() - timedelta(minutes=10)
    on_strict, _ = make_sample(db, app, strict, checker, result_at=ten_minutes_ago)
    make_sample(db, app, relaxed, checker, result_at=ten_minutes_ago)
    assert raise_custody_alerts(db) == 1
    record_custody(db, checker, on_strict, Custody.HANDED_BACK)
    [alert] = db.scalars(select(CustodyAlert))
    db.refresh(alert)
    assert alert.closed_at is not None


def test_closed_sites_raise_nothing_and_the_job_is_scheduled(app, db):
    closed = make_site(db, is_active=False)
    checker = make_staff(db, Role.DRUG_CHECKER, [closed])
    make_sample(db, app, closed, checker, result_at=utcnow() - timedelta(hours=3))
    assert raise_custody_alerts(db) == 0
    assert {"custody_alerts", "drug_alert_expiry"} <= {job.id for job in jobs()}
