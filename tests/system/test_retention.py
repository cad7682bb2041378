"""Retention: old free text redacted with the structured record kept, clients not seen for years
removed with their digest (their visits kept, anonymous), sign-in failures kept 90 days, audit
events never deleted; each run audited with counts; settings below the legal minimums refused.
"""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.models import LoginFailure
from sitesys.auth.roles import Role
from sitesys.care.bladder import ScreenResult
from sitesys.care.models import BladderScreen, Referral, ReferralState, ReferralType, Urgency
from sitesys.checkin.models import OverrideRequest, Visit, VisitStatus
from sitesys.clients.models import Client, ClientFlag, FlagKind
from sitesys.clock import utcnow
from sitesys.scheduler import jobs, run_job
from sitesys.sites.services import SiteError, SiteSettings, create_site
from sitesys.system.retention import REDACTED, apply_retention, years_before
from sitesys.versions.models import RecordVersion
from tests.factories import make_client, make_site, make_staff, make_visit, scene, sign_in
from tests.incidents.helpers import make_floor, started
from tests.sites.test_views import SITE_FORM

NARRATIVE = "Found unresponsive in booth 4, pinpoint pupils, breathing 4 a minute."


def _runs(db):
    return list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "retention.applied")
            .order_by(AuditEvent.id)
        )
    )


def _aged_incident(db, floor, years):
    incident = started(db, floor)
    incident.started_at = years_before(utcnow(), years) - timedelta(days=1)
    incident.narrative = NARRATIVE
    incident.learning = "Check booths more often after a new batch."
    scene(db)
    return incident


def test_old_free_text_is_redacted_and_the_record_stays(db):
    floor = make_floor(db)
    old = _aged_incident(db, floor, 8)
    recent = _aged_incident(db, make_floor(db), 7)  # one response per visit: another floor
    version = RecordVersion(
        record_type="incident",
        record_id=str(old.id),
        part="report",
        number=1,
        site_id=floor.site.id,
        saved_at=old.started_at,
        saved_by_id=floor.nurse.id,
        fields=[["Narrative", NARRATIVE], ["Learning", ""]],
    )
    db.add(version)
    scene(db)
    apply_retention(db)
    db.expire_all()
    assert (old.narrative, old.learning) == (REDACTED, REDACTED)
    assert old.status is not None and old.visit_id == floor.visit.id  # the structured record
    assert recent.narrative == NARRATIVE
    assert version.fields == [["Narrative", REDACTED], ["Learning", ""]]
    [site_run] = [run for run in _runs(db) if run.site_id == floor.site.id]
    system_run = _runs(db)[-1]
    assert site_run.site_id == floor.site.id and site_run.actor_id is None
    assert site_run.detail["texts_redacted"] == 2
    assert site_run.detail["versions_redacted"] == 1
    assert site_run.detail["notes_years"] == 8
    assert system_run.site_id is None and system_run.detail["audit_events_removed"] == 0
    apply_retention(db)
    again = [run for run in _runs(db) if run.site_id == floor.site.id][-1]
    assert again.detail["texts_redacted"] == 0  # a second run does nothing


def test_a_site_keeping_notes_longer_keeps_them(db):
    floor = make_floor(db, retain_notes_years=10)
    kept = _aged_incident(db, floor, 9)
    apply_retention(db)
    db.expire_all()
    assert kept.narrative == NARRATIVE


