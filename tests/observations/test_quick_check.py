"""A quick check after a red flag or close watch: asked about first, never ending close watch,
and the same from the visit page or a board tile.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.board.services import read_board
from sitesys.clock import utcnow
from sitesys.observations.latest import latest_observations
from sitesys.observations.models import Observation, ObservationKind
from sitesys.observations.scoring import Consciousness, Poss
from sitesys.observations.services import (
    FullSetAdvised,
    ObservationInput,
    full_set_advice,
    record_observation,
    record_quick_check,
    strike_observation,
)
from sitesys.observations.tasks import raise_overdue_alerts
from tests.factories import make_booth, make_site, make_staff, make_visit, sign_in
from tests.observations.helpers import full, nurse_with_visit

#: POSS 3 puts a client on close watch (no red flag); breathing 7 a minute is a red flag alone.
DROWSY = ObservationInput(Consciousness.ALERT, poss=Poss.FREQUENTLY_DROWSY)
SLOW_BREATHING = ObservationInput(Consciousness.ALERT, respiratory_rate=7)


def floor(db, **site):
    site = make_site(db, **site)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, booth=make_booth(db, site))
    return site, nurse, visit


def record(db, nurse, visit, reading):
    return record_observation(db, nurse, visit, reading, str(uuid.uuid4()))


def checks(db):
    return list(db.scalars(select(Observation).order_by(Observation.id)))


def quick_check_events(db):
    return list(
        db.scalars(select(AuditEvent).where(AuditEvent.action == "observation.quick_check"))
    )


# The rule, in the service -------------------------------------------------------------------


def test_a_quick_check_within_close_watch_is_asked_about_and_records_nothing(db):
    _site, nurse, visit = floor(db)
    worrying = record(db, nurse, visit, DROWSY)
    assert worrying.needs_close_watch and not worrying.prompts_emergency
    with pytest.raises(FullSetAdvised) as asked:
        record_quick_check(db, nurse, visit, str(uuid.uuid4()))
    assert str(asked.value) == (
        f"{visit.display_tag} is on close watch: POSS 3. A quick check does not end it; only a "
        "full set that measures these again and finds them calmer does."
    )
    assert asked.value.worrying is worrying
    assert checks(db) == [worrying]
    assert quick_check_events(db) == []


def test_a_red_flag_without_close_watch_also_asks_for_a_full_set(db):
    _site, nurse, visit = floor(db)
    flagged = record(db, nurse, visit, SLOW_BREATHING)
    assert flagged.prompts_emergency and not flagged.needs_close_watch
    with pytest.raises(FullSetAdvised, match="last full set raised a red flag: Respiratory rate"):
        record_quick_check(db, nurse, visit, str(uuid.uuid4()))
    assert full_set_advice(db, visit) is flagged


def test_going_ahead_records_the_quick_check_and_close_watch_goes_on(db):
    start = utcnow()
    site, nurse, visit = floor(db, booth_check_minutes=5, close_watch_minutes=2)
    with time_machine.travel(start, tick=False) as clock:
        worrying = record(db, nurse, visit, DROWSY)
        for _ in range(3):
            clock.shift(timedelta(minutes=1))
            check = record_quick_check(db, nurse, visit, str(uuid.uuid4()), despite_advice=True)
            assert check.kind is ObservationKind.QUICK_CHECK
        latest = latest_observations(db, [visit.id])
        # The quick checks move the clock on; the score and close watch still come from POSS 3.
        assert latest.last_checked_at[visit.id] == check.recorded_at
        assert latest.latest_full[visit.id] is worrying
        assert latest.close_watch(visit.id) and latest.calls_for_full_set(visit.id)
        card = read_board(db, site, utcnow()).tiles[0].card
        assert card.close_watch and card.latest is worrying
        # Checked on the close-watch interval (2 minutes), not the booth's 5.
        clock.shift(timedelta(minutes=2))
        assert read_board(db, site, utcnow()).tiles[0].card.check.value == "due"
        clock.shift(timedelta(minutes=2))
        assert raise_overdue_alerts(db) == 1
    assert full_set_advice(db, visit) is worrying
    events = quick_check_events(db)
    assert len(events) == 3
    assert all(event.detail["full_set_advised"] is True for event in events)


def test_a_partial_set_that_leaves_out_what_worried_does_not_end_it(db):
    _site, nurse, visit = floor(db)
    worrying = record(db, nurse, visit, DROWSY)
    record(db, nurse, visit, ObservationInput(Consciousness.ALERT, pulse=72))
    assert full_set_advice(db, visit) is worrying
    with pytest.raises(FullSetAdvised):
        record_quick_check(db, nurse, visit, str(uuid.uuid4()))


def test_a_calmer_full_set_ends_it_and_quick_checks_are_one_tap_again(db):
    _site, nurse, visit = floor(db)
    record(db, nurse, visit, DROWSY)
    record(db, nurse, visit, ObservationInput(Consciousness.ALERT, poss=Poss.DROWSY))
    assert full_set_advice(db, visit) is None
    check = record_quick_check(db, nurse, visit, str(uuid.uuid4()))
    assert check.kind is ObservationKind.QUICK_CHECK
    [event] = quick_check_events(db)
    assert event.detail["full_set_advised"] is False


def test_a_struck_through_worrying_set_asks_for_nothing(db):
    _site, nurse, visit = floor(db)
    mistaken = record(db, nurse, visit, DROWSY)
    strike_observation(db, nurse, mistaken, "Wrong client")
    assert full_set_advice(db, visit) is None
    record_quick_check(db, nurse, visit, str(uuid.uuid4()))


def test_a_double_tap_of_the_go_ahead_records_one_quick_check(db):
    _site, nurse, visit = floor(db)
    record(db, nurse, visit, DROWSY)
    key = str(uuid.uuid4())
    first = record_quick_check(db, nurse, visit, key, despite_advice=True)
    again = record_quick_check(db, nurse, visit, key, despite_advice=True)
    assert again is first
    assert len(quick_check_events(db)) == 1


# The visit page -----------------------------------------------------------------------------


def action_order(page):
    """The labels of the visit page's two check buttons, in page order, with their classes."""
    checks_part = page.split('aria-label="Checks"')[1].split("</section>")[0]
    found = []
    for label in ("Full observation", "Quick check"):
        at = checks_part.index(f">{label}</")
        start = checks_part.rindex("class=", 0, at)
        found.append((at, label, checks_part[start:at].split('"')[1]))
    return [(label, classes) for _at, label, classes in sorted(found)]


