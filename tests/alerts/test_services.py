"""Alert rules: who publishes, for which sites and how long; withdrawal; renewal; reading."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from sitesys.alerts.models import Acknowledgement, AlertShown, DrugAlert, Severity
from sitesys.alerts.services import (
    AlertInput,
    AlertRefused,
    acknowledge,
    acknowledgement_status,
    active_alerts,
    banner_alerts,
    draft_from_sample,
    matching_alerts,
    publish_alert,
    record_alerts_shown,
    renew_alert,
    unacknowledged,
    withdraw_alert,
)
from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.drugchecks.models import Finding, SampleFinding
from sitesys.refusals import NotAllowed
from tests.drugchecks.scenes import make_alert, make_sample
from tests.factories import make_site, make_staff, make_visit

PICK_LIST = {"ketamine": "Ketamine", "heroin": "Heroin", "cocaine": "Cocaine"}


@pytest.fixture
def network(db):
    north, south, elsewhere = make_site(db), make_site(db), make_site(db)
    manager = make_staff(db, Role.MANAGER, [north, south])
    return north, south, elsewhere, manager


def _draft(sites, **changes):
    now = utcnow()
    values = {
        "title": "Fentanyl in ketamine",
        "sold_as": "Ketamine, white powder",
        "found": "Fentanyl",
        "advice": "Do not use alone.",
        "severity": Severity.DANGER,
        "starts_at": now,
        "ends_at": now + timedelta(days=7),
        "site_ids": [site.id for site in sites],
        "substances": ["ketamine"],
    }
    values.update(changes)
    return AlertInput(**values)


def _publish(db, manager, draft, key=None):
    return publish_alert(
        db, manager, draft, submission_key=key or str(uuid.uuid4()), substances=PICK_LIST
    )


def test_a_manager_publishes_to_their_own_sites_with_one_event_per_site(db, network):
    north, south, _elsewhere, manager = network
    alert = _publish(db, manager, _draft([north, south])).alert
    assert {site.id for site in alert.sites} == {north.id, south.id}
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.action == "drug_alert.published")))
    assert sorted(event.site_id for event in events) == sorted([north.id, south.id])
    assert all(event.detail["severity"] == "danger" for event in events)
    assert "Fentanyl in ketamine" not in str([event.detail for event in events])


def test_publishing_is_refused_outside_the_rules(db, network):
    north, _south, elsewhere, manager = network
    nurse = make_staff(db, Role.NURSE, [north])
    with pytest.raises(NotAllowed, match="Only a manager can publish drug alerts"):
        _publish(db, nurse, _draft([north]))
    now = utcnow()
    for draft, message in (
        (_draft([elsewhere]), "your own sites"),
        (_draft([]), "your own sites"),
        (_draft([north], substances=[]), "pick-list"),
        (_draft([north], substances=["tea"]), "pick-list"),
        (_draft([north], ends_at=now + timedelta(days=31)), "at most 30 days"),
        (_draft([north], ends_at=now - timedelta(minutes=1)), "after the start"),
        (_draft([north], starts_at=now - timedelta(hours=1)), "in the past"),
        (_draft([north], title="  "), "title"),
    ):
        with pytest.raises(AlertRefused, match=message):
            _publish(db, manager, draft)
    assert db.scalar(select(func.count()).select_from(DrugAlert)) == 0


def test_a_double_tap_publishes_once(db, network):
    north, _south, _elsewhere, manager = network
    key = str(uuid.uuid4())
    first = _publish(db, manager, _draft([north]), key)
    again = _publish(db, manager, _draft([north]), key)
    assert again.replayed and again.alert.id == first.alert.id
    assert db.scalar(select(func.count()).select_from(DrugAlert)) == 1


def test_active_alerts_follow_their_times_whatever_the_scheduler(db, network):
    north, south, _elsewhere, manager = network
    now = utcnow()
    live = make_alert(db, manager, [north])
    make_alert(db, manager, [north], starts_at=now + timedelta(hours=1), title="Later")
    make_alert(
        db, manager, [north], starts_at=now - timedelta(days=8), ends_at=now - timedelta(days=1)
    )
    make_alert(db, manager, [south], title="South only")
    withdrawn = make_alert(db, manager, [north], title="Withdrawn")
    withdraw_alert(db, manager, withdrawn, "Lab result: it was caffeine")
    assert active_alerts(db, north) == [live]
    assert matching_alerts(db, north, ["ketamine", "heroin"]) == [live]
    assert matching_alerts(db, north, ["heroin"]) == []
    assert matching_alerts(db, south, ["ketamine"])[0].title == "South only"


def test_withdrawing_needs_a_reason_and_keeps_the_alert(db, network):
    north, south, _elsewhere, manager = network
    alert = make_alert(db, manager, [north, south])
    with pytest.raises(AlertRefused, match="reason"):
        withdraw_alert(db, manager, alert, " ")
    withdraw_alert(db, manager, alert, "Lab result: it was caffeine")
    assert alert.withdrawn_at is not None and alert.withdraw_reason == "Lab result: it was caffeine"
    assert alert.state_at(utcnow()) == "Withdrawn"
    with pytest.raises(AlertRefused, match="already withdrawn"):
        withdraw_alert(db, manager, alert, "Again")
    events = db.scalars(select(AuditEvent).where(AuditEvent.action == "drug_alert.withdrawn"))
    assert sorted(event.site_id for event in events) == sorted([north.id, south.id])


def test_renewal_runs_on_at_most_thirty_days_from_now(db, network):
    north, _south, _elsewhere, manager = network
    now = utcnow()
    alert = make_alert(db, manager, [north], starts_at=now - timedelta(days=20))
    with pytest.raises(AlertRefused, match="later than"):
        renew_alert(db, manager, alert, alert.ends_at - timedelta(hours=1))
    with pytest.raises(AlertRefused, match="30 days from now"):
        renew_alert(db, manager, alert, now + timedelta(days=31))
    renew_alert(db, manager, alert, now + timedelta(days=30))
    assert alert.ends_at == now + timedelta(days=30) and alert.is_active_at(now)
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "drug_alert.renewed"))
    assert event.detail["ends_to"].startswith((now + timedelta(days=30)).date().isoformat())


def test_each_person_acknowledges_an_alert_once(db, network):
    north, south, _elsewhere, manager = network
    alert = make_alert(db, manager, [north])
    nurse = make_staff(db, Role.NURSE, [north])
    assert unacknowledged(db, nurse, north) == [alert]
    assert acknowledge(db, nurse, alert, north) is True
    assert acknowledge(db, nurse, alert, north) is False
    assert unacknowledged(db, nurse, north) == []
    assert [item.acknowledged for item in banner_alerts(db, nurse, north)] == [True]
    assert db.scalar(select(func.count()).select_from(Acknowledgement)) == 1
    with pytest.raises(AlertRefused, match="not for this site"):
        acknowledge(db, manager, alert, south)


def test_the_database_refuses_a_second_acknowledgement_of_the_same_alert(db, network):
    north, _south, _elsewhere, manager = network
    alert = make_alert(db, manager, [north])
    db.add(Acknowledgement(alert_id=alert.id, staff_id=manager.id, acknowledged_at=utcnow()))
    db.flush()
    db.add(Acknowledgement(alert_id=alert.id, staff_id=manager.id, acknowledged_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_managers_see_who_has_not_acknowledged(db, network):
    north, south, _elsewhere, manager = network
    alert = make_alert(db, manager, [north])
    nurse = make_staff(db, Role.NURSE, [north], display_name="Nia")
    make_staff(db, Role.FRONT_DESK, [north], display_name="Dee")
    make_staff(db, Role.NURSE, [south], display_name="South nurse")
    make_staff(db, Role.NURSE, [north], display_name="Gone", is_active=False)
    make_staff(db, Role.ADMIN, [north], display_name="Ada")
    acknowledge(db, nurse, alert, north)
    status = acknowledgement_status(db, alert)
    assert [done.staff.display_name for done in status.acknowledged] == ["Nia"]
    assert [person.display_name for person in status.waiting] == sorted(
        ["Dee", manager.display_name]
    )


def test_the_desk_records_the_alerts_it_showed_at_check_in_once(db, network):
    north, _south, _elsewhere, manager = network
    alert = make_alert(db, manager, [north])
    desk = make_staff(db, Role.FRONT_DESK, [north])
    visit = make_visit(db, north, desk, substances=["ketamine"])
    assert record_alerts_shown(db, desk, visit, [alert]) == [alert]
    assert record_alerts_shown(db, desk, visit, [alert]) == []
    [shown] = db.scalars(select(AlertShown))
    assert shown.visit_id == visit.id and shown.shown_by_id == desk.id
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "visit.alert_shown"))
    assert event.detail == {"alert_ids": [str(alert.id)]} and event.site_id == north.id


def test_an_alert_drafted_from_a_drug_check_carries_its_finding(app, db, network):
    north, _south, _elsewhere, manager = network
    sample, _ = make_sample(db, app, north, manager, result_at=utcnow(), colour="white")
    sample.findings = [SampleFinding(finding=Finding.FENTANYL, is_unexpected=True)]
    draft = draft_from_sample(sample, PICK_LIST, north, utcnow())
    assert draft.title == "Fentanyl found in ketamine"
    assert draft.severity is Severity.DANGER and draft.substances == ["ketamine"]
    assert draft.sample_id == sample.id and draft.site_ids == [north.id]
    assert draft.colour == "white" and draft.found == sample.found_summary
