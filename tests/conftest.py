"""Test fixtures: a migrated database per run, a rolled-back transaction per test.

Every test runs on the backend chosen with --db (sqlite or postgresql); `make test` runs the whole
suite on both. The schema is built by the Alembic migrations, never by create_all.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask, request_finished
from flask.testing import FlaskClient
from hypothesis import HealthCheck, settings
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.orm import Session

from config import Config
from sitesys import create_app
from sitesys.board.drawn import forget_boards
from sitesys.db import get_database
from sitesys.migrations_config import alembic_config
from tests.factories import TWO_FACTOR_KEY

pytest_plugins = ["tests.browser_fixtures"]

# Property tests check rules, not speed: on a shared 2-core machine (and in CI) an example may
# take longer than Hypothesis's 200 ms default, which would fail a correct rule.
settings.register_profile("sitesys", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("sitesys")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=("sqlite", "postgresql"),
        default=os.environ.get("SITESYS_TEST_DB", "sqlite"),
        help="database backend for this run (make test runs both)",
    )


@pytest.fixture(scope="session")
def backend(pytestconfig: pytest.Config) -> str:
    return str(pytestconfig.getoption("--db"))


class ThrowawayDatabases:
    """Creates databases for one test run and drops every one of them afterwards."""

    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend = backend
        self.tmp = tmp
        self.created: list[str] = []
        if backend == "postgresql":
            base = os.environ.get("SITESYS_TEST_POSTGRES_URL")
            if not base:
                raise pytest.UsageError("--db=postgresql needs SITESYS_TEST_POSTGRES_URL")
            self.admin_url = make_url(base)

    def create(self, label: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp / f'{label}-{secrets.token_hex(4)}.sqlite3'}"
        name = f"sitesys_test_{label}_{os.getpid()}_{secrets.token_hex(4)}"
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        self.created.append(name)
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if self.backend != "postgresql" or not self.created:
            return
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def throwaway(
    backend: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ThrowawayDatabases]:
    databases = ThrowawayDatabases(backend, tmp_path_factory.mktemp("db"))
    yield databases
    databases.drop_all()


def migrate(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def test_config(database_url: str, **extra: Any) -> Config:
    return Config(
        env="test",
        secret_key="test-secret-" + secrets.token_hex(16),
        client_code_key="test-client-code-" + secrets.token_hex(16),
        # Fixed for the suite, so that factories can enrol managers and admins in two-factor
        # sign-in (tests/factories.py: make_staff) under the key every test app uses.
        two_factor_key=TWO_FACTOR_KEY,
        database_url=database_url,
        extra=extra,
    )


@pytest.fixture(scope="session")
def database_url(throwaway: ThrowawayDatabases) -> str:
    url = throwaway.create("main")
    migrate(url)
    return url


class CSRFClient(FlaskClient):
    """A test client that sends a valid CSRF token with every POST unless told not to."""

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        serializer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return str(serializer.dumps(raw))

    def post(self, *args: Any, csrf: bool = True, **kwargs: Any) -> Any:
        if csrf:
            data = kwargs.get("data", {})
            if isinstance(data, dict) and "csrf_token" not in data:
                kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        return super().post(*args, **kwargs)


def build_app(url: str, **extra: Any) -> Flask:
    app = create_app(test_config(url, **extra))
    app.test_client_class = CSRFClient
    return app


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Each test starts under every per-address limit: the test app lives the whole run and
    the limiter counts in memory, and every test client has one address, so tests of the desk,
    the public pages or sign-in run in one minute would otherwise meet each other's counts (429).
    """
    from sitesys.extensions import limiter

    # Before any test has made the app, the limiter has no storage to reset (it asserts so).
    with contextlib.suppress(AssertionError, AttributeError, RuntimeError):
        limiter.reset()


@pytest.fixture(scope="session")
def app(database_url: str) -> Iterator[Flask]:
    app = build_app(database_url)
    yield app
    get_database(app).engine.dispose()


@pytest.fixture
def connection(app: Flask) -> Iterator[Connection]:
    conn = get_database(app).engine.execution_options(sitesys_write=True).connect()
    transaction = conn.begin()
    yield conn
    transaction.rollback()
    conn.close()
    # The rollback hands the same audit ids to the next test, which a real site's append-only
    # log never does: boards drawn under them must not outlive the test.
    forget_boards(app)


@pytest.fixture
def db(app: Flask, connection: Connection, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """The test's session. Every session the app opens joins the same outer transaction as a
    savepoint, so requests, jobs and the test see each other's work and it is all rolled back."""

    def new_session(write: bool = True) -> Session:
        return Session(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )

    monkeypatch.setattr(get_database(app), "new_session", new_session)
    session = new_session()

    def _expire(_sender: Flask, **_kwargs: Any) -> None:
        # What a request changed must be read afresh by the test's own session.
        session.expire_all()

    request_finished.connect(_expire, app)
    yield session
    request_finished.disconnect(_expire, app)
    session.close()


@pytest.fixture
def client(app: Flask, db: Session) -> CSRFClient:
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def app_context(app: Flask, db: Session) -> Iterator[None]:
    with app.test_request_context():
        yield


class CommittedDatabase:
    """A database whose commits are real (threads, live server); emptied after each test."""

    def __init__(self, throwaway: ThrowawayDatabases) -> None:
        self.throwaway = throwaway
        self.backend = throwaway.backend
        self.template = throwaway.create("committed")
        migrate(self.template)

    def fresh_url(self) -> str:
        if self.backend == "sqlite":
            source = make_url(self.template).database
            assert source
            target = Path(source).with_name(f"live-{secrets.token_hex(4)}.sqlite3")
            shutil.copyfile(source, target)
            return f"sqlite:///{target}"
        return self.template

    def empty(self, app: Flask) -> None:
        if self.backend != "postgresql":
            return
        engine = get_database(app).engine
        with engine.begin() as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    text(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                        "AND tablename <> 'alembic_version'"
                    )
                )
            ]
            # The audit trail refuses TRUNCATE (a trigger); a test's throwaway database is
            # emptied past its triggers, as only its owner can.
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def committed_database(throwaway: ThrowawayDatabases) -> CommittedDatabase:
    return CommittedDatabase(throwaway)


@pytest.fixture
def committed_app(committed_database: CommittedDatabase) -> Iterator[Flask]:
    """An app on its own database where commits are real: for races and the browser."""
    app = build_app(committed_database.fresh_url())
    yield app
    committed_database.empty(app)
    get_database(app).engine.dispose()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of one backend's own machinery (SQLite's locking, say) are deselected on the other:
    reported as deselected, never as a pass."""
    backend = str(config.getoption("--db"))
    keep, drop = [], []
    for item in items:
        only = item.get_closest_marker("backend")
        (drop if only and only.args[0] != backend else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app: Flask, connection: Connection) -> Iterator[Any]:
    """Count the SQL statements a block sends (SAVEPOINT bookkeeping of the test harness aside)."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
                counter.statements.append(statement)

        event.listen(connection, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(connection, "before_cursor_execute", before)

    return counting
