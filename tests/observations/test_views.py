from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.board.services import read_board
from sitesys.clock import utcnow
from sitesys.observations.models import Observation, ObservationKind
from sitesys.observations.record import VISIT_OBSERVATION_LIMIT
from sitesys.observations.scoring import EscalationLevel
from tests.factories import make_site, make_staff, make_visit, sign_in
from tests.observations.helpers import HIGH, full, nurse_with_visit


def observations(db):
    return list(db.scalars(select(Observation).order_by(Observation.id)))


def flashed(page, category, message):
    """The message as the page shows it, in its category's colours."""
    return f'<li class="flash flash-{category}">{message}</li>' in page.get_data(as_text=True)


def test_full_observation_form_has_the_trained_labels(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    page = client.get(f"/visits/{visit.id}/observations/new").get_data(as_text=True)
    for label in (
        "Respiratory rate",
        "SpO2",
        "On oxygen",
        "Pulse",
        "Systolic blood pressure",
        "Temperature",
        "Note",
    ):
        assert f">{label}</label>" in page or f"> {label}</label>" in page, label
    for legend in ("Consciousness (ACVPU)", "Sedation (POSS)", "RASS", "Pupils", "Vomiting"):
        assert f"<legend>{legend}</legend>" in page, legend
    assert ">Save observation</button>" in page


def test_quick_check_is_one_tap_stamped_by_the_server(client, db):
    _site, visit, nurse = nurse_with_visit(db, client)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    key = page.split('name="submission_key" type="hidden" value="')[1].split('"')[0]
    before = utcnow()
    response = client.post(
        f"/visits/{visit.id}/quick-check", data={"submission_key": key}, follow_redirects=True
    )
    assert "responsive, breathing normally" in response.get_data(as_text=True)
    [check] = observations(db)
    assert check.kind is ObservationKind.QUICK_CHECK and check.recorded_by_id == nurse.id
    assert before <= check.recorded_at <= utcnow()
    client.post(f"/visits/{visit.id}/quick-check", data={"submission_key": key})
    assert len(observations(db)) == 1  # the double tap made one record
    assert db.scalar(select(AuditEvent).where(AuditEvent.action == "observation.quick_check"))


def test_a_high_scoring_set_is_scored_stored_and_prompts_the_emergency(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    response = client.post(
        f"/visits/{visit.id}/observations/new", data=full(**HIGH), follow_redirects=True
    )
    body = response.get_data(as_text=True)
    [obs] = observations(db)
    # RR 7 (3) + SpO2 88 (3) + air (0) + BP 95 (2) + pulse 130 (2) + V (3) + 36.5 (0) = 13
    assert obs.news2_total == 13 and obs.level is EscalationLevel.HIGH and not obs.news2_partial
    assert obs.prompts_emergency and obs.needs_close_watch
    assert "Observation saved: NEWS2 13 (High)." in body
    assert "Start emergency response now: Respiratory rate 8 or less" in body
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "observation.recorded"))
    assert event.detail["level"] == "high" and event.detail["prompts_emergency"] is True


