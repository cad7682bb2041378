"""Factories: each builds a valid record with sensible defaults, flushes, never commits."""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from sitesys.auth.models import Staff
from sitesys.auth.passwords import hash_password
from sitesys.auth.roles import Role
from sitesys.auth.services import start_session
from sitesys.sites.models import Booth, BoothKind, Site

PASSWORD = "amber heron river twelve"
_numbers = itertools.count(1)


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
    session.flush()
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
    values.update(overrides)
    staff = Staff(**values)
    staff.sites = list(sites or [])
    session.add(staff)
    session.flush()
    return staff


def sign_in(client: FlaskClient, session: Session, staff: Staff, site: Site | None = None) -> str:
    """Sign a test client in as staff without the argon2 round trip (test_auth covers that)."""
    token = start_session(session, staff, site)
    session.flush()
    with client.session_transaction() as cookie:
        cookie["_user_id"] = token
        cookie["_fresh"] = True
    return token