def test_the_visit_page_offers_quick_check_first_when_nothing_worries(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert action_order(page) == [
        ("Quick check", "button-big"),
        ("Full observation", "button button-big button-secondary"),
    ]
    assert "A full set is advised" not in page


def test_after_close_watch_the_visit_page_offers_the_full_set_first(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(poss="3"))
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert action_order(page) == [
        ("Full observation", "button button-big"),
        ("Quick check", "button-secondary"),
    ]
    assert "A full set is advised: a quick check does not end close watch." in page
    # The score and the buttons are at the top, before the visit's details.
    assert page.index('aria-label="Checks"') < page.index("<h2>Visit</h2>")


def test_after_a_red_flag_the_visit_page_offers_the_full_set_first(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(respiratory_rate="7"))
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert action_order(page)[0] == ("Full observation", "button button-big")
    assert "a quick check does not end the red flag." in page
    assert "<strong>Start emergency response.</strong> Respiratory rate 8 or less" in page


# The question, without script ---------------------------------------------------------------


def test_the_question_leads_to_the_full_form_or_records_the_quick_check(client, db):
    _site, visit, nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(poss="3"))
    tapped = client.post(
        f"/visits/{visit.id}/quick-check", data={"submission_key": str(uuid.uuid4())}
    )
    assert tapped.status_code == 302
    assert tapped.headers["Location"] == f"/visits/{visit.id}/quick-check"
    assert [o.kind for o in checks(db)] == [ObservationKind.FULL]

    question = client.get(tapped.headers["Location"]).get_data(as_text=True)
    assert "<h1>Record a full set instead?</h1>" in question
    assert f"{visit.display_tag} is on close watch: POSS 3." in question
    assert "The quick check has not been recorded." in question
    assert f'href="/visits/{visit.id}/observations/new">Record a full set</a>' in question
    assert ">Quick check anyway</button>" in question
    key = question.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    assert 'name="despite_advice" type="hidden" value="yes"' in question

    went_ahead = client.post(
        f"/visits/{visit.id}/quick-check",
        data={"submission_key": key, "despite_advice": "yes"},
        follow_redirects=True,
    )
    body = went_ahead.get_data(as_text=True)
    assert "responsive, breathing normally." in body
    assert "<strong>close watch</strong>" in body  # still on close watch
    _full_set, quick = checks(db)
    assert quick.kind is ObservationKind.QUICK_CHECK and quick.recorded_by_id == nurse.id
    [event] = quick_check_events(db)
    assert event.detail["full_set_advised"] is True and event.record_id == str(quick.id)