def test_only_consciousness_is_needed_and_a_partial_score_is_never_low(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    saved = client.post(
        f"/visits/{visit.id}/observations/new", data=full(pulse="72"), follow_redirects=True
    )
    assert "Observation saved: Partial – not rated." in saved.get_data(as_text=True)
    [obs] = observations(db)
    assert obs.news2_total == 0 and obs.news2_partial and obs.level is None
    assert obs.level_label == "Partial – not rated"
    # A partial set's total (0 here) is never shown: it would read as a full, reassuring score.
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Partial – not rated" in page and "NEWS2 0" not in page
    board = client.get("/board/partial").get_data(as_text=True)
    assert "Partial – not rated" in board and "NEWS2 0" not in board


def test_consciousness_is_required(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    form = full(pulse="72")
    del form["consciousness"]
    body = client.post(f"/visits/{visit.id}/observations/new", data=form).get_data(as_text=True)
    assert "Choose the level of consciousness (ACVPU)." in body
    assert observations(db) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("respiratory_rate", "81", "Respiratory rate must be between 0 and 80 /min."),
        ("spo2", "49", "SpO2 must be between 50 and 100 %."),
        ("pulse", "19", "Pulse must be between 20 and 250 /min."),
        ("systolic_bp", "301", "Systolic blood pressure must be between 40 and 300 mmHg."),
        ("temperature", "45.1", "Temperature must be between 25.0 and 45.0 °C."),
        ("temperature", "warm", "Enter a number."),
        # More than one decimal place would be scored on one value and stored as another.
        ("temperature", "35.04", "Enter the temperature to one decimal place, e.g. 36.8."),
        ("temperature", "36.55", "Enter the temperature to one decimal place, e.g. 36.8."),
        ("temperature", "NaN", "Enter the temperature as a number, e.g. 36.8."),
        ("poss", "7", "Choose a POSS level from the list."),
        ("rass", "+9", "Choose a RASS level from the list."),
    ],
)
def test_physiological_limits_get_a_plain_message_per_field(client, db, field, value, message):
    _site, visit, _nurse = nurse_with_visit(db, client)
    body = client.post(f"/visits/{visit.id}/observations/new", data=full(**{field: value}))
    assert body.status_code == 422
    assert message in body.get_data(as_text=True)
    assert observations(db) == []


def local_hhmm(site, moment):
    return moment.astimezone(site.zone).strftime("%H:%M")


def test_backdating_within_the_hour_with_a_reason(client, db):
    with time_machine.travel(utcnow().replace(hour=12, minute=0), tick=False):
        site, visit, _nurse = nurse_with_visit(db, client, at=utcnow() - timedelta(hours=2))
        earlier = utcnow() - timedelta(minutes=30)
        refused = client.post(
            f"/visits/{visit.id}/observations/new",
            data=full(pulse="80", observed_at=local_hhmm(site, earlier)),
        )
        assert "Give a reason for recording an earlier time." in refused.get_data(as_text=True)
        assert refused.status_code == 422
        client.post(
            f"/visits/{visit.id}/observations/new",
            data=full(
                pulse="80",
                observed_at=local_hhmm(site, earlier),
                backdate_reason="Busy with an overdose in booth 4",
            ),
        )
        too_early = utcnow() - timedelta(minutes=61)
        late = client.post(
            f"/visits/{visit.id}/observations/new",
            data=full(
                pulse="80", observed_at=local_hhmm(site, too_early), backdate_reason="Forgot"
            ),
        )
        assert "at most 60 minutes back" in late.get_data(as_text=True)
    [obs] = observations(db)
    assert obs.recorded_at == earlier.replace(second=0, microsecond=0)
    assert obs.entered_at > obs.recorded_at and obs.backdate_reason.startswith("Busy")


def test_no_observation_before_the_visit_started(client, db):
    with time_machine.travel(utcnow().replace(hour=12, minute=0), tick=False):
        site, visit, _nurse = nurse_with_visit(db, client, at=utcnow() - timedelta(minutes=10))
        before = utcnow() - timedelta(minutes=20)
        body = client.post(
            f"/visits/{visit.id}/observations/new",
            data=full(pulse="80", observed_at=local_hhmm(site, before), backdate_reason="Late"),
        ).get_data(as_text=True)
    assert "before the visit started" in body
    assert observations(db) == []


def test_strike_through_keeps_the_record_and_its_reason(client, db):
    site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(**HIGH))
    [obs] = observations(db)
    refused = client.post(
        f"/observations/{obs.id}/strike", data={"reason": ""}, follow_redirects=True
    )
    assert "Give a reason" in refused.get_data(as_text=True)
    client.post(f"/observations/{obs.id}/strike", data={"reason": "Wrong client"})
    db.refresh(obs)
    assert obs.struck_at is not None and obs.strike_reason == "Wrong client"
    assert obs.news2_total == 13  # the values are never overwritten
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert 'class="struck"' in page and "Wrong client" in page
    board = read_board(db, site, utcnow())
    assert board.tiles[0].card.latest is None and not board.tiles[0].card.prompts_emergency
    again = client.post(
        f"/observations/{obs.id}/strike", data={"reason": "Again"}, follow_redirects=True
    )
    assert "already struck through" in again.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(Observation)) == 1


