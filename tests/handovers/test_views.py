from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.handovers.models import (
    Handover,
    HandoverAction,
    HandoverAddendum,
    HandoverStatus,
    Shift,
    StockItem,
)
from sitesys.handovers.services import draft_version
from tests.factories import make_site, make_staff, sign_in


def started(client, db):
    client.post("/handovers/start")
    return db.scalar(select(Handover))


def draft_data(handover, **extra):
    data = {
        "version": draft_version(handover),
        "summary": "Busy morning",
        "situation_awareness": "If Jade Wren 9 vomits, recovery position",
    }
    for person in handover.people:
        data[f"severity_{person.id}"] = "watcher"
    for row in handover.stock:
        data[f"stock_{row.id}"] = "4"
    data.update(extra)
    return data


def test_the_lead_opens_a_handover_prefilled_from_the_floor(client, db, floor):
    sign_in(client, db, floor["nurse"])
    start_page = client.get("/handovers/current").get_data(as_text=True)
    assert (
        "Handover of the Early shift" in start_page
        and ">Start handover of the Early shift</button>" in start_page
    )
    handover = started(client, db)
    page = client.get(f"/handovers/{handover.id}").get_data(as_text=True)
    for text in (
        "Amber Heron 27",
        "Teal Otter 3",
        "Jade Wren 9",
        "Booth 3: Broken light",
        "overdue alert open",
        ">Summary</label>",
        ">Situation awareness and contingencies</label>",
        ">Naloxone doses</label>",
        ">Oxygen cylinders</label>",
        "<legend>Amber Heron 27</legend>",
        ">Save draft</button>",
        ">Submit handover</button>",
        ">Add action</button>",
    ):
        assert text in page, text


def test_drafts_save_as_they_go(client, db, floor):
    sign_in(client, db, floor["nurse"])
    handover = started(client, db)
    response = client.post(
        f"/handovers/{handover.id}/draft",
        headers={"HX-Request": "true"},
        data={"summary": "Half a thought", "version": draft_version(handover)},
    )
    assert response.status_code == 200 and "Draft saved at" in response.get_data(as_text=True)
    db.refresh(handover)
    assert handover.summary == "Half a thought" and handover.status is HandoverStatus.DRAFT


def test_submission_refuses_an_incomplete_handover_but_keeps_the_text(client, db, floor):
    sign_in(client, db, floor["nurse"])
    handover = started(client, db)
    response = client.post(
        f"/handovers/{handover.id}/submit",
        data={"notes": "Kept", "version": draft_version(handover)},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Write the summary." in body and "Give the illness severity of" in body
    db.refresh(handover)
    assert handover.notes == "Kept" and handover.status is HandoverStatus.DRAFT


def test_submit_then_acknowledge_by_the_incoming_lead_only(client, app, db, floor):
    nurse = floor["nurse"]
    sign_in(client, db, nurse)
    handover = started(client, db)
    client.post(
        f"/handovers/{handover.id}/actions",
        data={"what": "Check Jade Wren 9", "owner": "Incoming lead", "by_when": "11:15"},
    )
    response = client.post(
        f"/handovers/{handover.id}/submit", data=draft_data(handover), follow_redirects=True
    )
    body = response.get_data(as_text=True)
    assert "Handover submitted." in body and "You gave this handover" in body
    db.refresh(handover)
    assert (
        handover.status is HandoverStatus.SUBMITTED and handover.actions[0].owner == "Incoming lead"
    )
    refused = client.post(f"/handovers/{handover.id}/acknowledge", data={}, follow_redirects=True)
    assert "the incoming lead must acknowledge it" in refused.get_data(as_text=True)
    changed = client.post(
        f"/handovers/{handover.id}/draft", data={"summary": "Rewritten"}, follow_redirects=True
    )
    assert "can no longer change" in changed.get_data(as_text=True)

    incoming = app.test_client()
    sign_in(incoming, db, make_staff(db, Role.NURSE, [floor["site"]]))
    home = incoming.get("/").get_data(as_text=True)
    assert "Read the Early handover from" in home
    acknowledged = incoming.post(
        f"/handovers/{handover.id}/acknowledge",
        data={"readback_note": "Jade first"},
        follow_redirects=True,
    )
    assert "You acknowledged the Early handover." in acknowledged.get_data(as_text=True)
    db.refresh(handover)
    assert handover.status is HandoverStatus.ACKNOWLEDGED and handover.readback_note == "Jade first"
    history = incoming.get("/handovers/").get_data(as_text=True)
    assert "Acknowledged" in history and nurse.display_name in history


def addendum_key(page):
    found = re.search(
        r'id="submission_key" name="submission_key" type="hidden" value="([^"]+)"', page
    )
    assert found, "the addendum form carries no submission key"
    return found.group(1)


def test_the_same_addendum_form_posted_twice_adds_one_addendum(client, db, floor):
    sign_in(client, db, floor["nurse"])
    handover = started(client, db)
    client.post(f"/handovers/{handover.id}/submit", data=draft_data(handover))
    key = addendum_key(client.get(f"/handovers/{handover.id}").get_data(as_text=True))
    form = {"text": "Naloxone was 3", "reason": "Miscounted", "submission_key": key}
    first = client.post(f"/handovers/{handover.id}/addenda", data=form)
    second = client.post(f"/handovers/{handover.id}/addenda", data=form, follow_redirects=True)
    assert first.status_code == 302 and second.status_code == 200
    page = second.get_data(as_text=True)
    assert page.count("Reason: Miscounted") == 1
    assert db.scalar(select(func.count()).select_from(HandoverAddendum)) == 1
    # A form without its key adds nothing and says why.
    keyless = client.post(
        f"/handovers/{handover.id}/addenda", data={"text": "Again", "reason": "Miscounted"}
    )
    assert keyless.status_code == 422 and "Reload the page." in keyless.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(HandoverAddendum)) == 1


