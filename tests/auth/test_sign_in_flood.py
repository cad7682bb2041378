"""Finding 4 and 5 of issue 20: sign-in cannot slow the site down, and the lockout is exact.

- the argon2 work runs with no transaction open, so a flood of bogus sign-ins holds no lock
  that a check-in waits for;
- sign-in attempts and client-code look-ups are limited per address (Flask-Limiter);
- thirty-odd parallel wrong passwords for one account make exactly five password checks
  (real commits, real threads; found on PostgreSQL);
- failure records are removed after 90 days by a job.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import threading
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from sitesys.audit.models import AuditEvent
from sitesys.auth import passwords
from sitesys.auth.models import LoginFailure, StaffSession
from sitesys.auth.roles import Role
from sitesys.auth.tasks import remove_old_sign_in_failures
from sitesys.clock import utcnow
from sitesys.db import get_database
from sitesys.scheduler import jobs
from tests.conftest import build_app
from tests.factories import PASSWORD, make_site, make_staff, make_substances, sign_in


def _count(session, action: str) -> int:
    return int(
        session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )
        or 0
    )


def _open_transactions_elsewhere(url: str) -> int | None:
    """How many other connections hold a transaction open (PostgreSQL), or whether another
    writer could take SQLite's write lock at once (None when it can)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        probe = sqlite3.connect(parsed.database or "", timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return None
        except sqlite3.OperationalError:
            return 1
        finally:
            probe.close()
    engine = create_engine(url)
    with engine.connect() as conn:
        busy = conn.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
            )
        )
    engine.dispose()
    return int(busy or 0) or None


@pytest.mark.committed
def test_the_password_is_checked_with_no_transaction_open(committed_app, monkeypatch):
    with get_database(committed_app).new_session() as session:
        make_staff(session, Role.NURSE, [make_site(session)], username="nia")
        session.commit()
    url = str(get_database(committed_app).engine.url.render_as_string(hide_password=False))
    seen: list[int | None] = []

    class Probing(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            seen.append(_open_transactions_elsewhere(url))
            return super().verify(hash, password)

    monkeypatch.setattr(passwords, "_hasher", Probing())
    client = committed_app.test_client()
    assert client.post("/login", data={"username": "nia", "password": "wrong one"}).status_code
    assert client.post("/login", data={"username": "ghost", "password": "wrong one"}).status_code
    right = client.post("/login", data={"username": "nia", "password": PASSWORD})
    assert right.status_code == 302
    assert seen == [None, None, None]


def test_sign_in_is_limited_per_address_and_another_address_is_not_held_up(
    app, client, db, monkeypatch
):
    assert app.config["SITESYS"].sign_in_limit == "10 per minute;200 per hour"
    # The same rule at 3 a minute, so that the test makes three argon2 checks, not thirty.
    monkeypatch.setitem(
        app.config, "SITESYS", dataclasses.replace(app.config["SITESYS"], sign_in_limit="3/minute")
    )
    make_staff(db, Role.NURSE, [make_site(db)], username="nia")
    flood = {"REMOTE_ADDR": "203.0.113.9"}
    statuses = [
        client.post(
            "/login",
            data={"username": f"bogus{n}", "password": "not a password"},
            environ_base=flood,
        ).status_code
        for n in range(4)
    ]
    assert statuses == [401] * 3 + [429]
    refused = client.post(
        "/login", data={"username": "nia", "password": PASSWORD}, environ_base=flood
    )
    assert refused.status_code == 429
    assert "Too many sign-in attempts" in refused.get_data(as_text=True)
    # Refused before any check: no failure recorded for it, no session.
    assert db.scalar(select(func.count()).select_from(LoginFailure)) == 3
    desk = client.post(
        "/login",
        data={"username": "nia", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "198.51.100.4"},
    )
    assert desk.status_code == 302
    assert db.scalar(select(func.count()).select_from(StaffSession)) == 1


def test_client_code_look_ups_are_limited_per_address(app, client, db, monkeypatch):
    config = app.config["SITESYS"]
    monkeypatch.setitem(
        app.config, "SITESYS", dataclasses.replace(config, client_lookup_limit="3 per minute")
    )
    site = make_site(db)
    make_substances(db, site)
    sign_in(client, db, make_staff(db, Role.FRONT_DESK, [site]))
    form = {"client_code": "JOSM8", "find": "1"}
    statuses = [client.post("/checkin", data=form).status_code for _ in range(4)]
    assert statuses[:3] != [429] * 3 and 429 not in statuses[:3]
    assert statuses[3] == 429
    # The limit is the desk's look-ups only: the desk page itself still opens.
    assert client.get("/checkin").status_code == 200


@pytest.fixture
def many_checks_app(committed_database):
    """A committed app that checks any number of passwords at once, as several workers or hosts
    together do (each worker alone checks one at a time, config.py)."""
    app = build_app(committed_database.fresh_url(), SITESYS_PASSWORD_CHECKS_AT_ONCE=64)
    yield app
    committed_database.empty(app)
    get_database(app).engine.dispose()


@pytest.mark.committed
def test_parallel_wrong_passwords_make_exactly_five_checks(many_checks_app, monkeypatch):
    """Finding 5: 30 attempts at once (each from its own address, as a botnet's would be)."""
    committed_app = many_checks_app
    with get_database(committed_app).new_session() as session:
        make_staff(session, Role.NURSE, [make_site(session)], username="nia")
        session.commit()
    checks: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            checks.append(str(password))
            return super().verify(hash, password)

    monkeypatch.setattr(passwords, "_hasher", Counting())
    attempts = 30
    clients = [committed_app.test_client() for _ in range(attempts)]
    tokens = [client.csrf_token() for client in clients]
    barrier = threading.Barrier(attempts)
    statuses: list[int] = [0] * attempts

    def attempt(index: int) -> None:
        barrier.wait()
        statuses[index] = (
            clients[index]
            .post(
                "/login",
                data={
                    "username": "nia",
                    "password": f"wrong guess {index}",
                    "csrf_token": tokens[index],
                },
                csrf=False,
                environ_base={"REMOTE_ADDR": f"192.0.2.{index + 1}"},
            )
            .status_code
        )

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(checks) == 5
    assert sorted(statuses) == [401] * 4 + [429] * (attempts - 4)
    right = committed_app.test_client().post(
        "/login", data={"username": "nia", "password": PASSWORD}
    )
    assert right.status_code == 429 and len(checks) == 5
    with get_database(committed_app).new_session() as session:
        assert _count(session, "auth.sign_in_failed") == 5
        assert _count(session, "auth.sign_in_refused_locked") == attempts - 5 + 1
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 5
        assert session.scalar(select(func.count()).select_from(StaffSession)) == 0


def test_failure_records_are_kept_90_days_by_a_scheduled_job(db):
    now = utcnow()
    db.add_all(
        [
            LoginFailure(username="ghost", failed_at=now - timedelta(days=91)),
            LoginFailure(username="ghost", failed_at=now - timedelta(days=90, minutes=1)),
            LoginFailure(username="ghost", failed_at=now - timedelta(days=89)),
        ]
    )
    db.flush()
    assert remove_old_sign_in_failures(db) == 2
    assert db.scalar(select(func.count()).select_from(LoginFailure)) == 1
    [event] = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failures_removed")
    )
    assert event.actor_id is None and event.detail["removed"] == 2
    assert remove_old_sign_in_failures(db) == 0
    assert "sign_in_failure_retention" in {job.id for job in jobs()}


