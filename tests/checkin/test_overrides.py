"""Restriction overrides without a manager at the desk: asked, answered elsewhere, used once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.checkin.models import OverrideRequest, OverrideStatus, Visit
from sitesys.checkin.overrides import (
    AlreadyDecided,
    OverrideError,
    decide_override,
    request_override,
)
from sitesys.clients.codes import code_digest
from sitesys.clients.models import FlagKind
from sitesys.clients.services import add_flag
from sitesys.clock import utcnow
from sitesys.refusals import NotAllowed
from tests.checkin.helpers import check_in_form, confirmed, floor
from tests.factories import make_client, make_site, make_staff, sign_in


def restricted(db, app, site, manager):
    known = make_client(
        db, site, code_digest=code_digest("JOMA07", app.config["SITESYS_CLIENT_CODE_KEY"])
    )
    add_flag(
        db,
        manager,
        known,
        kind=FlagKind.SERVICE_RESTRICTION,
        note="Threatened staff",
        ends_on=utcnow().date() + timedelta(days=30),
    )
    return known


def actions(db, prefix="override."):
    return [
        event.action
        for event in db.scalars(
            select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)
        )
    ]


def ask(client):
    form = confirmed(client, check_in_form())
    form.pop("submit")
    return client.post("/checkin", data={**form, "ask_override": "1"})


def test_the_desk_asks_and_a_second_tap_finds_the_same_request(client, app, db):
    site, _booths, desk = floor(db, client)
    manager = make_staff(db, Role.MANAGER, [site])
    known = restricted(db, app, site, manager)
    page = client.post("/checkin", data={**check_in_form(), "find": "1"}).get_data(as_text=True)
    assert "Ask a manager to override" in page
    page = ask(client).get_data(as_text=True)
    assert "Waiting for a manager to answer" in page
    [request] = db.scalars(select(OverrideRequest)).all()
    assert request.client_id == known.id and request.requested_by_id == desk.id
    assert request.status is OverrideStatus.PENDING
    assert f'name="override_request" type="hidden" value="{request.id}"' in page
    assert 'hx-trigger="every 3s"' in page
    ask(client)
    assert len(db.scalars(select(OverrideRequest)).all()) == 1
    assert actions(db) == ["override.requested"]
    assert db.scalars(select(Visit)).all() == []


def test_a_manager_approves_from_their_own_device_and_the_desk_checks_in_once(client, app, db):
    site, _booths, desk = floor(db, client)
    manager = make_staff(db, Role.MANAGER, [site])
    restricted(db, app, site, manager)
    ask(client)
    [request] = db.scalars(select(OverrideRequest)).all()

    # The manager sees it on their home page, the indicator and the queue.
    sign_in(client, db, manager)
    assert "The desk asks for a restriction override" in client.get("/").get_data(as_text=True)
    assert "1 restriction override request waiting" in client.get("/overrides/waiting").get_data(
        as_text=True
    )
    queue = client.get("/overrides").get_data(as_text=True)
    assert "Threatened staff" in queue and desk.display_name in queue
    assert (
        client.post(f"/overrides/{request.id}", data={"reason": "", "approve": "1"}).status_code
        == 302
    )
    db.refresh(request)
    assert request.status is OverrideStatus.PENDING
    response = client.post(
        f"/overrides/{request.id}", data={"reason": "Calm today, agreed", "approve": "1"}
    )
    assert response.status_code == 302
    db.refresh(request)
    assert request.status is OverrideStatus.APPROVED and request.decided_by_id == manager.id
    assert client.get("/overrides/waiting").get_data(as_text=True).strip() == ""

    # The desk's page, polling, shows the answer; Check in uses it once.
    sign_in(client, db, desk)
    status = client.get(f"/checkin/overrides/{request.id}").get_data(as_text=True)
    assert "Override approved by" in status and "Calm today, agreed" in status
    assert "hx-trigger" not in status
    form = confirmed(client, check_in_form(override_request=str(request.id)))
    assert client.post("/checkin", data=form).status_code == 302
    [visit] = db.scalars(select(Visit)).all()
    assert visit.restriction_override_reason == "Calm today, agreed"
    db.refresh(request)
    assert request.status is OverrideStatus.USED and request.visit_id == visit.id
    assert actions(db) == ["override.requested", "override.approved", "override.used"]
    assert actions(db, "visit.restriction") == ["visit.restriction_overridden"]
    for event in db.scalars(select(AuditEvent).where(AuditEvent.action.startswith("override."))):
        assert "Calm" not in str(event.detail)


def test_an_approval_is_used_once_and_lasts_an_hour(client, app, db):
    site, _booths, desk = floor(db, client)
    manager = make_staff(db, Role.MANAGER, [site])
    known = restricted(db, app, site, manager)
    request = request_override(db, desk, site, known)
    decide_override(db, manager, request, approve=True, reason="Fine")
    request.decided_at = utcnow() - timedelta(minutes=61)
    db.flush()
    form = confirmed(client, check_in_form(override_request=str(request.id)))
    response = client.post("/checkin", data=form)
    assert response.status_code == 409
    assert "Check-in is blocked" in response.get_data(as_text=True)
    assert db.scalars(select(Visit)).all() == []


def test_a_refusal_is_shown_to_the_desk_and_lets_nobody_in(client, app, db):
    site, _booths, desk = floor(db, client)
    manager = make_staff(db, Role.MANAGER, [site])
    known = restricted(db, app, site, manager)
    request = request_override(db, desk, site, known)
    decide_override(db, manager, request, approve=False, reason="Not today")
    page = client.post(
        "/checkin",
        data={**check_in_form(override_request=str(request.id)), "find": "1"},
    ).get_data(as_text=True)
    assert "Override refused by" in page and "Not today" in page
    form = confirmed(client, check_in_form(override_request=str(request.id)))
    assert client.post("/checkin", data=form).status_code == 409
    assert db.scalars(select(Visit)).all() == []


def test_the_first_answer_stands_and_only_managers_answer(db):
    site = make_site(db)
    desk = make_staff(db, Role.FRONT_DESK, [site])
    manager = make_staff(db, Role.MANAGER, [site])
    other = make_staff(db, Role.MANAGER, [site])
    client = make_client(db, site)
    add_flag(
        db,
        manager,
        client,
        kind=FlagKind.SERVICE_RESTRICTION,
        note="x",
        ends_on=utcnow().date() + timedelta(days=1),
    )
    request = request_override(db, desk, site, client)
    with pytest.raises(NotAllowed):
        decide_override(db, desk, request, approve=True, reason="me")
    with pytest.raises(OverrideError, match="reason"):
        decide_override(db, manager, request, approve=False, reason="  ")
    decide_override(db, manager, request, approve=False, reason="No")
    with pytest.raises(AlreadyDecided, match=re.escape(manager.display_name)):
        decide_override(db, other, request, approve=True, reason="Yes")
    assert request.status is OverrideStatus.REFUSED


def test_no_request_for_a_client_without_a_restriction(db):
    site = make_site(db)
    desk = make_staff(db, Role.FRONT_DESK, [site])
    with pytest.raises(OverrideError, match="no service restriction"):
        request_override(db, desk, site, make_client(db, site))


def test_another_sites_request_is_not_found(client, app, db):
    site, _booths, desk = floor(db, client)
    manager = make_staff(db, Role.MANAGER, [site])
    request = request_override(db, desk, site, restricted(db, app, site, manager))
    elsewhere = make_site(db)
    sign_in(client, db, make_staff(db, Role.MANAGER, [elsewhere]))
    assert client.get(f"/checkin/overrides/{request.id}").status_code == 404
    response = client.post(f"/overrides/{request.id}", data={"reason": "x", "approve": "1"})
    assert response.status_code == 404
    assert "No requests waiting." in client.get("/overrides").get_data(as_text=True)
