"""Daily figures kept per site agree exactly with counting the visits, are kept by an idempotent
job and rebuild command, and are counted again when an older day's visits change.
"""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.checkin.models import ServiceGiven, Visit, VisitService
from sitesys.db import make_engine
from sitesys.migrations_config import alembic_config
from sitesys.reports.daily import rebuild
from sitesys.reports.figures import monthly_trend, site_tally, values
from sitesys.reports.models import AggregatedDay, DailyFigure
from sitesys.reports.tasks import keep_daily_figures
from sitesys.sites.models import Site
from tests.conftest import migrate
from tests.reports.scenes import march

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
#: The March scene's one client whose first visit is in March (test_figures.py counts them).
NEW_IN_MARCH = 1


def _kept(db, site) -> list[tuple[date, str, str, int]]:
    return list(
        db.execute(
            select(DailyFigure.day, DailyFigure.key, DailyFigure.row, DailyFigure.value)
            .where(DailyFigure.site_id == site.id)
            .order_by(DailyFigure.day, DailyFigure.key, DailyFigure.row)
        ).tuples()
    )


def test_kept_days_give_exactly_the_direct_count(db):
    scene = march(db)
    direct = values(site_tally(db, scene.site, *MARCH))
    months = [MARCH, (date(2026, 4, 1), date(2026, 4, 30))]
    trend = monthly_trend(db, [scene.site], months)
    assert [(month.visits, month.overdoses, month.incidents) for month in trend] == [
        (5, 1, 3), (1, 1, 1),
    ]  # fmt: skip
    assert rebuild(db, scene.site, date(2026, 2, 1), date(2026, 4, 30)) == 89
    kept = values(site_tally(db, scene.site, *MARCH))
    assert kept == direct
    assert monthly_trend(db, [scene.site], months) == trend
    # Part kept, part counted: the month's first half kept, the rest from the visits.
    db.execute(AggregatedDay.__table__.delete().where(AggregatedDay.day > date(2026, 3, 15)))
    db.execute(DailyFigure.__table__.delete().where(DailyFigure.day > date(2026, 3, 15)))
    assert values(site_tally(db, scene.site, *MARCH)) == direct
    # The visit from 23:50 to 00:20 is kept once, on the 15th.
    fifteenth = [row for row in _kept(db, scene.site) if row[0] == date(2026, 3, 15)]
    assert (date(2026, 3, 15), "visits_total", "", 1) in fifteenth


def test_rebuilding_twice_keeps_the_same_rows(app, db):
    scene = march(db)
    runner = app.test_cli_runner()
    arguments = ["reports", "rebuild", "--site", "Riverside", "--from", "2026-03-01", "--to",
                 "2026-03-31"]  # fmt: skip
    first = runner.invoke(args=arguments)
    assert first.exit_code == 0, first.output
    assert "Kept 31 days of Riverside" in first.output
    once = _kept(db, scene.site)
    assert runner.invoke(args=arguments).exit_code == 0
    assert _kept(db, scene.site) == once
    assert runner.invoke(args=[*arguments[:3], "Nowhere", *arguments[4:]]).exit_code != 0


def test_the_job_keeps_days_once_and_recounts_a_changed_day(db):
    scene = march(db)
    first_run = keep_daily_figures(db)
    assert first_run > 0
    days = db.scalar(select(func.count()).select_from(AggregatedDay)) or 0
    # A second run keeps at most the next days not yet kept, never the same ones again.
    second_run = keep_daily_figures(db)
    assert db.scalar(select(func.count()).select_from(AggregatedDay)) == days + second_run
    rebuild(db, scene.site, *MARCH)
    assert keep_daily_figures(db) >= 0
    before = values(site_tally(db, scene.site, *MARCH))
    assert before[("services_given", "Education")] == 0
    # A service recorded on the 20th's visit after the day was kept: the day is counted again.
    visit = db.scalar(
        select(Visit).where(Visit.site_id == scene.site.id, Visit.client_id.is_(None))
    )
    db.add(VisitService(visit_id=visit.id, service=ServiceGiven.EDUCATION,
                        recorded_by_id=scene.nurse.id))  # fmt: skip
    record_event(db, "visit.services_given", actor=scene.nurse, record=visit,
                 services=["education"])  # fmt: skip
    db.flush()
    assert values(site_tally(db, scene.site, *MARCH))[("services_given", "Education")] == 0
    keep_daily_figures(db)
    assert values(site_tally(db, scene.site, *MARCH))[("services_given", "Education")] == 1


def test_days_kept_before_first_visits_were_kept_learn_them_in_the_migration(app, throwaway):
    # Days kept before reports_0004 had no count of first visits; the migration adds it, exactly
    # as keeping the day today would (each client's first visit, on the local day it fell).
    url = throwaway.create("first_visits")
    migrate(url)
    engine = make_engine(url)
    config = alembic_config(url)
    with app.app_context(), Session(engine.execution_options(sitesys_write=True)) as db:
        scene = march(db)
        rebuild(db, scene.site, date(2026, 2, 1), date(2026, 4, 30))
        db.commit()
        kept_today = [row for row in _kept(db, scene.site) if row[1] == "clients_new"]
        assert sum(row[3] for row in kept_today if row[0].month == 3) == NEW_IN_MARCH
        db.execute(DailyFigure.__table__.delete().where(DailyFigure.key == "clients_new"))
        db.commit()
        site_id = scene.site.id
    command.downgrade(config, "reports_0003")
    command.upgrade(config, "head")
    with Session(engine) as db:
        site = db.get(Site, site_id)
        assert [row for row in _kept(db, site) if row[1] == "clients_new"] == kept_today
    engine.dispose()