def test_the_question_is_not_asked_when_nothing_worries(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    reply = client.get(f"/visits/{visit.id}/quick-check")
    assert reply.status_code == 302 and reply.headers["Location"] == f"/visits/{visit.id}"


def test_the_question_is_for_this_sites_nurses_and_managers(client, db):
    site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(poss="3"))
    sign_in(client, db, make_staff(db, Role.MANAGER, [site]))
    assert "Record a full set instead?" in client.get(f"/visits/{visit.id}/quick-check").get_data(
        as_text=True
    )
    sign_in(client, db, make_staff(db, Role.FRONT_DESK, [site]))
    assert client.get(f"/visits/{visit.id}/quick-check").status_code == 403
    refused = client.post(
        f"/visits/{visit.id}/quick-check",
        data={"submission_key": str(uuid.uuid4()), "despite_advice": "yes"},
    )
    assert refused.status_code == 403
    sign_in(client, db, make_staff(db, Role.NURSE, [make_site(db)]))
    assert client.get(f"/visits/{visit.id}/quick-check").status_code == 404
    assert len(checks(db)) == 1


# From a board tile --------------------------------------------------------------------------


def test_a_quick_check_from_a_board_tile_goes_back_to_the_board(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    reply = client.post(
        f"/visits/{visit.id}/quick-check?next=/board/",
        data={"submission_key": str(uuid.uuid4())},
    )
    assert reply.status_code == 302 and reply.headers["Location"] == "/board/"
    board = client.get("/board/").get_data(as_text=True)
    assert "responsive, breathing normally." in board
    [check] = checks(db)
    assert check.kind is ObservationKind.QUICK_CHECK
    # `next` may also come with the form itself.
    again = client.post(
        f"/visits/{visit.id}/quick-check",
        data={"submission_key": str(uuid.uuid4()), "next": "/board/"},
    )
    assert again.headers["Location"] == "/board/" and len(checks(db)) == 2


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example/", "board", "javascript:x"],
)
def test_a_quick_check_never_goes_back_to_another_site(client, db, target):
    _site, visit, _nurse = nurse_with_visit(db, client)
    reply = client.post(
        f"/visits/{visit.id}/quick-check",
        query_string={"next": target},
        data={"submission_key": str(uuid.uuid4())},
    )
    assert reply.headers["Location"] == f"/visits/{visit.id}"
    assert len(checks(db)) == 1


def test_a_board_tile_on_close_watch_is_refused_and_led_to_the_full_form(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(poss="3"))
    reply = client.post(
        f"/visits/{visit.id}/quick-check?next=/board/",
        data={"submission_key": str(uuid.uuid4())},
        follow_redirects=True,
    )
    body = reply.get_data(as_text=True)
    assert reply.request.path == f"/visits/{visit.id}/quick-check"
    assert f"{visit.display_tag} is on close watch: POSS 3." in body
    assert "The quick check has not been recorded." in body
    full_form = f"/visits/{visit.id}/observations/new?next=/board/"
    assert f'href="{full_form}">Record a full set</a>' in body
    assert [o.kind for o in checks(db)] == [ObservationKind.FULL]
    assert quick_check_events(db) == []
    # The full set recorded from there returns to the board.
    saved = client.post(full_form, data=full(poss="2"))
    assert saved.headers["Location"] == "/board/"
    assert not latest_observations(db, [visit.id]).close_watch(visit.id)


def test_a_tile_posting_through_htmx_is_sent_on_by_a_full_page_change(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(poss="3"))
    asked = client.post(
        f"/visits/{visit.id}/quick-check?next=/board/",
        data={"submission_key": str(uuid.uuid4())},
        headers={"HX-Request": "true"},
    )
    assert asked.status_code == 204
    assert asked.headers["HX-Redirect"] == f"/visits/{visit.id}/quick-check?next=/board/"
    recorded = client.post(
        f"/visits/{visit.id}/quick-check?next=/board/",
        data={"submission_key": str(uuid.uuid4()), "despite_advice": "yes"},
        headers={"HX-Request": "true"},
    )
    assert recorded.status_code == 204 and recorded.headers["HX-Redirect"] == "/board/"
    assert [o.kind for o in checks(db)] == [ObservationKind.FULL, ObservationKind.QUICK_CHECK]


def test_a_stale_tile_button_says_so_and_records_nothing(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    reply = client.post(
        f"/visits/{visit.id}/quick-check?next=/board/",
        data={"submission_key": "not-a-key"},
        follow_redirects=True,
    )
    assert reply.request.path == "/board/"
    body = reply.get_data(as_text=True)
    assert '<li class="flash flash-error">That button was out of date; tap Quick check' in body
    assert checks(db) == []
