from __future__ import annotations

import threading
from datetime import time, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from sitesys.auth.roles import Role
from sitesys.db import get_database
from sitesys.handovers.models import HandoverAlert, HandoverAlertKind
from sitesys.handovers.services import (
    Draft,
    acknowledge_handover,
    save_draft,
    start_handover,
    submit_handover,
)
from sitesys.handovers.setup import add_shift, shift_now
from sitesys.handovers.tasks import handover_reminders
from sitesys.scheduler import jobs, run_job
from tests.factories import make_site, make_staff
from tests.handovers.helpers import DAY, local


def site_with_early_shift(db):
    site = make_site(db, handover_ack_minutes=30)
    with time_machine.travel(local(site, DAY, 6), tick=False):
        add_shift(db, None, site, "Early", time(7), time(15))
    return site


def alerts(db, kind):
    return list(db.scalars(select(HandoverAlert).where(HandoverAlert.kind == kind)))


def test_the_outgoing_lead_is_reminded_15_minutes_before_the_end_once(db):
    site = site_with_early_shift(db)
    nurse = make_staff(db, Role.NURSE, [site])
    with time_machine.travel(local(site, DAY, 14, 44), tick=False):
        assert handover_reminders(db) == 0
    with time_machine.travel(local(site, DAY, 14, 45), tick=False):
        assert handover_reminders(db) == 1
        assert handover_reminders(db) == 0
        [reminder] = alerts(db, HandoverAlertKind.NOT_STARTED)
        assert reminder.cleared_at is None and reminder.shift_key == "2026-06-10/Early"
        start_handover(db, nurse, site, shift_now(db, site, local(site, DAY, 14, 45)))
    db.refresh(reminder)
    assert reminder.cleared_at is not None


def test_no_reminder_when_the_handover_was_started(db):
    site = site_with_early_shift(db)
    nurse = make_staff(db, Role.NURSE, [site])
    with time_machine.travel(local(site, DAY, 14), tick=False):
        start_handover(db, nurse, site, shift_now(db, site, local(site, DAY, 14)))
    with time_machine.travel(local(site, DAY, 14, 50), tick=False):
        assert handover_reminders(db) == 0


def submitted(db, site, nurse):
    with time_machine.travel(local(site, DAY, 14, 30), tick=False):
        handover = start_handover(db, nurse, site, shift_now(db, site, local(site, DAY, 14, 30)))
        save_draft(
            db, nurse, handover, Draft(summary="Quiet", stock={row.id: 2 for row in handover.stock})
        )
        submit_handover(db, nurse, handover)
    return handover


def test_an_unacknowledged_handover_is_flagged_to_managers_after_the_set_time(db):
    site = site_with_early_shift(db)
    nurse = make_staff(db, Role.NURSE, [site])
    handover = submitted(db, site, nurse)
    with time_machine.travel(local(site, DAY, 15, 29), tick=False):
        assert handover_reminders(db) == 0
    with time_machine.travel(local(site, DAY, 15, 30), tick=False):
        assert handover_reminders(db) == 1
        assert handover_reminders(db) == 0
    [flag] = alerts(db, HandoverAlertKind.UNACKNOWLEDGED)
    assert flag.handover_id == handover.id and flag.cleared_at is None
    acknowledge_handover(db, make_staff(db, Role.NURSE, [site]), handover, None)
    db.refresh(flag)
    assert flag.cleared_at is not None


def test_a_missing_handover_is_flagged_too(db):
    site = site_with_early_shift(db)
    with time_machine.travel(local(site, DAY, 15, 31), tick=False):
        # The flag to managers, and (the scheduler having missed 14:45) the lead's reminder,
        # since a handover can still be started for a while after the shift ended.
        assert handover_reminders(db) == 2
    [flag] = alerts(db, HandoverAlertKind.UNACKNOWLEDGED)
    assert flag.handover_id is None
    [reminder] = alerts(db, HandoverAlertKind.NOT_STARTED)
    assert reminder.shift_key == "2026-06-10/Early"


def test_an_acknowledged_handover_is_not_flagged(db):
    site = site_with_early_shift(db)
    nurse = make_staff(db, Role.NURSE, [site])
    handover = submitted(db, site, nurse)
    with time_machine.travel(local(site, DAY, 15, 5), tick=False):
        acknowledge_handover(db, make_staff(db, Role.NURSE, [site]), handover, None)
    with time_machine.travel(local(site, DAY, 15, 45), tick=False):
        assert handover_reminders(db) == 0


def test_the_manager_sees_the_flag_and_the_nurse_the_reminder_on_their_home_page(client, db):
    from tests.factories import sign_in

    site = site_with_early_shift(db)
    nurse = make_staff(db, Role.NURSE, [site])
    handover = submitted(db, site, nurse)
    with time_machine.travel(local(site, DAY, 15, 31), tick=False):
        handover_reminders(db)
        sign_in(client, db, make_staff(db, Role.MANAGER, [site]))
        page = client.get("/").get_data(as_text=True)
    assert "The Early handover" in page and "is still unacknowledged" in page
    assert f"/handovers/{handover.id}" in page


@pytest.mark.committed
def test_two_scheduler_processes_raise_one_flag(committed_app):
    from sitesys.clock import utcnow

    now = utcnow()
    with get_database(committed_app).new_session() as session:
        site = make_site(session, time_zone="UTC", handover_ack_minutes=5)
        start = (now - timedelta(hours=1)).time().replace(second=0, microsecond=0)
        end = (now - timedelta(minutes=10)).time().replace(second=0, microsecond=0)
        with time_machine.travel(now - timedelta(hours=2)):
            add_shift(session, None, site, "Ended", start, end)
        session.commit()
    job = next(job for job in jobs() if job.id == "handover_reminders")
    barrier = threading.Barrier(2)

    def scheduler() -> None:
        barrier.wait()
        run_job(committed_app, job)

    threads = [threading.Thread(target=scheduler) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with get_database(committed_app).new_session() as session:
        # One flag and one reminder (the handover was never started), each raised once.
        kinds = session.scalars(select(HandoverAlert.kind).order_by(HandoverAlert.kind)).all()
        assert kinds == [HandoverAlertKind.NOT_STARTED, HandoverAlertKind.UNACKNOWLEDGED]
        assert session.scalar(select(func.count()).select_from(HandoverAlert)) == 2