def test_the_limits_are_read_from_the_environment_and_checked():
    from config import Config, ConfigError

    config = Config.from_env({"SITESYS_ENV": "test", "SITESYS_SIGN_IN_LIMIT": "5 per minute"})
    assert config.sign_in_limit == "5 per minute"
    assert config.client_lookup_limit == "120 per minute"
    with pytest.raises(ConfigError, match="SITESYS_CLIENT_LOOKUP_LIMIT"):
        Config.from_env({"SITESYS_ENV": "test", "SITESYS_CLIENT_LOOKUP_LIMIT": "lots"})


@pytest.mark.committed
def test_a_worker_checks_one_password_at_a_time_and_says_so(committed_app, monkeypatch):
    """The argon2 work takes a core for a moment: a second sign-in arriving while one is
    checked is asked to try again (503, nothing checked or recorded) rather than holding a
    worker thread that the desk needs."""
    with get_database(committed_app).new_session() as session:
        make_staff(session, Role.NURSE, [make_site(session)], username="nia")
        session.commit()
    checking = threading.Event()
    release = threading.Event()

    class Slow(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> bool:
            checking.set()
            release.wait(timeout=30)
            return super().verify(hash, password)

    monkeypatch.setattr(passwords, "_hasher", Slow())
    first: list[int] = []
    thread = threading.Thread(
        target=lambda: first.append(
            committed_app.test_client()
            .post("/login", data={"username": "nia", "password": PASSWORD})
            .status_code
        )
    )
    thread.start()
    assert checking.wait(timeout=30)
    second = committed_app.test_client().post(
        "/login", data={"username": "nia", "password": PASSWORD}
    )
    release.set()
    thread.join(timeout=30)
    assert second.status_code == 503
    assert "Wait a few seconds, then sign in again." in second.get_data(as_text=True)
    assert first == [302]
    with get_database(committed_app).new_session() as session:
        assert session.scalar(select(func.count()).select_from(LoginFailure)) == 0
        assert session.scalar(select(func.count()).select_from(StaffSession)) == 1