def test_clients_not_seen_for_years_are_removed_and_their_visits_kept_anonymous(db):
    site = make_site(db)
    nurse = make_staff(db, Role.NURSE, [site])
    long_ago = years_before(utcnow(), 3) - timedelta(days=2)
    gone = make_client(db, site, created_at=long_ago - timedelta(days=30))
    old_visit = make_visit(db, site, nurse, client=gone, at=long_ago)
    old_visit.status, old_visit.left_at = VisitStatus.LEFT, long_ago
    db.add(
        ClientFlag(
            client_id=gone.id, kind=FlagKind.ALLERGY, note="Penicillin", created_by_id=nurse.id
        )
    )
    # Care records and a restriction override request of the client (the care records are
    # clinical and stay; the request goes with the client record).
    referral = Referral(
        site_id=site.id, client_id=gone.id, visit_id=old_visit.id, type=ReferralType.GP,
        urgency=Urgency.ROUTINE, state=ReferralState.OFFERED, owner_id=nurse.id,
        created_by_id=nurse.id, submission_key=str(uuid.uuid4()), created_at=long_ago,
    )  # fmt: skip
    screen = BladderScreen(
        site_id=site.id, visit_id=old_visit.id, client_id=gone.id,
        result=ScreenResult.NO_SYMPTOMS, recorded_by_id=nurse.id,
        submission_key=str(uuid.uuid4()), recorded_at=long_ago,
    )  # fmt: skip
    db.add_all([referral, screen])
    db.add(OverrideRequest(site_id=site.id, client_id=gone.id, requested_by_id=nurse.id))
    regular = make_client(db, site, created_at=long_ago)
    make_visit(db, site, nurse, client=regular, at=utcnow() - timedelta(days=30))
    newcomer = make_client(db, site)
    scene(db)
    gone_id = gone.id
    apply_retention(db)
    db.expire_all()
    assert db.get(Client, gone_id) is None
    assert db.scalar(select(func.count()).select_from(ClientFlag)) == 0
    assert db.get(Visit, old_visit.id).client_id is None
    assert db.get(Referral, referral.id).client_id is None
    assert db.get(BladderScreen, screen.id).client_id is None
    assert db.scalar(select(func.count()).select_from(OverrideRequest)) == 0
    assert db.get(Client, regular.id) is not None and db.get(Client, newcomer.id) is not None
    run = _runs(db)[-2]
    assert (run.detail["clients_removed"], run.detail["visits_made_anonymous"]) == (1, 1)


def test_sign_in_failures_are_kept_ninety_days(db):
    now = utcnow()
    db.add_all(
        [
            LoginFailure(username="old", failed_at=now - timedelta(days=91)),
            LoginFailure(username="recent", failed_at=now - timedelta(days=89)),
        ]
    )
    db.flush()
    apply_retention(db)
    assert db.scalars(select(LoginFailure.username)).all() == ["recent"]
    assert _runs(db)[-1].detail["sign_in_failures_removed"] == 1


def test_retention_never_deletes_audit_events(db):
    floor = make_floor(db)
    _aged_incident(db, floor, 20)
    before = db.scalar(select(func.count()).select_from(AuditEvent))
    apply_retention(db)
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == before + 2


def test_settings_below_the_legal_minimums_are_refused(client, db):
    with pytest.raises(SiteError, match="at least 8 years"):
        create_site(db, None, SiteSettings(name="Short notes", retain_notes_years=7))
    with pytest.raises(SiteError, match="at least 1 year"):
        create_site(db, None, SiteSettings(name="Short codes", retain_clients_years=0))
    site = make_site(db)
    sign_in(client, db, make_staff(db, Role.ADMIN, [site]))
    page = client.get(f"/sites/{site.id}/edit").get_data(as_text=True)
    assert "Keep notes and narratives (years)" in page
    version = _form_version(page)
    response = client.post(
        f"/sites/{site.id}/edit",
        data={**SITE_FORM, "version": version, "retain_notes_years": "5"},
    )
    assert response.status_code == 200
    assert "Notes are kept at least 8 years (the legal minimum)" in response.get_data(as_text=True)
    db.expire_all()
    assert db.get(type(site), site.id).retain_notes_years == 8
    saved = client.post(
        f"/sites/{site.id}/edit",
        data={**SITE_FORM, "version": version, "retain_notes_years": "10"},
    )
    assert saved.status_code == 302
    db.expire_all()
    assert db.get(type(site), site.id).retain_notes_years == 10


def _form_version(page):
    match = re.search(r'name="version" type="hidden" value="([^"]*)"', page) or re.search(
        r'type="hidden" name="version" value="([^"]*)"', page
    )
    assert match, "the form carries its version"
    return match.group(1)


def test_the_job_runs_daily_under_its_lock(app, db):
    job = next(job for job in jobs() if job.id == "retention")
    assert isinstance(job.trigger, IntervalTrigger)
    assert job.trigger.interval == timedelta(days=1)
    make_floor(db)
    assert run_job(app, job) is True
    assert len(_runs(db)) >= 2
