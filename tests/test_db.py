"""Database plumbing: UTC timestamps, SQLite's settings, write transactions."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError

from sitesys.db import get_database
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


def test_foreign_keys_are_enforced(db):
    from sqlalchemy.exc import IntegrityError

    from sitesys.sites.models import Booth

    nested = db.begin_nested()
    db.add(Booth(site_id=987654, label="X"))
    with pytest.raises(IntegrityError):
        db.flush()
    nested.rollback()
