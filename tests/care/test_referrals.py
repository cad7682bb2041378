"""Referrals: recorded once per form, their steps with who and when, struck through not deleted,
followed up at the next check-in and on the worklist."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.care.models import Referral, ReferralState, ReferralStep, ReferralType, Urgency
from sitesys.care.referrals import (
    ReferralChanged,
    ReferralRefused,
    ReferralRequest,
    ServiceDetails,
    add_service,
    follow_ups_of_client,
    record_step,
    refer,
    strike_referral,
    worklist,
)
from sitesys.checkin.models import VisitStatus
from sitesys.clients.codes import code_digest
from sitesys.clock import utcnow
from sitesys.incidents.kinds import IncidentType
from sitesys.incidents.models import IncidentTypeEntry
from sitesys.incidents.services import start_response
from sitesys.refusals import NotAllowed
from tests.checkin.helpers import check_in_form
from tests.factories import (
    make_client,
    make_site,
    make_staff,
    make_substances,
    make_visit,
    scene,
    sign_in,
)
from tests.incidents.helpers import make_floor


def _request(**changes):
    values = {"submission_key": str(uuid.uuid4()), "type": ReferralType.DETOX}
    values.update(changes)
    return ReferralRequest(**values)


def _events(db, action):
    return db.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_a_referral_from_a_visit_follows_the_client_and_its_steps_say_who(db):
    floor = make_floor(db)
    referral, is_new = refer(
        db, floor.desk, floor.site, _request(urgency=Urgency.SOON), visit=floor.visit
    )
    assert is_new
    assert referral.client_id == floor.visit.client_id
    assert referral.state is ReferralState.OFFERED
    assert [(s.state, s.recorded_by_id) for s in referral.steps] == [
        (ReferralState.OFFERED, floor.desk.id)
    ]
    assert referral.follow_up_due_at is None  # nothing to chase until it is accepted
    [event] = _events(db, "referral.recorded")
    assert event.detail["type"] == "detox" and event.detail["state"] == "offered"
    assert floor.visit.client.display_tag not in str(event.detail)

    assert record_step(
        db, floor.nurse, referral, ReferralState.ACCEPTED, expected=ReferralState.OFFERED
    )
    assert referral.follow_up_due_at is not None
    assert referral.owner_id == floor.nurse.id
    assert record_step(
        db, floor.manager, referral, ReferralState.MADE, expected=ReferralState.ACCEPTED
    )
    made = referral.step(ReferralState.MADE)
    assert made is not None and made.recorded_by_id == floor.manager.id
    # Soon: asked about three days after it was made.
    assert referral.follow_up_due_at == made.recorded_at + timedelta(days=3)
    assert record_step(
        db, floor.nurse, referral, ReferralState.ATTENDED, expected=ReferralState.MADE
    )
    assert referral.follow_up_due_at is None
    assert [s.state for s in referral.steps] == [
        ReferralState.OFFERED,
        ReferralState.ACCEPTED,
        ReferralState.MADE,
        ReferralState.ATTENDED,
    ]
    assert len(_events(db, "referral.step_recorded")) == 3


def test_the_same_form_twice_makes_one_referral(db):
    floor = make_floor(db)
    request = _request()
    first, first_new = refer(db, floor.desk, floor.site, request, visit=floor.visit)
    second, second_new = refer(db, floor.nurse, floor.site, request, visit=floor.visit)
    assert first_new and not second_new
    assert second.id == first.id
    assert db.scalar(select(func.count()).select_from(Referral)) == 1
    assert len(_events(db, "referral.recorded")) == 1


def test_the_same_step_twice_is_one_step_and_a_stale_page_changes_nothing(db):
    floor = make_floor(db)
    referral, _ = refer(db, floor.desk, floor.site, _request(), visit=floor.visit)
    assert record_step(
        db, floor.desk, referral, ReferralState.ACCEPTED, expected=ReferralState.OFFERED
    )
    # A second tablet taps "accepted" from the same page: one step, nothing refused.
    assert not record_step(
        db, floor.nurse, referral, ReferralState.ACCEPTED, expected=ReferralState.OFFERED
    )
    # A page still showing "offered" asks for "declined": refused, nothing changed.
    with pytest.raises(ReferralChanged):
        record_step(
            db, floor.nurse, referral, ReferralState.DECLINED, expected=ReferralState.OFFERED
        )
    with pytest.raises(ReferralRefused, match="cannot be marked attended"):
        record_step(
            db, floor.nurse, referral, ReferralState.ATTENDED, expected=ReferralState.ACCEPTED
        )
    steps = db.scalar(
        select(func.count())
        .select_from(ReferralStep)
        .where(ReferralStep.referral_id == referral.id)
    )
    assert steps == 2
    assert referral.state is ReferralState.ACCEPTED


def test_a_referral_made_at_once_records_each_step_and_is_followed_up(db):
    floor = make_floor(db)
    referral, _ = refer(
        db, floor.nurse, floor.site, _request(state=ReferralState.MADE), visit=floor.visit
    )
    assert [s.state for s in referral.steps] == [
        ReferralState.OFFERED,
        ReferralState.ACCEPTED,
        ReferralState.MADE,
    ]
    assert referral.follow_up_due_at == referral.created_at + timedelta(days=7)
    [follow_up] = follow_ups_of_client(db, floor.site, floor.visit.client_id)
    assert re.fullmatch(
        r"Referral to detox made on \d{1,2} [A-Z][a-z]{2} — ask how it went", follow_up.sentence
    )


def test_a_struck_referral_stays_marked_and_leaves_the_worklist(db):
    floor = make_floor(db)
    referral, _ = refer(
        db, floor.nurse, floor.site, _request(state=ReferralState.MADE), visit=floor.visit
    )
    with pytest.raises(ReferralRefused, match="reason"):
        strike_referral(db, floor.nurse, referral, "  ")
    strike_referral(db, floor.nurse, referral, "Wrong client")
    assert referral.is_struck and referral.strike_reason == "Wrong client"
    assert referral.struck_by_id == floor.nurse.id
    assert referral.follow_up_due_at is None
    assert db.get(Referral, referral.id) is not None
    assert follow_ups_of_client(db, floor.site, floor.visit.client_id) == []
    assert db.scalars(worklist(floor.site)).all() == []
    with pytest.raises(ReferralRefused, match="struck through"):
        record_step(db, floor.nurse, referral, ReferralState.ATTENDED, expected=ReferralState.MADE)
    [event] = _events(db, "referral.struck")
    assert "Wrong client" not in str(event.detail)


def test_who_may_refer(db):
    floor = make_floor(db)
    with pytest.raises(NotAllowed):
        refer(db, floor.checker, floor.site, _request(), visit=floor.visit)
    with pytest.raises(NotAllowed):
        refer(db, floor.admin, floor.site, _request(), visit=floor.visit)


def test_a_service_of_another_sites_directory_is_refused(db):
    floor = make_floor(db)
    other = make_site(db)
    boss = make_staff(db, Role.MANAGER, [other])
    theirs = add_service(db, boss, other, ServiceDetails("Their detox", ReferralType.DETOX))
    with pytest.raises(ReferralRefused, match="directory"):
        refer(db, floor.nurse, floor.site, _request(service_id=theirs.id), visit=floor.visit)
    ours = add_service(
        db, floor.manager, floor.site, ServiceDetails("Harbour detox", ReferralType.DETOX)
    )
    referral, _ = refer(
        db,
        floor.nurse,
        floor.site,
        _request(service_id=ours.id, service_name="ignored"),
        visit=floor.visit,
    )
    assert referral.service_label == "Harbour detox" and referral.service_name is None
    with pytest.raises(NotAllowed):
        add_service(db, floor.nurse, floor.site, ServiceDetails("X", ReferralType.GP))


def test_the_worklist_is_soonest_first_and_mine_is_mine(db):
    floor = make_floor(db)
    routine, _ = refer(
        db, floor.nurse, floor.site, _request(state=ReferralState.MADE), client=floor.visit.client
    )
    urgent, _ = refer(
        db,
        floor.manager,
        floor.site,
        _request(state=ReferralState.ACCEPTED, urgency=Urgency.URGENT),
        client=floor.visit.client,
    )
    offered, _ = refer(db, floor.nurse, floor.site, _request(), client=floor.visit.client)
    assert db.scalars(worklist(floor.site)).all() == [urgent, routine]
    assert db.scalars(worklist(floor.site, owner=floor.nurse)).all() == [routine]
    other = make_site(db)
    assert db.scalars(worklist(other)).all() == []
    assert offered not in db.scalars(worklist(floor.site)).all()


# The pages


def _form(**changes):
    form = {
        "type": "detox",
        "service": "",
        "service_name": "Harbour Street detox",
        "urgency": "routine",
        "state": "made",
        "submission_key": str(uuid.uuid4()),
    }
    form.update(changes)
    return form


def test_referring_from_the_visit_page_twice_with_one_form_makes_one(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.desk)
    page = client.get(f"/visits/{floor.visit.id}").get_data(as_text=True)
    assert f"/referrals/new?visit={floor.visit.id}" in page
    form = _form(visit_id=str(floor.visit.id))
    assert client.get(f"/referrals/new?visit={floor.visit.id}").status_code == 200
    first = client.post("/referrals/new", data=form)
    second = client.post("/referrals/new", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"].endswith(f"/visits/{floor.visit.id}")
    [referral] = db.scalars(select(Referral)).all()
    assert referral.visit_id == floor.visit.id and referral.created_by_id == floor.desk.id
    assert referral.service_name == "Harbour Street detox"
    page = client.get(f"/visits/{floor.visit.id}").get_data(as_text=True)
    assert "Detox / withdrawal · Harbour Street detox" in page
    assert "Referral to detox made on" in page


def test_the_next_check_in_shows_the_referral_to_ask_about(app, client, db):
    site = make_site(db)
    make_substances(db, site)
    desk = make_staff(db, Role.FRONT_DESK, [site])
    digest = code_digest("JOMA07", app.config["SITESYS_CLIENT_CODE_KEY"])
    person = make_client(db, site, code_digest=digest)
    earlier = make_visit(db, site, desk, client=person, status=VisitStatus.LEFT)
    scene(db)
    refer(db, desk, site, _request(state=ReferralState.MADE), visit=earlier)
    sign_in(client, db, desk)
    page = client.post("/checkin", data={**check_in_form(), "find": "1"}).get_data(as_text=True)
    assert person.display_tag in page
    assert re.search(r"Referral to detox made on \d{1,2} [A-Z][a-z]{2} — ask how it went", page)


def test_a_mental_health_crisis_report_offers_a_crisis_team_referral(client, db):
    floor = make_floor(db)
    incident = start_response(db, floor.nurse, floor.visit).incident
    sign_in(client, db, floor.nurse)
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Refer to the crisis team" not in page
    db.add(IncidentTypeEntry(incident_id=incident.id, type=IncidentType.MENTAL_HEALTH_CRISIS))
    scene(db)
    db.expire(incident)
    page = client.get(f"/incidents/{incident.id}").get_data(as_text=True)
    assert "Refer to the crisis team" in page
    response = client.get(
        f"/referrals/new?incident={incident.id}&type=crisis_team&urgency=urgent"
    ).get_data(as_text=True)
    assert re.search(r'<input checked id="type-\d+" name="type"[^>]*value="crisis_team"', response)
    assert re.search(r'<input checked id="urgency-\d+" name="urgency"[^>]*value="urgent"', response)
    posted = client.post(
        "/referrals/new",
        data=_form(type="crisis_team", urgency="urgent", incident_id=str(incident.id)),
    )
    assert posted.headers["Location"].endswith(f"/incidents/{incident.id}")
    [referral] = db.scalars(select(Referral)).all()
    assert referral.incident_id == incident.id
    assert referral.client_id == floor.visit.client_id
    assert referral.visit_id == floor.visit.id


def test_steps_and_strike_through_from_the_referral_page(client, db):
    floor = make_floor(db)
    referral, _ = refer(db, floor.nurse, floor.site, _request(), client=floor.visit.client)
    sign_in(client, db, floor.desk)
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Mark accepted" in page and "Mark declined" in page
    step = {"state": "accepted", "expected": "offered"}
    assert client.post(f"/referrals/{referral.id}/step", data=step).status_code == 302
    assert client.post(f"/referrals/{referral.id}/step", data=step).status_code == 302
    db.expire_all()
    assert [s.state for s in db.get(Referral, referral.id).steps] == [
        ReferralState.OFFERED,
        ReferralState.ACCEPTED,
    ]
    stale = client.post(
        f"/referrals/{referral.id}/step",
        data={"state": "declined", "expected": "offered"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "someone else recorded a step" in stale
    client.post(
        f"/referrals/{referral.id}/strike", data={"reason": "Recorded for the wrong person"}
    )
    db.expire_all()
    struck = db.get(Referral, referral.id)
    assert struck.is_struck and struck.strike_reason == "Recorded for the wrong person"
    page = client.get(f"/referrals/{referral.id}").get_data(as_text=True)
    assert "Struck through" in page and "Mark made" not in page


def test_the_worklist_page_is_bounded_and_site_scoped(client, db):
    floor = make_floor(db)
    for _ in range(3):
        refer(
            db,
            floor.nurse,
            floor.site,
            _request(state=ReferralState.MADE),
            client=floor.visit.client,
        )
    other = make_site(db)
    stranger = make_staff(db, Role.NURSE, [other])
    theirs, _ = refer(db, stranger, other, _request(state=ReferralState.MADE))
    sign_in(client, db, floor.nurse)
    mine = client.get("/referrals").get_data(as_text=True)
    assert mine.count("Ask how it went") == 3
    assert client.get("/referrals?who=site").status_code == 200
    assert client.get(f"/referrals/{theirs.id}").status_code == 404
    sign_in(client, db, floor.desk)
    assert "Ask how it went" not in client.get("/referrals").get_data(as_text=True)
    assert client.get("/referrals?who=site").get_data(as_text=True).count("Ask how it went") == 3


def test_the_worklist_pages_past_fifty(client, db):
    floor = make_floor(db)
    now = utcnow()
    for number in range(51):
        db.add(
            Referral(
                site_id=floor.site.id,
                client_id=floor.visit.client_id,
                type=ReferralType.GP,
                urgency=Urgency.ROUTINE,
                state=ReferralState.MADE,
                follow_up_due_at=now + timedelta(minutes=number),
                owner_id=floor.nurse.id,
                created_by_id=floor.nurse.id,
                submission_key=str(uuid.uuid4()),
            )
        )
    scene(db)
    sign_in(client, db, floor.nurse)
    first = client.get("/referrals").get_data(as_text=True)
    assert first.count("Ask how it went") == 50 and "Next page" in first
    assert client.get("/referrals?page=2").get_data(as_text=True).count("Ask how it went") == 1


def test_the_directory_is_kept_by_managers(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    assert client.get("/referrals/directory").status_code == 403
    sign_in(client, db, floor.manager)
    response = client.post(
        "/referrals/directory",
        data={"name": "Harbour detox", "type": "detox", "phone": "0100 000 000"},
    )
    assert response.status_code == 302
    assert "Harbour detox" in client.get("/referrals/directory").get_data(as_text=True)
    again = client.post("/referrals/directory", data={"name": "Harbour detox", "type": "detox"})
    assert again.status_code == 422 and "already has" in again.get_data(as_text=True)
    assert len(_events(db, "referral_service.added")) == 1
    page = client.get(f"/referrals/new?client={floor.visit.client_id}").get_data(as_text=True)
    assert "Harbour detox (Detox / withdrawal)" in page