def test_scale_2_needs_a_reason_and_changes_the_score(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    refused = client.post(
        f"/visits/{visit.id}/spo2-scale", data={"scale": "2", "reason": ""}, follow_redirects=True
    )
    assert "give the clinical reason" in refused.get_data(as_text=True)
    scaled = client.post(
        f"/visits/{visit.id}/spo2-scale",
        data={"scale": "2", "reason": "COPD, known CO2 retainer"},
        follow_redirects=True,
    )
    assert "SpO2 scale 2 is used for this visit from now on." in scaled.get_data(as_text=True)
    db.refresh(visit)
    assert visit.spo2_scale == 2 and visit.spo2_scale_reason == "COPD, known CO2 retainer"
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "visit.spo2_scale_set"))
    assert event.record_id == str(visit.id) and event.detail["scale"] == 2
    again = client.post(
        f"/visits/{visit.id}/spo2-scale",
        data={"scale": "2", "reason": "Checking"},
        follow_redirects=True,
    )
    assert flashed(again, "error", "The visit is already on SpO2 scale 2.")
    assert visit.spo2_scale_reason == "COPD, known CO2 retainer"
    client.post(f"/visits/{visit.id}/observations/new", data=full(spo2="88"))
    [obs] = observations(db)
    assert obs.spo2_scale == 2 and obs.news2_total == 0 and not obs.prompts_emergency


def test_worrying_sedation_shortens_the_interval_until_a_calmer_observation(client, db):
    start = utcnow()
    with time_machine.travel(start, tick=False) as clock:
        site, visit, _nurse = nurse_with_visit(db, client)
        site.booth_check_minutes, site.close_watch_minutes = 5, 2
        client.post(f"/visits/{visit.id}/observations/new", data=full(poss="3"))
        clock.shift(timedelta(minutes=2))
        card = read_board(db, site, utcnow()).tiles[0].card
        assert card.close_watch and card.check.value == "due"
        # Asked "Record a full set instead?", the nurse goes ahead with the quick check.
        client.post(
            f"/visits/{visit.id}/quick-check",
            data={"submission_key": str(uuid.uuid4()), "despite_advice": "yes"},
        )
        clock.shift(timedelta(minutes=2))
        assert (
            read_board(db, site, utcnow()).tiles[0].card.check.value == "due"
        )  # still close watch
        client.post(
            f"/visits/{visit.id}/observations/new", data=full(poss="2", respiratory_rate="16")
        )
        clock.shift(timedelta(minutes=4))
        card = read_board(db, site, utcnow()).tiles[0].card
        assert not card.close_watch and card.check.value == "ok"


def test_front_desk_cannot_record_or_read_clinical_detail(client, db):
    site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(**HIGH))
    [obs] = observations(db)
    sign_in(client, db, make_staff(db, Role.FRONT_DESK, [site]))
    assert client.get(f"/visits/{visit.id}/observations/new").status_code == 403
    assert (
        client.post(
            f"/visits/{visit.id}/quick-check", data={"submission_key": str(uuid.uuid4())}
        ).status_code
        == 403
    )
    assert client.post(f"/observations/{obs.id}/strike", data={"reason": "x"}).status_code == 403
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Observations" not in page and "NEWS2 13" not in page and "RR 7" not in page
    assert len(observations(db)) == 1


def test_another_sites_visit_and_observation_are_not_found(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(pulse="70"))
    [obs] = observations(db)
    other = make_site(db)
    sign_in(client, db, make_staff(db, Role.NURSE, [other]))
    assert client.get(f"/visits/{visit.id}/observations/new").status_code == 404
    assert client.post(f"/observations/{obs.id}/strike", data={"reason": "x"}).status_code == 404
    db.refresh(obs)
    assert obs.struck_at is None


