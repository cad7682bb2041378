"""Factories: each builds a valid record with sensible defaults, flushes, never commits."""

from __future__ import annotations

import itertools
import secrets
import uuid
from functools import cache
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import MetaData, Table, insert, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from sitesys.audit import floor_rule
from sitesys.auth.models import Staff
from sitesys.auth.passwords import hash_password
from sitesys.auth.roles import Role
from sitesys.auth.services import start_session
from sitesys.auth.two_factor import SecretBox, code_at, time_step
from sitesys.checkin.models import DrugChecked, Route, Visit, VisitStatus, VisitSubstance
from sitesys.clients.models import Client
from sitesys.clock import utcnow
from sitesys.sites.models import (
    DEFAULT_SUBSTANCES,
    Booth,
    BoothKind,
    BoothStatus,
    Site,
    SubstanceOption,
)

PASSWORD = "amber heron river twelve"
#: The two-factor key of every test app (tests/conftest.py: test_config), and the TOTP secret
#: make_staff enrols managers and admins with: tests sign in with `totp_code()` after the password.
TWO_FACTOR_KEY = "test-two-factor-key-for-the-whole-suite-only"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
_numbers = itertools.count(1)


def scene(session: Session) -> None:
    """Flush a test's scene, built directly rather than through the services: what it wrote is
    the starting point, not a change to the floor that the audit rule should see audited.
    """
    session.flush()
    floor_rule.forget(session)


@cache
def password_hash() -> str:
    # argon2 is deliberately slow; the suite hashes the shared test password once.
    return hash_password(PASSWORD)


def make_site(session: Session, **overrides: Any) -> Site:
    values: dict[str, Any] = {"name": f"Site {next(_numbers)}", "time_zone": "Europe/London"}
    values.update(overrides)
    site = Site(**values)
    session.add(site)
    session.flush()
    return site


def make_booth(session: Session, site: Site, **overrides: Any) -> Booth:
    values: dict[str, Any] = {
        "site_id": site.id,
        "label": str(next(_numbers)),
        "kind": BoothKind.INJECTING,
    }
    values.update(overrides)
    booth = Booth(**values)
    session.add(booth)
    scene(session)
    return booth


def make_staff(
    session: Session, role: Role = Role.NURSE, sites: list[Site] | None = None, **overrides: Any
) -> Staff:
    number = next(_numbers)
    values: dict[str, Any] = {
        "username": f"{role.value.replace('_', '')}{number}",
        "display_name": f"{role.label} {number}",
        "role": role,
        "password_hash": password_hash(),
    }
    two_factor = overrides.pop("two_factor", None)
    values.update(overrides)
    staff = Staff(**values)
    staff.sites = list(sites or [])
    if two_factor is None:
        # As a real account must be once signed in: managers and admins are enrolled.
        two_factor = role in (Role.MANAGER, Role.ADMIN)
    if two_factor:
        staff.two_factor_secret = SecretBox(TWO_FACTOR_KEY).seal(TOTP_SECRET)
        staff.two_factor_enrolled_at = utcnow()
    session.add(staff)
    session.flush()
    return staff


def totp_code(secret: str = TOTP_SECRET, *, steps_ahead: int = 0) -> str:
    """The code an authenticator app shows now for `secret` (or a step or so ahead: a code
    is accepted once only, so a second sign-in within 30 seconds uses the next one).
    """
    return code_at(secret, time_step(utcnow()) + steps_ahead)


def sign_in_with_code(
    client: FlaskClient, username: str, password: str = PASSWORD, *, steps_ahead: int = 0
) -> Any:
    """Sign in through the pages, the password and then (where asked) the code; returns the
    last response.
    """
    response = client.post("/login", data={"username": username, "password": password})
    if response.status_code == 302 and response.headers["Location"].startswith("/login/code"):
        response = client.post("/login/code", data={"code": totp_code(steps_ahead=steps_ahead)})
    return response


def sign_in(client: FlaskClient, session: Session, staff: Staff, site: Site | None = None) -> str:
    """Sign a test client in as staff without the argon2 round trip (test_auth covers that)."""
    token = start_session(session, staff, site)
    session.flush()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = token
        cookie["_fresh"] = True
    return token


def make_substances(session: Session, site: Site) -> None:
    """The default pick-list, as create_site gives a real site."""
    for position, (code, label) in enumerate(DEFAULT_SUBSTANCES):
        session.add(SubstanceOption(site_id=site.id, code=code, label=label, position=position))
    session.flush()


def make_client(session: Session, site: Site, **overrides: Any) -> Client:
    number = next(_numbers)
    values: dict[str, Any] = {
        "site_id": site.id,
        "code_digest": secrets.token_hex(32),
        "display_tag": f"Test Heron {number}",
    }
    values.update(overrides)
    client = Client(**values)
    session.add(client)
    session.flush()
    return client


def make_visit(session: Session, site: Site, staff: Staff, **overrides: Any) -> Visit:
    """An open visit; pass status and booth for one in a booth (the booth is marked occupied)."""
    now = overrides.pop("at", None) or utcnow()
    booth = overrides.pop("booth", None)
    substances = overrides.pop("substances", ["heroin"])
    status = overrides.get("status", VisitStatus.IN_BOOTH if booth else VisitStatus.WAITING)
    values: dict[str, Any] = {
        "id": uuid.uuid4(),
        "site_id": site.id,
        "status": status,
        "route": Route.INJECT,
        "drug_checked": DrugChecked.NO,
        "checked_in_at": now,
        "checked_in_by_id": staff.id,
        "submission_key": str(uuid.uuid4()),
        "booth_id": booth.id if booth else None,
        "booth_entered_at": now if booth else None,
        "aftercare_at": now if status is VisitStatus.AFTERCARE else None,
        "left_at": None if status.is_open else now,
    }
    values.update(overrides)
    visit = Visit(**values)
    visit.substances = [VisitSubstance(code=code) for code in substances]
    session.add(visit)
    if booth is not None and status is VisitStatus.IN_BOOTH:
        booth.status = BoothStatus.OCCUPIED
    scene(session)
    return visit


def insert_site_row(connection: Connection, **values: Any) -> int:
    """A site row as a migration test's old database has it: the model's columns that exist at
    the connection's revision, their Python defaults filling those not given, so the test does
    not break when a later feature adds a column to sites."""
    existing = {column["name"] for column in inspect(connection).get_columns("sites")}
    sites_then = Table(
        "sites",
        MetaData(),
        *(column._copy() for column in Site.__table__.columns if column.name in existing),
    )
    values = {"name": "Old site", "time_zone": "Europe/London", **values}
    inserted = connection.execute(insert(sites_then).values(**values)).inserted_primary_key
    assert inserted is not None
    return int(inserted[0])
