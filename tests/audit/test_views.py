from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sitesys.audit.services import AuditDetailError, record_event
from sitesys.auth.roles import Role
from tests.factories import make_booth, make_site, make_staff, sign_in


def test_manager_sees_only_their_sites_trail(client, db):
    mine, theirs = make_site(db), make_site(db)
    manager = make_staff(db, Role.MANAGER, [mine])
    record_event(db, "booth.cleaned", actor=manager, record=make_booth(db, mine))
    record_event(db, "booth.retired", actor=None, record=make_booth(db, theirs))
    sign_in(client, db, manager)
    page = client.get(f"/audit/?site={theirs.id}").get_data(as_text=True)
    assert "<code>booth.cleaned</code>" in page and "<code>booth.retired</code>" not in page


def test_admin_filters_by_action_actor_and_date(client, db):
    site = make_site(db)
    admin = make_staff(db, Role.ADMIN)
    nurse = make_staff(db, Role.NURSE, [site])
    record_event(db, "visit.checked_in", actor=nurse, site_id=site.id)
    record_event(db, "booth.cleaned", actor=None, site_id=site.id)
    sign_in(client, db, admin)
    by_action = client.get("/audit/?action=visit.").get_data(as_text=True)
    assert (
        "<code>visit.checked_in</code>" in by_action
        and "<code>booth.cleaned</code>" not in by_action
    )
    by_actor = client.get("/audit/?actor=system").get_data(as_text=True)
    assert (
        "<code>booth.cleaned</code>" in by_actor and "<code>visit.checked_in</code>" not in by_actor
    )
    future = client.get("/audit/?date_from=2099-01-01").get_data(as_text=True)
    assert "<code>visit.checked_in</code>" not in future and "No events match" in future
    injected = client.get("/audit/?action=x%27%20OR%201=1").get_data(as_text=True)
    assert "Actions look like visit.checked_in." in injected
    # "_" is a character of the action typed, not a wildcard matching every event ("%" is
    # refused above, as any character no action has).
    for wildcard in ("_", "visit_"):
        matched = client.get(f"/audit/?action={wildcard}").get_data(as_text=True)
        assert "<code>visit.checked_in</code>" not in matched, wildcard
        assert "<code>booth.cleaned</code>" not in matched, wildcard


def test_audit_detail_refuses_free_text(db):
    with pytest.raises(AuditDetailError):
        record_event(db, "incident.drafted", actor=None, narrative="x" * 200)
    with pytest.raises(AuditDetailError):
        record_event(db, "incident.drafted", actor=None, nested={"a": 1})


def test_audit_rows_cannot_be_changed_or_deleted(db):
    event = record_event(db, "booth.cleaned", actor=None)
    for statement in (
        "UPDATE audit_events SET action = 'x' WHERE id = :id",
        "DELETE FROM audit_events WHERE id = :id",
    ):
        nested = db.begin_nested()
        with pytest.raises(DBAPIError, match="append-only"):
            db.execute(text(statement), {"id": event.id})
        nested.rollback()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER])
@pytest.mark.parametrize(
    "query", ["date_to=9999-12-31", "date_from=0001-01-01", "date_from=9999-12-31"]
)
def test_a_date_out_of_range_is_refused_with_a_message_not_an_error_page(client, db, role, query):
    # Tokyo is ahead of UTC: its local midnight of 1 January of year 1 is in year 0 in UTC.
    site = make_site(db, time_zone="Asia/Tokyo")
    staff = make_staff(db, role, [site])
    record_event(db, "booth.cleaned", actor=staff, site_id=site.id)
    sign_in(client, db, staff, site)
    response = client.get(f"/audit/?{query}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Enter a date from 1 January 2000 to 31 December 2100." in body


def test_the_last_and_first_dates_in_range_still_filter(client, db):
    site = make_site(db)
    admin = make_staff(db, Role.ADMIN)
    record_event(db, "booth.cleaned", actor=admin, site_id=site.id)
    sign_in(client, db, admin)
    body = client.get("/audit/?date_from=2000-01-01&date_to=2100-12-31").get_data(as_text=True)
    assert "<code>booth.cleaned</code>" in body and "Enter a date from" not in body


def test_a_manager_asking_for_another_sites_trail_is_told_plainly(client, db):
    mine, theirs = make_site(db), make_site(db)
    manager = make_staff(db, Role.MANAGER, [mine])
    sign_in(client, db, manager, mine)
    body = client.get(f"/audit/?site={theirs.id}&actor=99999").get_data(as_text=True)
    assert "Not a valid choice" not in body
    assert "Choose a staff member from the list." in body
