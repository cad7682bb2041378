from __future__ import annotations

from datetime import timedelta

from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.incidents.models import IncidentReminder
from sitesys.incidents.reports import submit_report
from sitesys.incidents.services import end_response, start_response
from sitesys.incidents.tasks import remind_unsubmitted_reports, reminders_for
from sitesys.scheduler import jobs, run_job
from tests.factories import make_staff, make_visit, sign_in
from tests.incidents.helpers import complete_report, make_floor


def draft_aged(db, floor, hours, *, end=True, reporter=None):
    visit = make_visit(db, floor.site, floor.desk)
    incident = start_response(db, reporter or floor.nurse, visit).incident
    if end:
        end_response(db, reporter or floor.nurse, incident)
    incident.started_at = utcnow() - timedelta(hours=hours)
    db.flush()
    return incident


def reminder_count(db):
    return db.scalar(select(func.count()).select_from(IncidentReminder))


def test_old_drafts_get_one_reminder_however_often_the_job_runs(db):
    floor = make_floor(db)
    stale = draft_aged(db, floor, 13)
    forgotten_response = draft_aged(db, floor, 20, end=False)
    draft_aged(db, floor, 2)  # fresh: not yet
    assert remind_unsubmitted_reports(db) == 2
    assert remind_unsubmitted_reports(db) == 0
    assert reminder_count(db) == 2
    reminded = set(db.scalars(select(IncidentReminder.incident_id)))
    assert reminded == {stale.id, forgotten_response.id}
    events = list(
        db.scalars(select(AuditEvent).where(AuditEvent.action == "incident.reminder_created"))
    )
    assert len(events) == 2 and all(e.actor_id is None for e in events)


def test_the_limit_is_the_sites_own(db):
    strict = make_floor(db, draft_reminder_hours=1)
    relaxed = make_floor(db, draft_reminder_hours=24)
    draft_aged(db, strict, 2)
    draft_aged(db, relaxed, 2)
    assert remind_unsubmitted_reports(db) == 1


def test_a_submitted_report_is_not_reminded_about(db):
    floor = make_floor(db)
    incident = draft_aged(db, floor, 30)
    submit_report(db, floor.nurse, incident, complete_report([floor.nurse]))
    assert remind_unsubmitted_reports(db) == 0


def test_the_reminder_shows_on_the_home_page_of_the_reporter_and_the_managers(client, app, db):
    floor = make_floor(db)
    incident = draft_aged(db, floor, 13)
    remind_unsubmitted_reports(db)
    sign_in(client, db, floor.nurse)
    home = client.get("/").get_data(as_text=True)
    assert "Incident reports to finish" in home
    assert f"/incidents/{incident.id}/report" in home and f"Incident {incident.reference}" in home
    manager = app.test_client()
    sign_in(manager, db, floor.manager)
    managers_home = manager.get("/").get_data(as_text=True)
    assert (
        f"Incident {incident.reference}" in managers_home
        and "reported by Nia Nurse" in managers_home
    )
    colleague = app.test_client()
    sign_in(colleague, db, make_staff(db, Role.NURSE, [floor.site]))
    assert "Incident reports to finish" not in colleague.get("/").get_data(as_text=True)
    desk = app.test_client()
    sign_in(desk, db, floor.desk)
    assert "Incident reports to finish" not in desk.get("/").get_data(as_text=True)
    submit_report(db, floor.nurse, incident, complete_report([floor.nurse]))
    assert reminders_for(db, floor.nurse, floor.site) == []
    assert "Incident reports to finish" not in client.get("/").get_data(as_text=True)


def test_the_job_is_scheduled_every_ten_minutes_and_runs_under_its_lock(app, db):
    job = next(job for job in jobs() if job.id == "incident_reminders")
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(minutes=10)
    floor = make_floor(db)
    draft_aged(db, floor, 13)
    assert run_job(app, job) is True
    assert run_job(app, job) is True
    assert reminder_count(db) == 1