def test_addendum_needs_text_and_reason_and_sits_below(client, db, floor):
    sign_in(client, db, floor["nurse"])
    handover = started(client, db)
    client.post(f"/handovers/{handover.id}/submit", data=draft_data(handover))
    key = addendum_key(client.get(f"/handovers/{handover.id}").get_data(as_text=True))
    refused = client.post(
        f"/handovers/{handover.id}/addenda", data={"text": "Naloxone 3", "submission_key": key}
    )
    refused_page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "Give the reason for the addendum." in refused_page
    # The form shown again keeps its key: it has added nothing yet.
    assert addendum_key(refused_page) == key
    form = {"text": "Naloxone was 3", "reason": "Miscounted", "submission_key": key}
    client.post(f"/handovers/{handover.id}/addenda", data=form)
    page = client.get(f"/handovers/{handover.id}").get_data(as_text=True)
    assert "Naloxone was 3" in page and "Reason: Miscounted" in page
    assert addendum_key(page) != key  # the next addendum gets a key of its own
    printable = client.get(f"/handovers/{handover.id}/print").get_data(as_text=True)
    assert "Naloxone was 3" in printable and "Amber Heron 27" in printable


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN])
def test_handover_pages_refuse_roles_without_clinical_duties(client, db, floor, role):
    nurse_client_handover = None
    sign_in(client, db, make_staff(db, role, [floor["site"]]))
    for url in ("/handovers/", "/handovers/current"):
        assert client.get(url).status_code == 403
    assert client.post("/handovers/start").status_code == 403
    assert db.scalar(select(Handover)) is nurse_client_handover


def test_another_sites_handover_is_not_found(client, app, db, floor):
    sign_in(client, db, floor["nurse"])
    handover = started(client, db)
    other = app.test_client()
    sign_in(other, db, make_staff(db, Role.NURSE, [make_site(db)]))
    assert other.get(f"/handovers/{handover.id}").status_code == 404
    assert other.post(f"/handovers/{handover.id}/acknowledge", data={}).status_code == 404


