from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from sitesys.auth.roles import Role
from sitesys.observations.models import Observation
from sitesys.observations.scoring import Consciousness, Poss
from sitesys.observations.services import ObservationError, ObservationInput, record_observation
from tests.factories import make_site, make_staff, make_visit

#: A check-in part-way through a minute, as the desk's clock stamps it.
CHECKED_IN = datetime(2025, 1, 15, 18, 32, 45, tzinfo=UTC)


def record_late(db, visit, nurse, observed_at):
    return record_observation(
        db,
        nurse,
        visit,
        ObservationInput(consciousness=Consciousness.ALERT, pulse=80),
        str(uuid.uuid4()),
        observed_at=observed_at,
        backdate_reason="Busy in booth 2",
    )


def test_a_late_entry_typed_as_the_check_in_minute_is_stored_at_check_in(db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, at=CHECKED_IN)
    with time_machine.travel(CHECKED_IN + timedelta(minutes=20), tick=False):
        observation = record_late(db, visit, nurse, CHECKED_IN.replace(second=0))
    # Not 18:32:00, which is before the visit started, but the check-in moment itself.
    assert observation.recorded_at == CHECKED_IN
    assert observation.backdate_reason == "Busy in booth 2"


@pytest.mark.parametrize(
    "observed_at",
    [
        CHECKED_IN.replace(minute=31, second=0),  # the minute before check-in
        CHECKED_IN.replace(second=30),  # within the minute, but to the second: before check-in
    ],
)
def test_a_time_before_check_in_is_still_refused(db, observed_at):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, at=CHECKED_IN)
    with (
        time_machine.travel(CHECKED_IN + timedelta(minutes=20), tick=False),
        pytest.raises(ObservationError, match="before the visit started"),
    ):
        record_late(db, visit, nurse, observed_at)
    assert db.scalars(select(Observation)).all() == []


def test_a_close_watch_reason_a_red_flag_already_gives_is_not_repeated(db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse)
    observation = record_observation(
        db,
        nurse,
        visit,
        ObservationInput(
            consciousness=Consciousness.VOICE,
            respiratory_rate=12,
            spo2=88,
            pulse=130,
            systolic_bp=95,
            poss=Poss.SOMNOLENT,
            rass=-4,
        ),
        str(uuid.uuid4()),
    )
    assert observation.reason_list == [
        "SpO2 91% or less",
        "POSS 4 \N{EN DASH} somnolent",
        "RASS \N{MINUS SIGN}4 or lower",
        "NEWS2 high (partial score)",
    ]
