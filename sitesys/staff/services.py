"""Managing staff accounts: create, edit, deactivate, reactivate and reset a password."""

from __future__ import annotations

import re
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.audit.models import AuditEvent
from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.passwords import hash_password, password_problems
from sitesys.auth.permissions import Capability, role_can
from sitesys.auth.roles import Role
from sitesys.auth.services import end_all_sessions, normalise_username
from sitesys.clock import utcnow
from sitesys.refusals import Refused
from sitesys.sites.models import Site

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")


class StaffError(Refused):
    """A staff change that breaks a rule; the message is shown to the admin."""


class UsernameTaken(StaffError):
    pass


class NoSiteChosen(StaffError):
    """Only an admin may work without a site: anyone else could open nothing but a 403."""


def check_sites(role: Role, sites: list[Site]) -> None:
    if not sites and role.needs_site:
        raise NoSiteChosen(
            _(
                "Choose at least one site: a %(role)s without a site cannot use SiteSys. "
                "To stop someone working, deactivate the account instead.",
                role=role.label.lower(),
            )
        )


def check_username(username: str) -> str:
    username = normalise_username(username)
    if not USERNAME_PATTERN.match(username):
        raise StaffError(
            _(
                "Use 3 to 40 lower-case letters, digits, dots, dashes or underscores "
                "for the username."
            )
        )
    return username


def create_staff(
    session: Session,
    actor: Staff | None,
    *,
    username: str,
    display_name: str,
    role: Role,
    sites: list[Site],
    password: str,
    must_change: bool = False,
) -> Staff:
    """Create an account; the username must be free and the password must pass the rules. A
    password an admin issues (`must_change`) is changed by its owner at the first sign-in.
    """
    username = check_username(username)
    if session.scalar(select(Staff.id).where(Staff.username == username)) is not None:
        raise UsernameTaken(_("The username %(username)s is already taken.", username=username))
    if not display_name.strip():
        raise StaffError(_("Enter the name colleagues know them by."))
    check_sites(role, sites)
    problems = password_problems(password, username)
    if problems:
        raise StaffError(" ".join(problems))
    staff = Staff(
        username=username,
        display_name=display_name.strip(),
        role=role,
        password_hash=hash_password(password),
        sites=list(sites),
        must_change_password=must_change,
    )
    session.add(staff)
    session.flush()
    record_event(
        session,
        "staff.created",
        actor=actor,
        record=staff,
        role=role.value,
        site_ids=[site.id for site in sites],
    )
    return staff


#: A second "Add staff member" this soon after the first, by the same admin, is the same tap.
RESUBMITTED_WITHIN = timedelta(minutes=2)


def just_added_by(session: Session, actor: Staff, username: str) -> Staff | None:
    """The account this admin created under `username` moments ago, if there is one: a form sent
    twice (a double tap, a reload) is answered with the account it made, not "username taken".
    """
    staff = session.scalar(select(Staff).where(Staff.username == normalise_username(username)))
    if staff is None or utcnow() - staff.created_at > RESUBMITTED_WITHIN:
        return None
    created_by = session.scalar(
        select(AuditEvent.actor_id).where(
            AuditEvent.action == "staff.created",
            AuditEvent.record_type == "staff",
            AuditEvent.record_id == str(staff.id),
        )
    )
    return staff if created_by == actor.id else None


def update_staff(
    session: Session,
    actor: Staff,
    staff: Staff,
    *,
    display_name: str,
    role: Role,
    sites: list[Site],
) -> None:
    """Change name, role and sites; an admin cannot take away their own admin role, and
    nobody but an admin is left without a site.
    """
    if staff.id == actor.id and not role_can(role, Capability.MANAGE_STAFF):
        raise StaffError(_("You cannot remove your own admin role."))
    if not display_name.strip():
        raise StaffError(_("Enter the name colleagues know them by."))
    check_sites(role, sites)
    old_role = staff.role
    staff.display_name = display_name.strip()
    staff.role = role
    staff.sites = list(sites)
    if old_role is not role:
        # A new role takes effect at the next sign-in, not half-way through a shift's pages.
        end_all_sessions(session, staff, "role_changed")
    record_event(
        session,
        "staff.updated",
        actor=actor,
        record=staff,
        role_from=old_role.value,
        role_to=role.value,
        site_ids=sorted(site.id for site in sites),
    )
    session.flush()


def deactivate_staff(session: Session, actor: Staff, staff: Staff) -> int:
    """Deactivate an account and end every session it has, at once."""
    if staff.id == actor.id:
        raise StaffError(_("You cannot deactivate your own account."))
    if not staff.is_active:
        raise StaffError(_("%(name)s is already deactivated.", name=staff.display_name))
    staff.is_active = False
    ended = end_all_sessions(session, staff, "deactivated_by_admin")
    record_event(
        session,
        "staff.deactivated",
        actor=actor,
        record=staff,
        sessions_ended=ended,
    )
    session.flush()
    return ended


def reactivate_staff(session: Session, actor: Staff, staff: Staff) -> None:
    if staff.is_active:
        raise StaffError(_("%(name)s is already active.", name=staff.display_name))
    staff.is_active = True
    record_event(session, "staff.reactivated", actor=actor, record=staff)
    session.flush()


def reset_password(session: Session, actor: Staff | None, staff: Staff, password: str) -> None:
    """Set a new password and end the account's sessions; the password is never recorded, and
    its owner changes it at the next sign-in.
    """
    problems = password_problems(password, staff.username)
    if problems:
        raise StaffError(" ".join(problems))
    staff.password_hash = hash_password(password)
    staff.must_change_password = True
    end_all_sessions(session, staff, "password_reset")
    record_event(
        session,
        "staff.password_reset",
        actor=actor,
        record=staff,
    )
    session.flush()