def test_admin_sets_up_shifts_with_clear_refusals(client, db, clock):
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.ADMIN))
    added = client.post(
        f"/handovers/setup/{site.id}",
        data={
            "shift-name": "Night",
            "shift-start": "20:00",
            "shift-end": "08:00",
            "shift-submit": "1",
        },
        follow_redirects=True,
    )
    assert "Added the Night shift." in added.get_data(as_text=True)
    again = client.post(
        f"/handovers/setup/{site.id}",
        data={
            "shift-name": "night",
            "shift-start": "21:00",
            "shift-end": "09:00",
            "shift-submit": "1",
        },
    )
    assert "There is already a shift called Night." in again.get_data(as_text=True)
    # A shift that starts and ends at the same time would be running round the clock.
    round_the_clock = client.post(
        f"/handovers/setup/{site.id}",
        data={
            "shift-name": "Day",
            "shift-start": "10:00",
            "shift-end": "10:00",
            "shift-submit": "1",
        },
    )
    assert "Day starts and ends at 10:00: give it its end time." in round_the_clock.get_data(
        as_text=True
    )
    [shift] = db.scalars(select(Shift).where(Shift.site_id == site.id))
    assert shift.starts_at_time.hour == 20 and shift.ends_at_time.hour == 8
    client.post(
        f"/handovers/setup/{site.id}", data={"item-name": "Defibrillator pads", "item-submit": "1"}
    )
    page = client.get(f"/handovers/setup/{site.id}").get_data(as_text=True)
    assert "Defibrillator pads is counted at handover from now on." in page
    again = client.post(
        f"/handovers/setup/{site.id}", data={"item-name": "defibrillator PADS", "item-submit": "1"}
    )
    assert again.status_code == 422
    assert "defibrillator PADS is already counted." in again.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(StockItem)) == 1


def test_nurses_cannot_change_shifts(client, db, floor):
    sign_in(client, db, floor["nurse"])
    assert client.get(f"/handovers/setup/{floor['site'].id}").status_code == 403


def test_admin_stops_using_a_shift_and_a_stock_item(client, db, clock):
    from sitesys.handovers.models import StockItem
    from sitesys.handovers.setup import add_shift, add_stock_item

    site = make_site(db)
    shift = add_shift(db, None, site, "Late", time_of(15), time_of(23))
    item = add_stock_item(db, None, site, "Defibrillator pads")
    sign_in(client, db, make_staff(db, Role.ADMIN))
    response = client.post(f"/handovers/setup/shifts/{shift.id}/retire", follow_redirects=True)
    assert "The Late shift is no longer used." in response.get_data(as_text=True)
    retired = client.post(f"/handovers/setup/items/{item.id}/retire", follow_redirects=True)
    assert "Defibrillator pads is no longer counted." in retired.get_data(as_text=True)
    db.refresh(shift)
    db.refresh(item)
    assert not shift.is_active and not item.is_active
    assert client.post("/handovers/setup/shifts/999999/retire").status_code == 404
    assert client.post(f"/handovers/setup/booths/{item.id}/retire").status_code == 404
    assert isinstance(item, StockItem)


def time_of(hour):
    from datetime import time

    return time(hour)


