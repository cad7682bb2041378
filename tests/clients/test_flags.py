from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.checkin.models import VisitStatus
from sitesys.clients.models import ClientFlag, FlagKind
from sitesys.clients.services import add_flag
from sitesys.clients.views import VISITS_PER_PAGE
from tests.factories import make_client, make_site, make_staff, make_visit, sign_in


def test_nurse_adds_and_removes_a_flag_which_stays_visible(client, db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    person = make_client(db, site, display_tag="Sage Lark 4")
    sign_in(client, db, nurse)
    page = client.get(f"/clients/{person.id}").get_data(as_text=True)
    assert "Sage Lark 4" in page and ">Note</label>" in page and ">Flag</label>" in page
    client.post(
        f"/clients/{person.id}/flags", data={"kind": "seizure_history", "note": "Fitted in 2025"}
    )
    flag = db.scalar(select(ClientFlag))
    assert flag is not None and flag.created_by_id == nurse.id
    refused = client.post(
        f"/clients/flags/{flag.id}/remove", data={"reason": ""}, follow_redirects=True
    )
    assert "Give a reason" in refused.get_data(as_text=True)
    client.post(f"/clients/flags/{flag.id}/remove", data={"reason": "Entered on the wrong client"})
    db.refresh(flag)
    assert flag.removed_at is not None and flag.removal_reason == "Entered on the wrong client"
    page = client.get(f"/clients/{person.id}").get_data(as_text=True)
    assert "Fitted in 2025" in page and "Entered on the wrong client" in page
    actions = [e.action for e in db.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "client.flag_added" in actions and "client.flag_removed" in actions


def test_a_restriction_needs_an_end_date(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.MANAGER, [site]))
    person = make_client(db, site)
    response = client.post(
        f"/clients/{person.id}/flags", data={"kind": "service_restriction", "note": "Violence"}
    )
    assert "A service restriction needs an end date." in response.get_data(as_text=True)
    assert db.scalar(select(ClientFlag)) is None
    client.post(
        f"/clients/{person.id}/flags",
        data={"kind": "service_restriction", "note": "Violence", "ends_on": "2099-12-03"},
    )
    flag = db.scalar(select(ClientFlag))
    assert flag is not None and flag.ends_on == date(2099, 12, 3)


def test_front_desk_cannot_open_client_records(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.FRONT_DESK, [site]))
    person = make_client(db, site)
    assert client.get(f"/clients/{person.id}").status_code == 403
    assert (
        client.post(
            f"/clients/{person.id}/flags", data={"kind": "allergy", "note": "x"}
        ).status_code
        == 403
    )


def test_another_sites_client_is_not_found(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.NURSE, [site]))
    theirs = make_client(db, make_site(db))
    assert client.get(f"/clients/{theirs.id}").status_code == 404


def test_a_restriction_ending_in_the_past_is_refused(client, db):
    site = make_site(db, time_zone="Pacific/Auckland")
    person = make_client(db, site)
    # 23:30 on 10 June in UTC is already 11 June in Auckland: the site's calendar decides.
    with time_machine.travel(datetime(2026, 6, 10, 23, 30, tzinfo=UTC), tick=False):
        sign_in(client, db, make_staff(db, Role.MANAGER, [site]))
        response = client.post(
            f"/clients/{person.id}/flags",
            data={"kind": "service_restriction", "note": "Violence", "ends_on": "2026-06-10"},
        )
        body = response.get_data(as_text=True)
        assert response.status_code == 422
        assert (
            '<span class="error-message" id="ends_on-error">A service restriction cannot end '
            "in the past: choose today or a later date.</span>" in body
        )
        assert db.scalar(select(ClientFlag)) is None
        assert db.scalar(select(AuditEvent).where(AuditEvent.action == "client.flag_added")) is None
        client.post(
            f"/clients/{person.id}/flags",
            data={"kind": "service_restriction", "note": "Violence", "ends_on": "2026-06-11"},
        )
    flag = db.scalar(select(ClientFlag))
    assert flag is not None and flag.ends_on == date(2026, 6, 11)


