from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import text

from sitesys.auth.roles import Role
from sitesys.clock import utcnow
from sitesys.scheduler import jobs, run_job
from tests.factories import make_site, make_staff, sign_in


def test_healthz_needs_no_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_is_the_web_nodes_own_and_ignores_the_scheduler(app, client, db):
    """Finding 6: a scheduler that never beat, or stopped, leaves every web node ready."""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}
    heartbeat = next(job for job in jobs() if job.id == "heartbeat")
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert run_job(app, heartbeat) is True
        clock.shift(timedelta(minutes=3))
        assert client.get("/readyz").status_code == 200


def test_readyz_is_not_ready_with_migrations_behind(client, db):
    db.execute(text("UPDATE alembic_version SET version_num = 'an_older_one'"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {"database": "ok", "migrations": "behind"}


def test_the_scheduler_health_follows_its_heartbeat(app, client, db):
    never = client.get("/healthz/scheduler")
    assert never.status_code == 503 and never.json == {"status": "never seen"}
    heartbeat = next(job for job in jobs() if job.id == "heartbeat")
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert run_job(app, heartbeat) is True
        running = client.get("/healthz/scheduler")
        assert running.status_code == 200 and running.json["status"] == "ok"
        clock.shift(timedelta(minutes=3))
        stale = client.get("/healthz/scheduler")
    assert stale.status_code == 503 and stale.json["status"] == "stale"


def test_admins_see_the_scheduler_on_the_status_page_and_a_banner_when_it_stops(app, client, db):
    site = make_site(db)
    admin = make_staff(db, Role.ADMIN, [site])
    nurse_client = app.test_client()
    sign_in(nurse_client, db, make_staff(db, Role.NURSE, [site]))
    sign_in(client, db, admin)
    banner = "The scheduler has stopped"
    heartbeat = next(job for job in jobs() if job.id == "heartbeat")
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert run_job(app, heartbeat) is True
        page = client.get("/system/status").get_data(as_text=True)
        assert "Running" in page and banner not in page
        assert banner not in client.get("/").get_data(as_text=True)
        clock.shift(timedelta(minutes=3))
        page = client.get("/system/status").get_data(as_text=True)
        assert "Stopped: no heartbeat for more than 120 seconds" in page
        home = client.get("/").get_data(as_text=True)
        assert banner in home and 'href="/system/status"' in home
        # Floor staff are not shown it, and cannot open the page.
        assert banner not in nurse_client.get("/").get_data(as_text=True)
        assert nurse_client.get("/system/status").status_code == 403


def test_scheduler_table_has_stable_ids_and_builds(app):
    from sitesys.scheduler import build_scheduler

    scheduler = build_scheduler(app)
    ids = [job.id for job in scheduler.get_jobs()]
    assert "heartbeat" in ids and len(ids) == len(set(ids))
