from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.observations.models import Observation, OverdueAlert
from sitesys.observations.scoring import Consciousness, Poss, SpO2Scale
from sitesys.observations.services import (
    ObservationError,
    ObservationInput,
    record_observation,
    record_quick_check,
    set_spo2_scale,
    strike_observation,
)
from sitesys.observations.tasks import raise_overdue_alerts
from sitesys.refusals import NotAllowed
from tests.factories import make_booth, make_site, make_staff, make_visit

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


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.ADMIN])
def test_only_nurses_and_managers_record_strike_or_rescale(db, role):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    other = make_staff(db, role, [site])
    visit = make_visit(db, site, nurse)
    check = record_quick_check(db, nurse, visit, str(uuid.uuid4()))
    refused = [
        lambda: record_quick_check(db, other, visit, str(uuid.uuid4())),
        lambda: record_observation(
            db, other, visit, ObservationInput(Consciousness.ALERT), str(uuid.uuid4())
        ),
        lambda: strike_observation(db, other, check, "Wrong client"),
        lambda: set_spo2_scale(db, other, visit, SpO2Scale.SCALE_2, "COPD"),
    ]
    for step in refused:
        with pytest.raises(NotAllowed, match="Only a nurse or a manager can"):
            step()
    assert db.scalars(select(Observation)).all() == [check]
    assert check.struck_at is None and visit.spo2_scale == 1
    assert db.scalars(select(AuditEvent).where(AuditEvent.actor_id == other.id)).all() == []


def test_every_change_to_observations_commits_under_the_floor_rule(db):
    """The board shows checks, scores and overdue alerts: the floor rule refuses a commit that
    changed one without an audit event beside it.
    """
    start = utcnow()
    site = make_site(db, booth_check_minutes=5)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, booth=make_booth(db, site), at=start)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert raise_overdue_alerts(db) == 1
        db.commit()
        check = record_quick_check(db, nurse, visit, str(uuid.uuid4()))
        db.commit()
        record_observation(
            db, nurse, visit, ObservationInput(Consciousness.ALERT, pulse=80), str(uuid.uuid4())
        )
        db.commit()
        strike_observation(db, nurse, check, "Wrong client")
        db.commit()
        set_spo2_scale(db, nurse, visit, SpO2Scale.SCALE_2, "COPD, known CO2 retainer")
        db.commit()
    assert db.scalar(select(OverdueAlert.closed_by_observation_id)) == check.id
    assert db.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all() == [
        "alert.overdue_raised",
        "observation.quick_check",
        "observation.recorded",
        "observation.struck",
        "visit.spo2_scale_set",
    ]