def test_a_past_end_date_does_not_matter_for_flags_that_do_not_end(client, db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    person = make_client(db, site)
    flag = add_flag(
        db, nurse, person, kind=FlagKind.ALLERGY, note="Latex", ends_on=date(2000, 1, 1)
    )
    assert flag.ends_on is None


def test_every_visit_of_a_client_can_be_reached_a_page_at_a_time(client, db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    sign_in(client, db, nurse)
    person = make_client(db, site)
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    made = [
        make_visit(
            db, site, nurse, client=person, status=VisitStatus.LEFT, at=start + timedelta(days=n)
        )
        for n in range(VISITS_PER_PAGE + 3)
    ]
    newest_first = [visit.id for visit in reversed(made)]
    first = client.get(f"/clients/{person.id}").get_data(as_text=True)
    assert f"{len(made)} visits" in first
    assert visit_links(first) == newest_first[:VISITS_PER_PAGE]
    assert f'href="/clients/{person.id}?page=2#visits">Older visits</a>' in first
    assert "Newer visits" not in first
    second = client.get(f"/clients/{person.id}?page=2").get_data(as_text=True)
    assert visit_links(second) == newest_first[VISITS_PER_PAGE:]
    assert f'href="/clients/{person.id}?page=1#visits">Newer visits</a>' in second
    assert "Older visits" not in second


def visit_links(page):
    return [uuid.UUID(found) for found in re.findall(r'href="/visits/([0-9a-f-]{36})"', page)]


def test_adding_and_removing_a_flag_say_so_and_a_second_removal_is_refused(client, db):
    site = make_site(db)
    person = make_client(db, site, display_tag="Sage Lark 4")
    sign_in(client, db, make_staff(db, Role.NURSE, [site]))
    added = client.post(
        f"/clients/{person.id}/flags",
        data={"kind": "allergy", "note": "Latex"},
        follow_redirects=True,
    )
    assert "Flag added to Sage Lark 4." in added.get_data(as_text=True)
    flag = db.scalar(select(ClientFlag))
    assert flag is not None and flag.note == "Latex"
    url = f"/clients/flags/{flag.id}/remove"
    removed = client.post(url, data={"reason": "Wrong client"}, follow_redirects=True)
    assert "Flag removed; it stays in the history." in removed.get_data(as_text=True)
    again = client.post(url, data={"reason": "Tapped twice"}, follow_redirects=True)
    assert "That flag was already removed." in again.get_data(as_text=True)
    db.refresh(flag)
    assert flag.removal_reason == "Wrong client"
    removals = db.scalars(select(AuditEvent).where(AuditEvent.action == "client.flag_removed"))
    assert len(removals.all()) == 1


def test_another_sites_flag_is_not_found_and_stays(client, db):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.NURSE, [site]))
    other = make_site(db)
    theirs = add_flag(
        db,
        make_staff(db, Role.NURSE, [other]),
        make_client(db, other),
        kind=FlagKind.ALLERGY,
        note="Latex",
        ends_on=None,
    )
    response = client.post(f"/clients/flags/{theirs.id}/remove", data={"reason": "Not ours"})
    assert response.status_code == 404
    db.refresh(theirs)
    assert theirs.removed_at is None
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "client.flag_removed")) is None
    assert (
        client.post(
            f"/clients/{theirs.client_id}/flags", data={"kind": "allergy", "note": "x"}
        ).status_code
        == 404
    )


def test_the_flag_services_themselves_refuse_front_desk_staff(db):
    from sitesys.clients.services import remove_flag
    from sitesys.refusals import NotAllowed

    site = make_site(db)
    person = make_client(db, site)
    desk = make_staff(db, Role.FRONT_DESK, [site])
    message = "Only a nurse or a manager can change a client's safety flags."
    with pytest.raises(NotAllowed, match=message):
        add_flag(db, desk, person, kind=FlagKind.ALLERGY, note="Latex", ends_on=None)
    flag = add_flag(
        db,
        make_staff(db, Role.NURSE, [site]),
        person,
        kind=FlagKind.ALLERGY,
        note="Latex",
        ends_on=None,
    )
    with pytest.raises(NotAllowed, match=message):
        remove_flag(db, desk, flag, "Wrong client")
    assert flag.removed_at is None
