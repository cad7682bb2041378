"""Wall-board displays: registered by an admin, paired once by a code, the board only, never
idling out, revoked at once."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.board.models import Display
from sitesys.clock import utcnow
from sitesys.observations.scoring import Consciousness
from sitesys.observations.services import ObservationInput, record_observation
from sitesys.sites.models import BoothStatus
from tests.checkin.helpers import floor
from tests.factories import make_client, make_staff, make_visit, sign_in

CODE = re.compile(r"Pairing code for ([^:]+): ([A-Z0-9]{4}-[A-Z0-9]{4})\.")


def _events(db, action):
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _register(app, db, site, name="Nurses&#39; station"):
    admin = app.test_client()
    admin_staff = make_staff(db, Role.ADMIN, [])
    sign_in(admin, db, admin_staff)
    reply = admin.post("/board/displays", data={"name": "Nurses' station", "site": site.id})
    assert reply.status_code == 302 and reply.headers["Location"] == "/board/displays"
    page = admin.get("/board/displays").get_data(as_text=True)
    match = CODE.search(page)
    assert match and match.group(1) == name, page
    return admin, admin_staff, match.group(2)


def _pair(app, code):
    device = app.test_client()
    reply = device.post("/display", data={"code": code})
    return device, reply


def test_an_admin_registers_a_display_and_a_tablet_pairs_with_the_code_once(client, app, db):
    site, _booths, _nurse = floor(db, client, Role.NURSE)
    admin, admin_staff, code = _register(app, db, site)
    [display] = db.scalars(select(Display)).all()
    assert display.site_id == site.id and display.created_by_id == admin_staff.id
    # Only the code's digest is kept.
    assert code.replace("-", "") not in (display.pairing_digest or "")
    [registered] = _events(db, "display.registered")
    assert registered.actor_id == admin_staff.id and registered.record_id == str(display.id)

    # Typed in lower case with a space instead of the hyphen, it still pairs.
    _device, reply = _pair(app, code.lower().replace("-", " "))
    assert reply.status_code == 302 and reply.headers["Location"] == "/display"
    db.refresh(display)
    assert display.is_paired and display.pairing_digest is None and display.paired_at
    assert display.last_seen_from == "127.0.0.1"
    [paired] = _events(db, "display.paired")
    assert paired.actor_id is None and paired.detail == {"address": "127.0.0.1"}
    # A second tablet with the same code is refused: a code works once.
    _other, again = _pair(app, code)
    assert again.status_code == 422
    assert "That pairing code is not valid" in again.get_data(as_text=True)
    listing = admin.get("/board/displays").get_data(as_text=True)
    assert "Nurses&#39; station" in listing and "Paired" in listing and "127.0.0.1" in listing


def test_a_pairing_code_expires_after_ten_minutes(client, app, db):
    site, _booths, _nurse = floor(db, client, Role.NURSE)
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        _admin, _staff, code = _register(app, db, site)
        clock.shift(timedelta(minutes=10, seconds=1))
        _device, reply = _pair(app, code)
    assert reply.status_code == 422
    assert "A code works once, for 10 minutes" in reply.get_data(as_text=True)
    _device, wrong = _pair(app, "ABCD-EFGH")
    assert wrong.status_code == 422


def test_a_display_shows_the_board_only(client, app, db):
    site, booths, nurse = floor(db, client, Role.NURSE)
    red = make_visit(
        db, site, nurse, booth=booths[0], client=make_client(db, site, display_tag="Amber Heron 27")
    )
    record_observation(db, nurse, red, ObservationInput(Consciousness.UNRESPONSIVE), "k-d1")
    make_visit(db, site, nurse, client=make_client(db, site, display_tag="Teal Otter 3"))
    booths[1].status = BoothStatus.OUT_OF_SERVICE
    booths[1].out_of_service_reason = "Needle found under the seat"
    booths[2].status = BoothStatus.NEEDS_CLEANING
    db.flush()
    _admin, _staff, code = _register(app, db, site)
    device, _reply = _pair(app, code)
    page = device.get("/display").get_data(as_text=True)
    board = page[page.index('<div id="board"') :]
    assert 'hx-get="/display/partial"' in board and "data-display" in board
    assert "Amber Heron 27" in board and "Teal Otter 3" in board
    assert "tile-emergency" in board and "Emergency" in board
    assert "Waiting list" in board and "Aftercare" in board
    # No actions, no links into records, no free-text notes.
    assert "<form" not in board and "<button" not in board and "href=" not in board
    assert "Needle found" not in board and "Out of service" in board
    assert "Needs cleaning" in board
    poll = device.get("/display/partial", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and "Amber Heron 27" in poll.get_data(as_text=True)
    # A member of staff's board is not changed by it: theirs keeps its buttons.
    assert ">Start emergency response<span" in client.get("/board/partial").get_data(as_text=True)


def test_a_display_never_idles_out_while_it_polls_and_is_seen(client, app, db):
    site, _booths, _nurse = floor(db, client, Role.NURSE)
    site.idle_timeout_minutes = 15
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        _admin, _staff, code = _register(app, db, site)
        device, _reply = _pair(app, code)
        for _ in range(12):  # three hours of polls, every quarter of an hour
            clock.shift(timedelta(minutes=15))
            poll = device.get("/display/partial", headers={"HX-Request": "true"})
            assert poll.status_code == 200
        [display] = db.scalars(select(Display)).all()
        db.refresh(display)
        assert display.last_seen_at == utcnow()
    # Seen every quarter of an hour: each comes after a gap, so each is audited as in use, and
    # the audit log names the device by the display's name.
    in_use = _events(db, "display.in_use")
    assert len(in_use) == 12
    assert {event.device for event in in_use} == {"Display: Nurses' station"}


def test_a_revoked_display_ends_at_its_next_poll(client, app, db):
    site, _booths, _nurse = floor(db, client, Role.NURSE)
    admin, admin_staff, code = _register(app, db, site)
    device, _reply = _pair(app, code)
    assert device.get("/display/partial", headers={"HX-Request": "true"}).status_code == 200
    [display] = db.scalars(select(Display)).all()
    reply = admin.post(f"/board/displays/{display.id}/revoke")
    assert reply.status_code == 302
    db.refresh(display)
    assert display.is_revoked and display.revoked_by_id == admin_staff.id
    [revoked] = _events(db, "display.revoked")
    assert revoked.actor_id == admin_staff.id
    poll = device.get("/display/partial", headers={"HX-Request": "true"})
    assert poll.status_code == 401 and poll.headers["HX-Redirect"] == "/display"
    page = device.get("/display").get_data(as_text=True)
    assert "This display was disconnected by an admin" in page
    assert "Pairing code" in page and 'id="board"' not in page
    # Its old code and token are spent; a new code cannot be issued for a revoked display.
    assert admin.post(f"/board/displays/{display.id}/code").status_code == 302
    assert "was revoked. Register the display again." in admin.get("/board/displays").get_data(
        as_text=True
    )


def test_a_new_code_moves_the_display_to_a_new_tablet(client, app, db):
    site, _booths, _nurse = floor(db, client, Role.NURSE)
    admin, _staff, code = _register(app, db, site)
    first, _reply = _pair(app, code)
    [display] = db.scalars(select(Display)).all()
    admin.post(f"/board/displays/{display.id}/code")
    match = CODE.search(admin.get("/board/displays").get_data(as_text=True))
    assert match
    second, reply = _pair(app, match.group(2))
    assert reply.status_code == 302
    assert second.get("/display/partial", headers={"HX-Request": "true"}).status_code == 200
    assert first.get("/display/partial", headers={"HX-Request": "true"}).status_code == 401
    assert len(_events(db, "display.pairing_code_issued")) == 1


def test_only_an_admin_manages_displays_and_nobody_sees_a_board_without_pairing(client, app, db):
    site, _booths, _nurse = floor(db, client, Role.MANAGER)
    assert client.get("/board/displays").status_code == 403
    assert client.post("/board/displays", data={"name": "X", "site": site.id}).status_code == 403
    stranger = app.test_client()
    assert stranger.get("/display/partial", headers={"HX-Request": "true"}).status_code == 401
    page = stranger.get("/display").get_data(as_text=True)
    assert 'id="board"' not in page and "Pairing code" in page
    assert db.scalars(select(Display)).all() == []
