from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from sitesys.audit.services import AuditDetailError, record_event
from sitesys.auth.roles import Role
from tests.factories import make_site, make_staff, sign_in


def test_manager_sees_only_their_sites_trail(client, db):
    mine, theirs = make_site(db), make_site(db)
    manager = make_staff(db, Role.MANAGER, [mine])
    record_event(
        db, "booth.cleaned", actor=manager, record_type="booth", record_id=1, site_id=mine.id
    )
    record_event(
        db, "booth.retired", actor=None, record_type="booth", record_id=2, site_id=theirs.id
    )
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
