from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.observations.models import OverdueAlert
from sitesys.observations.scoring import Consciousness
from sitesys.observations.services import ObservationInput, record_observation, record_quick_check
from sitesys.observations.tasks import raise_overdue_alerts
from sitesys.scheduler import jobs, run_job
from tests.factories import make_booth, make_site, make_staff, make_visit


def alerts(db):
    return list(db.scalars(select(OverdueAlert)))


def test_an_alert_is_raised_at_twice_the_interval_and_only_once(db):
    start = utcnow()
    site = make_site(db, booth_check_minutes=5)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, booth=make_booth(db, site), at=start)
    with time_machine.travel(start + timedelta(minutes=9, seconds=59), tick=False):
        assert raise_overdue_alerts(db) == 0
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        assert raise_overdue_alerts(db) == 1
        assert raise_overdue_alerts(db) == 0
    [alert] = alerts(db)
    assert alert.visit_id == visit.id and alert.overdue_since == start + timedelta(minutes=10)
    with time_machine.travel(start + timedelta(minutes=13), tick=False):
        check = record_quick_check(db, nurse, visit, str(uuid.uuid4()))
    db.refresh(alert)
    assert alert.closed_by_observation_id == check.id and alert.minutes_to_answer == 3


def test_the_next_alert_counts_from_the_last_check(db):
    start = utcnow()
    site = make_site(db, booth_check_minutes=5)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, booth=make_booth(db, site), at=start)
    with time_machine.travel(start + timedelta(minutes=8), tick=False):
        record_observation(
            db, nurse, visit, ObservationInput(Consciousness.ALERT), str(uuid.uuid4())
        )
    with time_machine.travel(start + timedelta(minutes=17, seconds=59), tick=False):
        assert raise_overdue_alerts(db) == 0
    with time_machine.travel(start + timedelta(minutes=18), tick=False):
        assert raise_overdue_alerts(db) == 1


def test_alerts_of_visits_that_left_are_closed(db):
    start = utcnow()
    site = make_site(db, booth_check_minutes=5)
    nurse = make_staff(db, Role.NURSE, [site])
    visit = make_visit(db, site, nurse, booth=make_booth(db, site), at=start)
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        raise_overdue_alerts(db)
        visit.status = visit.status.LEFT
        db.flush()
        raise_overdue_alerts(db)
    [alert] = alerts(db)
    assert alert.closed_at is not None and alert.closed_by_observation_id is None


def test_waiting_clients_raise_no_alerts(db):
    start = utcnow()
    site = make_site(db)
    make_visit(db, site, make_staff(db, Role.NURSE, [site]), at=start)
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        assert raise_overdue_alerts(db) == 0


@pytest.mark.committed
def test_two_scheduler_processes_raise_one_alert(committed_app):
    start = utcnow() - timedelta(minutes=30)
    with get_database(committed_app).new_session() as session:
        site = make_site(session, booth_check_minutes=5)
        nurse = make_staff(session, Role.NURSE, [site])
        make_visit(session, site, nurse, booth=make_booth(session, site), at=start)
        session.commit()
    job = next(job for job in jobs() if job.id == "overdue_alerts")
    barrier = threading.Barrier(2)
    results: list[bool] = []

    def scheduler() -> None:
        barrier.wait()
        results.append(run_job(committed_app, job))

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 2
    with get_database(committed_app).new_session() as session:
        assert session.scalar(select(func.count()).select_from(OverdueAlert)) == 1
