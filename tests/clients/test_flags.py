from __future__ import annotations

from datetime import date

from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.clients.models import ClientFlag
from tests.factories import make_client, make_site, make_staff, sign_in


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
