"""Reading is accounted for: a client's page, a visit, an incident, a printable view, an export
and every look-up of a client's code each leave an audit event, marked as a reading, with no
code or free text in it; the board, which watches the trail for changes, passes over them.
"""

from __future__ import annotations

from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.board.freshness import fingerprint
from sitesys.clock import utcnow
from tests.checkin.helpers import check_in_form, confirmed
from tests.checkin.helpers import floor as desk_floor
from tests.factories import sign_in
from tests.incidents.helpers import make_floor, started


def _readings(db, actor):
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.actor_id == actor.id, AuditEvent.is_read)
            .order_by(AuditEvent.id)
        )
    )


def test_opening_a_client_a_visit_and_an_incident_and_printing_it_are_audited(client, db):
    floor = make_floor(db)
    incident = started(db, floor)
    db.commit()
    sign_in(client, db, floor.nurse)
    board_before = fingerprint(db, floor.site.id)
    person = floor.visit.client
    for url in (
        f"/clients/{person.id}",
        f"/visits/{floor.visit.id}",
        f"/visits/{floor.visit.id}/observations",
        f"/incidents/{incident.id}",
        f"/incidents/{incident.id}/print",
    ):
        assert client.get(url, headers={"User-Agent": "Ward tablet"}).status_code == 200, url
    read = [
        (event.action, event.record_type, event.record_id, event.site_id)
        for event in _readings(db, floor.nurse)
    ]
    assert read == [
        ("client.page_read", "client", str(person.id), floor.site.id),
        ("visit.page_read", "visit", str(floor.visit.id), floor.site.id),
        ("visit.observations_read", "visit", str(floor.visit.id), floor.site.id),
        ("incident.page_read", "incident", str(incident.id), floor.site.id),
        ("incident.printed", "incident", str(incident.id), floor.site.id),
    ]
    events = _readings(db, floor.nurse)
    assert all(event.hash is not None for event in events)  # committed, sealed into the chain
    assert {event.device for event in events} == {"Ward tablet"}
    assert fingerprint(db, floor.site.id) == board_before


def test_a_page_that_is_not_found_records_no_reading(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.nurse)
    assert client.get(f"/visits/{floor.visit.client_id}").status_code == 404
    assert _readings(db, floor.nurse) == []


def test_every_look_up_of_a_code_is_audited_without_the_code(client, db):
    site, _booths, desk = desk_floor(db, client)
    client.post("/checkin", data={**check_in_form(), "find": "1"})
    [new] = _readings(db, desk)
    assert (new.action, new.record_type, new.record_id, new.site_id) == (
        "client.code_looked_up",
        "client",
        None,
        site.id,
    )
    assert new.detail == {"found": False}
    form = confirmed(client, check_in_form())
    client.post("/checkin", data={**form, "submit": "1"})
    client.post("/checkin", data={**check_in_form(), "find": "1"})
    events = _readings(db, desk)
    assert [event.detail["found"] for event in events] == [False, False, False, True]
    assert events[-1].record_id is not None
    assert all("JOMA" not in str(event.detail).upper() for event in events)


def test_a_walk_in_and_a_code_off_the_recipe_look_nobody_up(client, db):
    _site, _booths, desk = desk_floor(db, client)
    client.post("/checkin", data={**check_in_form(client_code=None, walk_in="y"), "find": "1"})
    client.post("/checkin", data={**check_in_form(client_code="!!"), "find": "1"})
    assert _readings(db, desk) == []


def test_an_export_is_audited_as_a_reading(client, db):
    floor = make_floor(db)
    sign_in(client, db, floor.manager)
    stamp = utcnow().date().isoformat()
    response = client.post("/incidents/export", data={"date_from": stamp})
    assert response.status_code == 200
    [export] = _readings(db, floor.manager)
    assert export.action == "incidents.exported" and export.record_type == "incident"
