"""The one scheduler process: a table of jobs, each idempotent and run under a database lock.

APScheduler 3 cannot share a job store between processes, so SiteSys runs exactly one
`flask --app wsgi scheduler` beside the web workers, never inside them. Even so, every job takes
a database lock and selects only what is due and not yet done, so a second scheduler started by
mistake (or several sites on one database) never does the same work twice.
"""

from __future__ import annotations

import contextlib
import logging
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.alerts.tasks import end_expired_alerts
from sitesys.auth.tasks import remove_old_sign_in_failures
from sitesys.checkin.tasks import end_of_day
from sitesys.db import get_database
from sitesys.drugchecks.tasks import raise_custody_alerts
from sitesys.handovers.tasks import handover_reminders
from sitesys.incidents.tasks import remind_unsubmitted_reports
from sitesys.observations.tasks import raise_overdue_alerts
from sitesys.reports.tasks import keep_daily_figures
from sitesys.system.tasks import beat

log = logging.getLogger(__name__)

JobFunction = Callable[[Session], object]


@dataclass(frozen=True)
class Job:
    id: str
    function: JobFunction
    trigger: BaseTrigger


def jobs() -> list[Job]:
    """Every scheduled job of SiteSys, in one place."""
    return [
        Job("heartbeat", beat, IntervalTrigger(seconds=30)),
        Job("end_of_day", end_of_day, IntervalTrigger(minutes=15)),
        Job("overdue_alerts", raise_overdue_alerts, IntervalTrigger(seconds=30)),
        Job("handover_reminders", handover_reminders, IntervalTrigger(minutes=1)),
        Job("incident_reminders", remind_unsubmitted_reports, IntervalTrigger(minutes=10)),
        Job("custody_alerts", raise_custody_alerts, IntervalTrigger(minutes=1)),
        Job("drug_alert_expiry", end_expired_alerts, IntervalTrigger(minutes=1)),
        Job("report_figures", keep_daily_figures, IntervalTrigger(minutes=30)),
        Job("sign_in_failure_retention", remove_old_sign_in_failures, IntervalTrigger(hours=6)),
    ]


def acquire_job_lock(session: Session, job_id: str) -> bool:
    """Take the job's lock for this transaction; False when another process holds it.

    PostgreSQL: a transaction-level advisory lock, released at commit or rollback. SQLite: the
    job's write transaction already began IMMEDIATE, so it holds the only write lock there is.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"sitesys-job:{job_id}".encode())
        return bool(session.scalar(select(func.pg_try_advisory_xact_lock(key))))
    return True


def run_job(app: Flask, job: Job) -> bool:
    """Run one job in its own transaction; True when it ran, False when another process had it."""
    with app.app_context(), get_database().new_session(write=True) as session:
        try:
            if not acquire_job_lock(session, job.id):
                log.info("job %s is running elsewhere; skipped", job.id)
                session.rollback()
                return False
            job.function(session)
            session.commit()
            return True
        except Exception:
            session.rollback()
            log.exception("job %s failed", job.id)
            raise


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 60},
    )
    for job in jobs():
        # Every job also runs once at start-up: a restarted scheduler catches up at once.
        scheduler.add_job(
            _safe_run,
            job.trigger,
            args=(app, job),
            id=job.id,
            name=job.id,
            replace_existing=True,
            next_run_time=datetime.now(UTC),
        )
    return scheduler


def _safe_run(app: Flask, job: Job) -> None:
    # A failing job is logged by run_job and must not stop the scheduler or the other jobs.
    with contextlib.suppress(Exception):
        run_job(app, job)