def test_a_visit_that_left_takes_only_backdated_observations(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/check-out", data={"expected_status": "in_booth"})
    reply = client.post(f"/visits/{visit.id}/observations/new", data=full(pulse="70"))
    # A conflict with the visit's state (somebody checked them out meanwhile), not bad input.
    assert reply.status_code == 409
    assert "has left" in reply.get_data(as_text=True)
    assert observations(db) == []


def test_a_backdated_observation_for_a_client_who_left_without_a_reason_is_bad_input(client, db):
    with time_machine.travel(utcnow().replace(hour=12, minute=0), tick=False) as clock:
        site, visit, _nurse = nurse_with_visit(db, client, at=utcnow() - timedelta(hours=1))
        earlier = utcnow() - timedelta(minutes=20)
        clock.shift(60)
        client.post(f"/visits/{visit.id}/check-out", data={"expected_status": "in_booth"})
        reply = client.post(
            f"/visits/{visit.id}/observations/new",
            data=full(pulse="70", observed_at=local_hhmm(site, earlier)),
        )
    assert reply.status_code == 422
    assert "Give a reason for recording an earlier time." in reply.get_data(as_text=True)
    assert observations(db) == []


def test_board_tile_turns_red_with_the_prompt_after_a_high_score(client, db):
    site, visit, nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(**HIGH))
    page = client.get("/board/partial").get_data(as_text=True)
    assert "tile-emergency" in page and "Start emergency response" in page
    assert "NEWS2 13 · High" in page
    make_visit(db, site, nurse, status=visit.status.WAITING)


def test_a_temperature_to_one_decimal_place_is_scored_as_it_is_stored(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(temperature="35.0"))
    client.post(f"/visits/{visit.id}/observations/new", data=full(temperature="35.10"))
    cold, cool = observations(db)
    # 35.0 scores 3 on the chart, 35.1 scores 1 (consciousness A scores 0).
    assert (cold.temperature, cold.news2_total) == (Decimal("35.0"), 3)
    assert (cool.temperature, cool.news2_total) == (Decimal("35.1"), 1)


def test_a_late_entry_at_the_check_in_minute_is_taken(client, db):
    checked_in = utcnow().replace(hour=18, minute=32, second=45, microsecond=0)
    with time_machine.travel(checked_in + timedelta(minutes=10), tick=False):
        site, visit, _nurse = nurse_with_visit(db, client, at=checked_in)
        minute_before = client.post(
            f"/visits/{visit.id}/observations/new",
            data=full(
                pulse="80",
                observed_at=local_hhmm(site, checked_in - timedelta(minutes=1)),
                backdate_reason="Busy with an overdose in booth 4",
            ),
        )
        assert "before the visit started" in minute_before.get_data(as_text=True)
        taken = client.post(
            f"/visits/{visit.id}/observations/new",
            data=full(
                pulse="80",
                observed_at=local_hhmm(site, checked_in),
                backdate_reason="Busy with an overdose in booth 4",
            ),
        )
    assert taken.status_code == 302
    [obs] = observations(db)
    assert obs.recorded_at == checked_in  # the check-in moment, never before it


def test_a_late_entry_time_a_little_ahead_is_in_the_future(client, db):
    with time_machine.travel(utcnow().replace(hour=12, minute=0), tick=False):
        site, visit, _nurse = nurse_with_visit(db, client, at=utcnow() - timedelta(hours=1))
        reply = client.post(
            f"/visits/{visit.id}/observations/new",
            data=full(
                pulse="80",
                observed_at=local_hhmm(site, utcnow() + timedelta(minutes=5)),
                backdate_reason="Busy",
            ),
        )
    assert reply.status_code == 422
    assert "The time observed cannot be in the future." in reply.get_data(as_text=True)
    assert observations(db) == []