@pytest.mark.parametrize(
    ("args", "field"),
    [("date_to=9999-12-31", "To date"), ("date_from=0001-01-01", "From date")],
)
def test_history_refuses_dates_off_the_calendar_with_a_plain_message(
    client, db, floor, args, field
):
    sign_in(client, db, floor["nurse"])
    started(client, db)
    sign_in(client, db, make_staff(db, Role.MANAGER, [floor["site"]]))
    response = client.get(f"/handovers/?{args}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Enter a date from 1 January 2000 to 31 December 2100." in page
    # The refused date filters nothing out: the history is still listed.
    row = "Wed 10 Jun 2026 · Early</a>"
    assert row in page
    in_range = client.get("/handovers/?date_from=2026-06-11").get_data(as_text=True)
    assert row not in in_range and "Enter a date" not in in_range


def test_history_finds_a_shift_whatever_its_case_and_explains_dates_in_the_wrong_order(
    client, db, floor
):
    sign_in(client, db, floor["nurse"])
    started(client, db)
    row = "Wed 10 Jun 2026 · Early</a>"
    for typed in ("Early", "early", "EARLY"):
        assert row in client.get(f"/handovers/?shift={typed}").get_data(as_text=True), typed
    assert row not in client.get("/handovers/?shift=late").get_data(as_text=True)
    backwards = client.get("/handovers/?date_from=2026-06-12&date_to=2026-06-01")
    assert "The end date is before the start date." in backwards.get_data(as_text=True)


#: Every handover page: its endpoint, its address and the methods it answers. Templates, tests
#: and bookmarks use them, so moving a view between modules must change none of them.
HANDOVER_PAGES = {
    "handovers.index": ("/handovers/", {"GET"}),
    "handovers.current": ("/handovers/current", {"GET"}),
    "handovers.start": ("/handovers/start", {"POST"}),
    "handovers.show": ("/handovers/<uuid:handover_id>", {"GET"}),
    "handovers.refresh": ("/handovers/<uuid:handover_id>/refresh", {"POST"}),
    "handovers.actions": ("/handovers/<uuid:handover_id>/actions", {"POST"}),
    "handovers.remove": (
        "/handovers/<uuid:handover_id>/actions/<int:action_id>/remove",
        {"POST"},
    ),
    "handovers.acknowledge": ("/handovers/<uuid:handover_id>/acknowledge", {"POST"}),
    "handovers.addenda": ("/handovers/<uuid:handover_id>/addenda", {"POST"}),
    "handovers.printable": ("/handovers/<uuid:handover_id>/print", {"GET"}),
    "handovers.versions": ("/handovers/<uuid:handover_id>/versions", {"GET"}),
    "handovers.draft": ("/handovers/<uuid:handover_id>/draft", {"POST"}),
    "handovers.submit": ("/handovers/<uuid:handover_id>/submit", {"POST"}),
    "handovers.setup": ("/handovers/setup/<int:site_id>", {"GET", "POST"}),
    "handovers.retire": (
        "/handovers/setup/<any(shifts, items):kind>/<int:record_id>/retire",
        {"POST"},
    ),
}


def test_every_handover_page_keeps_its_address_and_endpoint(app):
    rules = {
        rule.endpoint: (rule.rule, set(rule.methods or ()) - {"HEAD", "OPTIONS"})
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("handovers.")
    }
    assert rules == HANDOVER_PAGES


def events(db, action):
    return list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_snapshot_is_taken_again_while_drafting_and_not_once_submitted(client, db, floor):
    sign_in(client, db, floor["nurse"])
    handover = started(client, db)
    refreshed = client.post(f"/handovers/{handover.id}/refresh", follow_redirects=True)
    assert "Snapshot taken again from the floor as it is now." in refreshed.get_data(as_text=True)
    assert len(events(db, "handover.snapshot_refreshed")) == 1
    client.post(f"/handovers/{handover.id}/submit", data=draft_data(handover))
    db.refresh(handover)
    taken_at = handover.snapshot_at
    refused = client.post(f"/handovers/{handover.id}/refresh", follow_redirects=True)
    page = refused.get_data(as_text=True)
    assert "This handover was submitted and can no longer change" in page
    assert "Snapshot taken again" not in page
    db.refresh(handover)
    assert handover.snapshot_at == taken_at and len(events(db, "handover.snapshot_refreshed")) == 1


def test_an_action_is_added_and_removed_while_drafting_with_each_step_said(client, db, floor):
    sign_in(client, db, floor["nurse"])
    handover = started(client, db)
    added = client.post(
        f"/handovers/{handover.id}/actions",
        data={"what": "Check Jade Wren 9", "owner": "Incoming lead"},
        follow_redirects=True,
    )
    assert "Action added." in added.get_data(as_text=True)
    [action] = db.scalars(select(HandoverAction))
    assert action.what == "Check Jade Wren 9" and action.owner == "Incoming lead"
    action_id = action.id
    missing = client.post(
        f"/handovers/{handover.id}/actions", data={"what": "No owner"}, follow_redirects=True
    )
    assert "An action needs what is to be done and who owns it." in missing.get_data(as_text=True)
    unknown = client.post(
        f"/handovers/{handover.id}/actions/{action_id + 1000}/remove", follow_redirects=True
    )
    assert "That action is not on this handover." in unknown.get_data(as_text=True)
    assert events(db, "handover.action_removed") == []
    removed = client.post(
        f"/handovers/{handover.id}/actions/{action_id}/remove", follow_redirects=True
    )
    assert "Action removed from the draft." in removed.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(HandoverAction)) == 0
    assert [e.detail["action_id"] for e in events(db, "handover.action_removed")] == [action_id]


