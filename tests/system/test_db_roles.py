"""The application can run as a PostgreSQL role that cannot run DDL, TRUNCATE, delete audit
events or disable triggers, while it reads, writes and seals the audit chain as it needs; and
even the owner cannot TRUNCATE the audit trail.
"""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from sitesys.audit.chain import verify
from sitesys.audit.models import AuditEvent
from sitesys.audit.services import record_event
from sitesys.db import make_engine
from sitesys.system.db_roles import RoleRefused, grant_runtime, runtime_grants
from tests.conftest import migrate

pytestmark = pytest.mark.backend("postgresql")

FORBIDDEN = (
    "TRUNCATE audit_events",
    "TRUNCATE staff_sessions",
    "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
    "ALTER TABLE audit_events DISABLE TRIGGER ALL",
    "DROP TRIGGER audit_events_no_truncate ON audit_events",
    "DROP TABLE audit_events",
    "CREATE TABLE smuggled (id integer)",
    "CREATE FUNCTION smuggled() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
    "SET session_replication_role = replica",
    "DELETE FROM audit_events",
    "UPDATE audit_events SET action = 'x.forged'",
    "DELETE FROM record_versions",
    "DELETE FROM care_given",
    "UPDATE alembic_version SET version_num = 'base'",
)


@pytest.fixture(scope="module")
def runtime(throwaway):
    """A migrated database and (owner engine, runtime engine) on it."""
    url = throwaway.create("roles")
    migrate(url)
    role = f"sitesys_rt_{secrets.token_hex(4)}"
    password = secrets.token_hex(16)
    owner = make_engine(url)
    with owner.begin() as connection:
        connection.execute(text(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'"))
        grant_runtime(connection, role)
    app_url = make_url(url).set(username=role, password=password)
    app = make_engine(app_url.render_as_string(hide_password=False))
    try:
        yield owner, app, role
    finally:
        app.dispose()
        with owner.begin() as connection:
            connection.execute(text(f"DROP OWNED BY {role}"))
            connection.execute(text(f"DROP ROLE {role}"))
        owner.dispose()


def test_the_runtime_role_reads_writes_and_seals_the_chain(runtime):
    _owner, app, _role = runtime
    with Session(app) as session:
        event = record_event(session, "test.runtime", actor=None)
        session.commit()
        assert event.hash is not None and event.chain_position == 1
        assert session.get(AuditEvent, event.id) is not None
        assert verify(session).first_break is None
        assert session.scalar(text("SELECT version_num FROM alembic_version"))


@pytest.mark.parametrize("statement", FORBIDDEN)
def test_the_runtime_role_cannot(runtime, statement):
    _owner, app, _role = runtime
    with Session(app) as session:
        event = record_event(session, "test.runtime", actor=None)
        session.commit()
        assert event.hash is not None
    with app.connect() as connection, pytest.raises(DBAPIError) as refused:
        connection.execute(text(statement))
    message = str(refused.value.orig)
    assert any(
        reason in message for reason in ("permission denied", "must be owner", "append-only")
    ), message


def test_even_the_owner_cannot_truncate_the_audit_trail(runtime):
    owner, _app, _role = runtime
    with owner.connect() as connection, pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text("TRUNCATE audit_events"))


def test_a_runtime_role_that_could_undo_its_limits_is_refused(runtime):
    owner, _app, role = runtime
    with owner.begin() as connection:
        with pytest.raises(RoleRefused, match="must not be the owner"):
            grant_runtime(connection, connection.scalar(text("SELECT current_user")))
        with pytest.raises(RoleRefused, match="no role"):
            grant_runtime(connection, "nobody_here")
    with pytest.raises(RoleRefused, match="lower-case"):
        runtime_grants("app; DROP TABLE audit_events")
    assert role