# Five past midnight at the site, in winter (GMT) and in summer (BST, an hour ahead of UTC).
@pytest.mark.parametrize(
    "midnight_utc",
    [datetime(2025, 1, 16, 0, 0, tzinfo=UTC), datetime(2025, 7, 15, 23, 0, tzinfo=UTC)],
)
def test_near_midnight_a_late_entry_takes_the_nearest_day(client, db, midnight_utc):
    with time_machine.travel(midnight_utc - timedelta(minutes=2), tick=False) as clock:
        _site, visit, _nurse = nurse_with_visit(db, client, at=utcnow() - timedelta(minutes=40))
        # At 23:58, "00:02" is four minutes ahead, tomorrow: not 23 hours and 56 minutes ago.
        reply = client.post(
            f"/visits/{visit.id}/observations/new",
            data=full(pulse="80", observed_at="00:02", backdate_reason="Busy in booth 2"),
        )
        assert "The time observed cannot be in the future." in reply.get_data(as_text=True)
        assert observations(db) == []
        # At 00:05, "23:50" is fifteen minutes ago, yesterday.
        clock.shift(timedelta(minutes=7))
        client.post(
            f"/visits/{visit.id}/observations/new",
            data=full(pulse="80", observed_at="23:50", backdate_reason="Busy in booth 2"),
        )
    [obs] = observations(db)
    assert obs.recorded_at == midnight_utc - timedelta(minutes=10)


def test_red_flags_during_a_running_response_do_not_ask_to_start_one(client, db):
    from sitesys.incidents.services import start_response

    _site, visit, nurse = nurse_with_visit(db, client)
    start_response(db, nurse, visit)
    body = client.post(
        f"/visits/{visit.id}/observations/new", data=full(**HIGH), follow_redirects=True
    ).get_data(as_text=True)
    assert "Observation saved: NEWS2 13 (High)." in body
    assert "Emergency response running: Respiratory rate 8 or less" in body
    assert "Start emergency response now" not in body
    assert "<strong>Emergency response running.</strong>" in body
    assert "<strong>Start emergency response.</strong>" not in body


def test_rass_in_the_visit_history_has_a_true_minus_and_a_plus(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(rass="-4"))
    client.post(f"/visits/{visit.id}/observations/new", data=full(rass="3"))
    client.post(f"/visits/{visit.id}/observations/new", data=full(rass="0"))
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "<span>RASS \N{MINUS SIGN}4</span>" in page and "RASS -4" not in page
    assert "<span>RASS +3</span>" in page and "<span>RASS 0</span>" in page


def test_a_strike_reason_over_200_characters_is_refused_as_too_long(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(pulse="70"))
    [obs] = observations(db)
    body = client.post(
        f"/observations/{obs.id}/strike", data={"reason": "x" * 201}, follow_redirects=True
    ).get_data(as_text=True)
    assert "The reason for striking through can be at most 200 characters." in body
    assert "Give a reason" not in body
    db.refresh(obs)
    assert obs.struck_at is None
    assert not db.scalar(select(AuditEvent).where(AuditEvent.action == "observation.struck"))


def add_quick_checks(db, visit, nurse, count, newest):
    """`count` quick checks a minute apart, the newest at `newest`, the oldest a full set."""
    db.add_all(
        Observation(
            visit_id=visit.id,
            kind=ObservationKind.FULL if number == count - 1 else ObservationKind.QUICK_CHECK,
            note="The first check of the visit" if number == count - 1 else None,
            recorded_at=newest - timedelta(minutes=number),
            entered_at=newest - timedelta(minutes=number),
            recorded_by_id=nurse.id,
            submission_key=str(uuid.uuid4()),
        )
        for number in range(count)
    )
    db.flush()


def test_the_visit_page_says_when_it_shows_only_the_latest_observations(client, db):
    _site, visit, nurse = nurse_with_visit(db, client, at=utcnow() - timedelta(hours=6))
    add_quick_checks(db, visit, nurse, VISIT_OBSERVATION_LIMIT + 1, utcnow())
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Showing the latest 300 of 301 observations." in page
    assert "The first check of the visit" not in page
    older = f"/visits/{visit.id}/observations?page=2"
    assert f'href="{older}"' in page
    rest = client.get(older).get_data(as_text=True)
    assert "Page 2 of 2: 301 observations" in rest
    assert "The first check of the visit" in rest and rest.count("Quick check") == 0
    assert "Newer observations" in rest and "Older observations" not in rest
    assert client.get(f"/visits/{visit.id}/observations?page=3").status_code == 404
    assert client.get(f"/visits/{visit.id}/observations?page=0").status_code == 404