@pytest.mark.backend("postgresql")
def test_a_post_locks_the_handover_row_and_reading_it_does_not(client, db, floor, count_queries):
    """Two incoming leads acknowledging at once take turns (the second is told it was already
    acknowledged); reading the handover locks nothing."""
    sign_in(client, db, floor["nurse"])
    handover = started(client, db)
    client.post(f"/handovers/{handover.id}/submit", data=draft_data(handover))
    sign_in(client, db, make_staff(db, Role.NURSE, [floor["site"]]))
    with count_queries() as reading:
        client.get(f"/handovers/{handover.id}")
        client.get(f"/handovers/{handover.id}/print")
    with count_queries() as acknowledging:
        client.post(f"/handovers/{handover.id}/acknowledge", data={})
    assert not any("FOR UPDATE" in statement for statement in reading.statements)
    assert any(
        "FROM handovers" in statement and "FOR UPDATE OF handovers" in statement
        for statement in acknowledging.statements
    )


@pytest.mark.backend("postgresql")
@pytest.mark.parametrize(
    "step", ["draft", "submit", "refresh", "actions", "remove", "acknowledge", "addenda"]
)
def test_every_change_to_a_handover_takes_its_row_lock_before_reading_it(
    client, db, floor, count_queries, step
):
    """Each view that changes a handover locks its row, then reads it (and what hangs from
    it) under the lock: a change decides on the handover as it is, never as it was."""
    sign_in(client, db, floor["nurse"])
    handover = started(client, db)
    client.post(f"/handovers/{handover.id}/actions", data={"what": "Check", "owner": "Lead"})
    [action] = db.scalars(select(HandoverAction))
    if step in ("acknowledge", "addenda"):
        client.post(f"/handovers/{handover.id}/submit", data=draft_data(handover))
        sign_in(client, db, make_staff(db, Role.NURSE, [floor["site"]]))
    url = {
        "remove": f"/handovers/{handover.id}/actions/{action.id}/remove",
    }.get(step, f"/handovers/{handover.id}/{step}")
    with count_queries() as changing:
        client.post(url, data=draft_data(handover))
    handover_reads = [s for s in changing.statements if "FROM handovers" in s]
    assert "FOR UPDATE OF handovers" in handover_reads[0]
    assert all("FOR UPDATE" not in s for s in handover_reads[1:])


def test_the_snapshot_is_kept_in_english_whatever_language_the_lead_reads(client, db, floor):
    """A snapshot is a record: taken by a lead reading another language (the pseudo-locale
    here), its words are kept in English, and translated only as the page shows them."""
    sign_in(client, db, floor["nurse"], floor["site"])
    client.post("/handovers/start?lang=en_XA")
    handover = db.scalar(select(Handover))
    kept = json.dumps(handover.snapshot, ensure_ascii=False)
    assert "⟦" not in kept
    assert '"check": "Overdue"' in kept or '"check": "Checked"' in kept
    page = client.get(f"/handovers/{handover.id}?lang=en_XA").get_data(as_text=True)
    assert "⟦Šñåpšhöt åt" in page and "⟦Övérdûé ćhéćkš⟧" in page


def test_an_incoming_lead_who_lands_on_the_board_is_told_a_handover_waits(client, app, db, floor):
    sign_in(client, db, floor["nurse"])
    handover = started(client, db)
    client.post(f"/handovers/{handover.id}/submit", data=draft_data(handover))
    incoming = app.test_client()
    sign_in(incoming, db, make_staff(db, Role.NURSE, [floor["site"]]))
    # A nurse's landing page is the board: the strip there says what waits on Home.
    board = incoming.get("/board/").get_data(as_text=True)
    assert "Waiting for you:" in board and "1 handover to acknowledge." in board
    assert 'href="/">See them on Home</a>' in board
    # Home lists the handover itself, without the strip.
    home = incoming.get("/").get_data(as_text=True)
    assert "Read the Early handover from" in home and "Waiting for you:" not in home
    incoming.post(f"/handovers/{handover.id}/acknowledge", data={"readback_note": "Read"})
    assert "Waiting for you:" not in incoming.get("/board/").get_data(as_text=True)
    # The outgoing lead is not asked to acknowledge their own handover.
    assert "handover to acknowledge" not in client.get("/board/").get_data(as_text=True)
