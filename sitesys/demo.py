"""The demo site a newcomer gets from `make run`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.auth.models import Staff
from sitesys.auth.roles import Role
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


def seed_demo(session: Session) -> list[DemoAccount]:
    """Create the demo site, its booths and one account per role; refused once staff exist."""
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
        create_staff(
            session,
            None,
            username=username,
            display_name=display_name,
            role=role,
            sites=[site],
            password=password,
        )
        accounts.append(DemoAccount(username, role, password))
    return accounts
