from __future__ import annotations

from datetime import timedelta

import time_machine

from sitesys.clock import utcnow
from sitesys.scheduler import jobs, run_job


def test_healthz_needs_no_sign_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


def test_readyz_reports_a_scheduler_that_never_beat(client, db):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "scheduler": "never seen",
    }


def test_readyz_is_ready_after_a_heartbeat_and_not_once_it_is_stale(app, client, db):
    heartbeat = next(job for job in jobs() if job.id == "heartbeat")
    with time_machine.travel(utcnow(), tick=False) as clock:
        assert run_job(app, heartbeat) is True
        response = client.get("/readyz")
        assert response.status_code == 200 and response.json["status"] == "ready"
        clock.shift(timedelta(minutes=3))
        stale = client.get("/readyz")
    assert stale.status_code == 503 and stale.json["checks"]["scheduler"] == "stale"


def test_scheduler_table_has_stable_ids_and_builds(app):
    from sitesys.scheduler import build_scheduler

    scheduler = build_scheduler(app)
    ids = [job.id for job in scheduler.get_jobs()]
    assert "heartbeat" in ids and len(ids) == len(set(ids))
