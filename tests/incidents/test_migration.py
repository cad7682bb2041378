"""Migration 0004 on a database that already has sites."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from sitesys.db import make_engine
from sitesys.migrations_config import alembic_config


def test_existing_sites_get_the_default_reminder_limit(throwaway):
    url = throwaway.create("incidents_migration")
    config = alembic_config(url)
    command.upgrade(config, "0002")
    engine = make_engine(url)
    with engine.execution_options(sitesys_write=True).begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sites (name, time_zone, is_active, closing_time, idle_timeout_minutes,"
                " absolute_timeout_hours, booth_check_minutes, aftercare_check_minutes,"
                " close_watch_minutes, created_at, code_hint, code_pattern) VALUES ('Old Site',"
                " 'Europe/London', true, '22:00:00', 15, 12, 5, 15, 2, '2026-01-01 00:00:00',"
                " 'hint', '[A-Z]{4}')"
            )
        )
    command.upgrade(config, "head")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT draft_reminder_hours FROM sites")) == 12
    command.downgrade(config, "0002")
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT name FROM sites")) == "Old Site"
    engine.dispose()
