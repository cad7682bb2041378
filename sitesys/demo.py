"""The demo site a newcomer gets from `make run`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.roles import Role
from sitesys.auth.two_factor import SecretBox, is_enrolled, new_secret, two_factor_required
from sitesys.clock import utcnow
from sitesys.handovers.setup import add_shift
from sitesys.sites.models import BoothKind
from sitesys.sites.services import SiteSettings, add_booth, create_site
from sitesys.staff.services import create_staff
from sitesys.words import generate_password

DEMO_SITE = "Demo Site"
DEMO_ACCOUNTS = (
    ("demo.desk", "Dee (front desk)", Role.FRONT_DESK),
    ("demo.nurse", "Nia (nurse)", Role.NURSE),
    ("demo.manager", "Max (manager)", Role.MANAGER),
    ("demo.admin", "Ada (admin)", Role.ADMIN),
    ("demo.checker", "Chas (drug checker)", Role.DRUG_CHECKER),
)


class DemoRefused(RuntimeError):
    pass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    password: str
    #: The TOTP secret of an account that signs in with two-factor (managers, admins): random
    #: per seeding and shown once with the password, never a fixed or documented one.
    totp_secret: str | None = None


def seed_demo(session: Session, box: SecretBox) -> list[DemoAccount]:
    """Create the demo site, its booths and one account per role; refused once staff exist.

    Accounts whose role signs in with two-factor (managers, admins) are enrolled with a new
    random secret, encrypted under the deployment's two-factor key, so that the demo can be
    signed into at once: the secret is returned to be shown once, as the password is. They have
    no recovery codes (an admin resets a lost one).
    """
    if session.scalar(select(func.count()).select_from(Staff)):
        raise DemoRefused(
            "Staff accounts already exist; the demo is only seeded into an empty database."
        )
    site = create_site(
        session,
        None,
        SiteSettings(name=DEMO_SITE),
    )
    for number in range(1, 9):
        add_booth(session, None, site, label=str(number), kind=BoothKind.INJECTING, position=number)
    for number in (1, 2):
        add_booth(
            session, None, site, label=f"S{number}", kind=BoothKind.SMOKING, position=10 + number
        )
    for name, start, end in (
        ("Early", time(7, 0), time(15, 0)),
        ("Late", time(15, 0), time(23, 0)),
        ("Night", time(23, 0), time(7, 0)),
    ):
        add_shift(session, None, site, name, start, end)
    accounts = []
    for username, display_name, role in DEMO_ACCOUNTS:
        password = generate_password(username)
        staff = create_staff(
            session,
            None,
            username=username,
            display_name=display_name,
            role=role,
            sites=[site],
            password=password,
        )
        secret = None
        if two_factor_required(staff) and not is_enrolled(staff):
            secret = new_secret()
            staff.two_factor_secret = box.seal(secret)
            staff.two_factor_enrolled_at = utcnow()
            record_event(
                session, "auth.two_factor_enrolled", actor=None, record=staff, recovery_codes=0
            )
        accounts.append(DemoAccount(username, role, password, secret))
    session.flush()
    return accounts
