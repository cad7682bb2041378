"""The expiry job ends alerts at their end time, once, for each site's record."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from sitesys.alerts.services import active_alerts, withdraw_alert
from sitesys.alerts.tasks import end_expired_alerts
from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from tests.drugchecks.scenes import make_alert
from tests.factories import make_site, make_staff


def test_alerts_past_their_end_are_ended_once_with_an_event_per_site(db):
    north, south = make_site(db), make_site(db)
    manager = make_staff(db, Role.MANAGER, [north, south])
    now = utcnow()
    past = make_alert(
        db, manager, [north, south], starts_at=now - timedelta(days=8), ends_at=now - timedelta(1)
    )
    running = make_alert(db, manager, [north])
    withdrawn = make_alert(
        db, manager, [north], starts_at=now - timedelta(days=3), ends_at=now + timedelta(days=1)
    )
    withdraw_alert(db, manager, withdrawn, "Mistaken result")
    withdrawn.ends_at = now - timedelta(minutes=1)
    db.flush()
    # Pages stop showing an alert at its end time, whether or not the job has run.
    assert active_alerts(db, north) == [running]
    assert end_expired_alerts(db) == 1
    assert end_expired_alerts(db) == 0
    assert past.ended_at == past.ends_at and running.ended_at is None
    assert withdrawn.ended_at is None
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.action == "drug_alert.ended")))
    assert sorted(event.site_id for event in events) == sorted([north.id, south.id])
    assert all(event.actor_id is None for event in events)
