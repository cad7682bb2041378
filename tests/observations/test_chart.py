from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine

from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.observations.chart import render_chart
from sitesys.observations.scoring import Consciousness
from sitesys.observations.services import (
    ObservationInput,
    record_observation,
    record_quick_check,
    strike_observation,
)
from tests.factories import make_booth, make_site, make_staff, make_visit


def test_chart_draws_the_four_series_and_leaves_out_struck_and_quick_checks(db):
    start = utcnow()
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, booth=make_booth(db, site), at=start)
    recorded = []
    for minutes, rate in ((1, 16), (6, 10), (11, 7)):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            recorded.append(
                record_observation(
                    db,
                    nurse,
                    visit,
                    ObservationInput(
                        Consciousness.ALERT,
                        respiratory_rate=rate,
                        spo2=95,
                        pulse=90,
                        systolic_bp=120,
                        temperature=Decimal("36.8"),
                    ),
                    str(uuid.uuid4()),
                )
            )
    with time_machine.travel(start + timedelta(minutes=12), tick=False):
        # Breathing 7 a minute asks for a full set; the nurse went ahead with a quick check.
        record_quick_check(db, nurse, visit, str(uuid.uuid4()), despite_advice=True)
    strike_observation(db, nurse, recorded[1], "Wrong client")
    svg = render_chart([*recorded], ZoneInfo("Europe/London"))
    assert svg is not None
    text = str(svg)
    assert text.count("<polyline") == 4
    assert "Respiratory rate 16/min" in text and "Respiratory rate 7/min" in text
    assert "Respiratory rate 10/min" not in text
    assert "<script" not in text and "style=" not in text


def test_no_chart_without_a_full_observation(db):
    assert render_chart([], ZoneInfo("Europe/London")) is None


def test_a_partial_sets_total_is_not_drawn_as_a_news2_score(db):
    """Breathing and pulse only: their readings are drawn, but a NEWS2 line through a total
    that counts nothing for the parameters never measured would read as a real, low score."""
    start = utcnow()
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, booth=make_booth(db, site), at=start)
    recorded = []
    for minutes in (1, 6):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            recorded.append(
                record_observation(
                    db,
                    nurse,
                    visit,
                    ObservationInput(Consciousness.ALERT, respiratory_rate=16, pulse=72),
                    str(uuid.uuid4()),
                )
            )
    assert all(o.news2_partial and o.news2_total == 0 for o in recorded)
    text = str(render_chart(recorded, ZoneInfo("Europe/London")))
    assert "Respiratory rate 16/min" in text and "Pulse 72/min" in text
    assert "NEWS2 0" not in text