def test_a_visit_with_few_observations_says_nothing_of_a_limit(client, db):
    _site, visit, nurse = nurse_with_visit(db, client)
    add_quick_checks(db, visit, nurse, 3, utcnow())
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Showing the latest" not in page
    assert "3 observations, newest first" in client.get(
        f"/visits/{visit.id}/observations"
    ).get_data(as_text=True)


@pytest.mark.parametrize("count", [2, 40])
def test_the_observations_pages_read_in_a_constant_number_of_queries(
    client, db, count_queries, count
):
    _site, visit, nurse = nurse_with_visit(db, client, at=utcnow() - timedelta(hours=1))
    # Each by a different nurse, and some struck through: no query per row for their names.
    for _ in range(count):
        add_quick_checks(db, visit, make_staff(db, Role.NURSE, [visit.site]), 1, utcnow())
    for obs in observations(db)[::2]:
        obs.struck_at, obs.struck_by_id, obs.strike_reason = utcnow(), nurse.id, "Wrong client"
    db.flush()
    db.expire_all()
    with count_queries() as counter:
        assert client.get(f"/visits/{visit.id}/observations").status_code == 200
    # Sign-in, the visit, the count and the page (with every name in it), and the drug-alert
    # banner, whatever the count; and the reading's audit event, sealed into the site's chain
    # (the chain's last event read and the new one sealed after it, under PostgreSQL's lock).
    audited = 3 + (db.get_bind().dialect.name == "postgresql")
    assert counter.count <= 7 + audited


def test_striking_through_from_the_observations_page_comes_back_to_it(client, db):
    _site, visit, nurse = nurse_with_visit(db, client)
    add_quick_checks(db, visit, nurse, 1, utcnow())
    [obs] = observations(db)
    page = client.get(f"/visits/{visit.id}/observations").get_data(as_text=True)
    strike = f'action="/observations/{obs.id}/strike'
    action = strike[len('action="') :] + page.split(strike)[1].split('"')[0].replace("&amp;", "&")
    reply = client.post(action, data={"reason": "Wrong client"})
    assert reply.headers["Location"].endswith(f"/visits/{visit.id}/observations")
    db.refresh(obs)
    assert obs.strike_reason == "Wrong client"


def test_only_this_sites_nurses_and_managers_see_the_observations_page(client, db):
    site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(pulse="70"))
    sign_in(client, db, make_staff(db, Role.MANAGER, [site]))
    assert "Pulse 70/min" in client.get(f"/visits/{visit.id}/observations").get_data(as_text=True)
    sign_in(client, db, make_staff(db, Role.FRONT_DESK, [site]))
    assert client.get(f"/visits/{visit.id}/observations").status_code == 403
    sign_in(client, db, make_staff(db, Role.NURSE, [make_site(db)]))
    assert client.get(f"/visits/{visit.id}/observations").status_code == 404


def test_a_quick_check_after_the_client_left_is_refused_and_says_why(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/check-out", data={"expected_status": "in_booth"})
    reply = client.post(
        f"/visits/{visit.id}/quick-check",
        data={"submission_key": str(uuid.uuid4())},
        follow_redirects=True,
    )
    message = f"{visit.display_tag} has left. Record an earlier time (before they left) with a"
    assert f'<li class="flash flash-error">{message}' in reply.get_data(as_text=True)
    assert observations(db) == []
    assert not db.scalar(select(AuditEvent).where(AuditEvent.action == "observation.quick_check"))


def test_a_struck_observation_says_so_and_is_audited(client, db):
    _site, visit, nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(pulse="70"))
    [obs] = observations(db)
    reply = client.post(
        f"/observations/{obs.id}/strike", data={"reason": "Wrong client"}, follow_redirects=True
    )
    message = "Observation struck through; it stays on the record with your reason."
    assert flashed(reply, "success", message)
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "observation.struck"))
    assert event.actor_id == nurse.id and event.record_id == str(obs.id)
    assert "Wrong client" not in str(event.detail)
