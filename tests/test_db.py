"""Database plumbing: UTC timestamps, SQLite's settings, write transactions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select, text
from sqlalchemy.exc import StatementError

from sitesys.db import committing, end_writing, get_database
from sitesys.refusals import Refused
from sitesys.sites.models import Site
from tests.factories import make_site


def test_timestamps_come_back_utc_aware(db):
    site = make_site(
        db, created_at=datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=2)))
    )
    db.expire_all()
    loaded = db.scalar(select(Site).where(Site.id == site.id))
    assert loaded is not None
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at == datetime(2026, 3, 28, 23, 30, tzinfo=UTC)


def test_naive_timestamps_are_refused(db):
    with pytest.raises(StatementError, match="naive"):
        make_site(db, created_at=datetime(2026, 1, 1, 12, 0))


@pytest.mark.backend("sqlite")
def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(app):
    with get_database(app).engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000


@pytest.mark.backend("postgresql")
def test_postgresql_connections_do_not_jit_compile_and_sort_in_memory(app):
    # Compiling a report's costlier statements took PostgreSQL longer than running them, and a
    # network's year of kept figures spilled to disk with the default 4 MB.
    with get_database(app).engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW jit").scalar() == "off"
        assert conn.exec_driver_sql("SHOW work_mem").scalar() == "16MB"


@pytest.mark.backend("sqlite")
def test_sqlite_write_sessions_begin_immediate_and_reads_do_not(committed_app):
    database = get_database(committed_app)
    path = database.engine.url.database
    assert path

    def can_take_write_lock() -> bool:
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()

    with database.new_session(write=False) as reader:
        reader.execute(text("SELECT 1"))
        assert can_take_write_lock()
    with database.new_session(write=True) as writer:
        writer.execute(text("SELECT 1"))
        assert not can_take_write_lock()
        writer.rollback()
    assert can_take_write_lock()
    with database.new_session(write=True) as writer:
        make_site(writer, name="Drawn after the commit")
        writer.commit()
        # The page a tap is answered with is drawn after the commit: without the write lock.
        end_writing(writer)
        assert writer.scalar(select(Site.id).where(Site.name == "Drawn after the commit"))
        assert can_take_write_lock()


def test_foreign_keys_are_enforced(db):
    from sqlalchemy.exc import IntegrityError

    from sitesys.sites.models import Booth

    nested = db.begin_nested()
    db.add(Booth(site_id=987654, label="X"))
    with pytest.raises(IntegrityError):
        db.flush()
    nested.rollback()


def test_committing_keeps_the_work_and_then_shows_its_messages(app, db):
    with app.test_request_context():
        with committing(db) as outcome:
            site = make_site(db, name="Kept")
            outcome.say("Saved.")
        assert not outcome.refused
        assert get_flashed_messages(with_categories=True) == [("success", "Saved.")]
    db.expire_all()
    assert db.scalar(select(Site.name).where(Site.id == site.id)) == "Kept"


def test_committing_rolls_a_refused_change_back_and_shows_only_the_refusal(app, db):
    before = db.scalar(select(func.count()).select_from(Site))
    with app.test_request_context():
        with committing(db) as outcome:
            make_site(db, name="Half saved")
            outcome.say("Saved.")
            raise Refused("That booth was just taken.")
        assert outcome.refused and str(outcome.refusal) == "That booth was just taken."
        assert get_flashed_messages(with_categories=True) == [
            ("error", "That booth was just taken.")
        ]
    assert db.scalar(select(func.count()).select_from(Site)) == before


def test_committing_lets_a_fault_through_without_committing(app, db):
    before = db.scalar(select(func.count()).select_from(Site))

    def fails_half_way() -> None:
        with committing(db):
            make_site(db)
            _ = 1 / 0

    with app.test_request_context(), pytest.raises(ZeroDivisionError):
        fails_half_way()
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Site)) == before
