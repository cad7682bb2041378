"""The two PostgreSQL roles of a deployment: the owner, which runs the migrations, and the
runtime role the web workers and the scheduler connect as.

The runtime role owns nothing, so it cannot run DDL (create, alter or drop a table), disable a
trigger (only a table's owner can) or change `session_replication_role` (only a superuser can).
It is given the rows it needs and no more: no TRUNCATE anywhere, no DELETE on the audit trail or
on the versions of clinical records (whose triggers refuse it as well), and the migrations' own
table read-only (`/readyz` reads it). The README shows the SQL that creates both roles; the
grants are given by `flask --app wsgi db grant-runtime ROLE`, run as the owner after every
`db upgrade`, so a table a migration adds is granted too.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

#: Tables whose rows are never deleted, whatever the runtime role asks.
KEPT_TABLES = ("audit_events", "record_versions", "care_given")
_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class RoleRefused(ValueError):
    """A runtime role that would not be limited as the deployment needs."""


def runtime_grants(role: str) -> list[str]:
    """The statements that give `role` what the application needs, in order."""
    if not _ROLE_NAME.fullmatch(role):
        raise RoleRefused("A role name is lower-case letters, digits and underscores.")
    return [
        f"REVOKE CREATE ON SCHEMA public FROM PUBLIC, {role}",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}",
        *(f"REVOKE DELETE ON {table} FROM {role}" for table in KEPT_TABLES),
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]


def grant_runtime(connection: Connection, role: str) -> None:
    """Give `role` the runtime grants; refused for a role that could undo them (a superuser,
    one that bypasses row security, or the role running this, which owns the tables).
    """
    row = connection.execute(
        text(
            "SELECT rolsuper, rolbypassrls, rolcreaterole, rolname = current_user AS is_me "
            "FROM pg_roles WHERE rolname = :role"
        ),
        {"role": role},
    ).first()
    if row is None:
        raise RoleRefused(f"There is no role {role!r}: create it first (see the README).")
    if row.is_me:
        raise RoleRefused("The runtime role must not be the owner that runs the migrations.")
    if row.rolsuper or row.rolbypassrls or row.rolcreaterole:
        raise RoleRefused(
            f"{role} is a superuser or may create roles or bypass row security: "
            "the runtime role must be an ordinary login role."
        )
    for statement in runtime_grants(role):
        connection.execute(text(statement))
