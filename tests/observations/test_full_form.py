"""The full observation form: large buttons for the scales, and the visit's last values."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import time_machine
from sqlalchemy import select

from sitesys.auth.roles import Role
from sitesys.observations.models import Observation, Pupils
from sitesys.observations.record import last_readings
from sitesys.observations.scoring import Consciousness, Poss
from sitesys.observations.services import (
    ObservationInput,
    record_observation,
    record_quick_check,
    strike_observation,
)
from tests.factories import make_booth, make_site, make_staff, make_visit
from tests.observations.helpers import full, nurse_with_visit

#: 10:32 in London in winter (GMT), when the first set of these tests is taken.
TEN_THIRTY_TWO = datetime(2025, 1, 15, 10, 32, tzinfo=UTC)


def test_rass_poss_and_acvpu_are_radio_buttons_in_the_words_staff_are_trained_on(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    page = client.get(f"/visits/{visit.id}/observations/new").get_data(as_text=True)
    assert "<select" not in page
    for legend, name, labels in (
        (
            "Consciousness (ACVPU)",
            "consciousness",
            ["A – Alert", "C – New confusion", "V – Responds to voice", "U – Unresponsive"],
        ),
        ("Sedation (POSS)", "poss", ["S – Asleep, easy to rouse", "4 – Somnolent"]),
        (
            "RASS",
            "rass",
            ["+4 Combative", "0 Alert and calm", "\N{MINUS SIGN}5 Unarousable", "Not assessed"],
        ),
    ):
        group = page.split(f"<legend>{legend}</legend>")[1].split("</fieldset>")[0]
        assert group.count('type="radio"') == group.count(f'name="{name}"') == group.count("<li>")
        for label in labels:
            assert label in group, label
    rass = page.split("<legend>RASS</legend>")[1].split("</fieldset>")[0]
    # From +4 down to -5 as the scale is taught, then "Not assessed".
    values = [part.split('"')[0] for part in rass.split('name="rass" type="radio" value="')[1:]]
    assert values == ["4", "3", "2", "1", "0", "-1", "-2", "-3", "-4", "-5", ""]


def test_a_rass_chosen_from_the_buttons_is_saved_and_not_assessed_is_none(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    client.post(f"/visits/{visit.id}/observations/new", data=full(rass="-3"))
    client.post(f"/visits/{visit.id}/observations/new", data=full(rass=""))
    deep, unassessed = db.scalars(select(Observation).order_by(Observation.id))
    assert deep.rass == -3 and deep.needs_close_watch
    assert unassessed.rass is None and not unassessed.needs_close_watch


def test_the_form_shows_the_visits_last_value_beside_each_field(client, db):
    with time_machine.travel(TEN_THIRTY_TWO, tick=False) as clock:
        _site, visit, nurse = nurse_with_visit(db, client, at=TEN_THIRTY_TWO - timedelta(hours=1))
        first = full(
            respiratory_rate="14",
            spo2="97",
            pulse="80",
            systolic_bp="120",
            temperature="36.8",
            poss="1",
            rass="0",
            pupils="normal",
            vomiting="no",
        )
        client.post(f"/visits/{visit.id}/observations/new", data=first)
        clock.shift(timedelta(minutes=10))
        # Later, breathing and consciousness only, on oxygen; then a quick check.
        client.post(
            f"/visits/{visit.id}/observations/new",
            data=full(respiratory_rate="9", on_oxygen="y", consciousness="V", rass="-4"),
        )
        clock.shift(timedelta(minutes=1))
        record_quick_check(db, nurse, visit, str(uuid.uuid4()), despite_advice=True)
        page = client.get(f"/visits/{visit.id}/observations/new").get_data(as_text=True)
    for expected in (
        "Last: 9 at 10:42",
        "Last: 97 at 10:32",
        "Last: on oxygen at 10:42",
        "Last: 80 at 10:32",
        "Last: 120 at 10:32",
        "Last: 36.8 at 10:32",
        "Last: V at 10:42",
        "Last: 1 at 10:32",
        "Last: \N{MINUS SIGN}4 at 10:42",
        "Last: normal at 10:32",
        "Last: no at 10:32",
    ):
        assert f'<span class="last-reading">{expected}</span>' in page, expected
    # Each one beside its own field, read out with it.
    pulse = page.split('for="pulse"')[1].split("</div>")[0]
    assert "Last: 80 at 10:32" in pulse and 'aria-describedby="pulse-hint"' in pulse


def test_the_first_set_of_a_visit_shows_the_ranges_instead(client, db):
    _site, visit, _nurse = nurse_with_visit(db, client)
    page = client.get(f"/visits/{visit.id}/observations/new").get_data(as_text=True)
    assert "Last:" not in page
    assert "0–80 /min" in page and "40–300 mmHg" in page


def test_last_readings_leave_out_struck_sets_and_other_visits(db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, booth=make_booth(db, site))
    other = make_visit(db, site, nurse)
    with time_machine.travel(TEN_THIRTY_TWO, tick=False) as clock:
        kept = record_observation(
            db,
            nurse,
            visit,
            ObservationInput(
                Consciousness.ALERT,
                pulse=72,
                temperature=Decimal("37.2"),
                poss=Poss.AWAKE,
                pupils=Pupils.PINPOINT,
                vomiting=True,
            ),
            str(uuid.uuid4()),
        )
        clock.shift(timedelta(minutes=5))
        wrong = record_observation(
            db, nurse, visit, ObservationInput(Consciousness.PAIN, pulse=140), str(uuid.uuid4())
        )
        strike_observation(db, nurse, wrong, "Wrong client")
        record_observation(
            db, nurse, other, ObservationInput(Consciousness.ALERT, spo2=99), str(uuid.uuid4())
        )
    readings = last_readings(db, visit)
    assert {name: reading.text for name, reading in readings.items()} == {
        "consciousness": "A",
        "on_oxygen": "on air",
        "pulse": "72",
        "temperature": "37.2",
        "poss": "1",
        "pupils": "pinpoint",
        "vomiting": "yes",
    }
    assert {reading.recorded_at for reading in readings.values()} == {kept.recorded_at}
    assert last_readings(db, make_visit(db, site, nurse)) == {}
