"""Signing in and out: lockout, server-side sessions and their timeouts."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import Session, joinedload

from sitesys.audit.services import record_event
from sitesys.auth.models import LoginFailure, Staff, StaffSession
from sitesys.auth.passwords import hash_password, needs_rehash, verify_password
from sitesys.clock import utcnow
from sitesys.refusals import Refused
from sitesys.sites.models import Site, staff_sites

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=10)
LOCK_DURATION = timedelta(minutes=10)
DEFAULT_IDLE_MINUTES = 15
DEFAULT_ABSOLUTE_HOURS = 12
#: last_seen_at is written at most this often, so a busy tablet does not write on every tap.
TOUCH_EVERY = timedelta(seconds=60)


# A refused sign-in is not a `Refused`: a refusal rolls the request back, and a failed sign-in's
# record must be kept (the lockout counts it).
class SignInRefused(Exception):
    """Wrong username or password: the same answer for both, on purpose."""


class SiteClosed(Refused):
    """The site is marked closed: its overdue-check and handover jobs do not run, so nobody may
    start working there (its alerts would never come).
    """

    def __init__(self, site: Site) -> None:
        super().__init__(
            f"{site.name} is closed, so you cannot switch to it. "
            "Ask an admin to reopen it if it is in use."
        )


class AccountLocked(Exception):
    """Too many failed sign-ins for this username."""

    def __init__(self, until: datetime) -> None:
        super().__init__(until)
        self.until = until


def normalise_username(username: str) -> str:
    return username.strip().lower()


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _locked_until(session: Session, username: str, now: datetime) -> datetime | None:
    return session.scalar(
        select(func.max(LoginFailure.locks_until)).where(
            LoginFailure.username == username, LoginFailure.locks_until > now
        )
    )


def _record_failure(
    session: Session, username: str, staff: Staff | None, now: datetime
) -> datetime | None:
    """Count a failure; the fifth within ten minutes locks the username for ten minutes."""
    since = now - FAILURE_WINDOW
    # Failures before the last successful sign-in or the last lock do not count again.
    last_lock = session.scalar(
        select(func.max(LoginFailure.failed_at)).where(
            LoginFailure.username == username, LoginFailure.locks_until.is_not(None)
        )
    )
    for floor in (last_lock, staff.last_login_at if staff else None):
        if floor is not None and floor > since:
            since = floor
    recent = session.scalar(
        select(func.count())
        .select_from(LoginFailure)
        .where(LoginFailure.username == username, LoginFailure.failed_at > since)
    )
    locks_until = now + LOCK_DURATION if (recent or 0) + 1 >= MAX_FAILURES else None
    session.add(LoginFailure(username=username, failed_at=now, locks_until=locks_until))
    record_event(
        session,
        "auth.sign_in_failed",
        actor=staff,
        record=staff,
        locked=locks_until is not None,
    )
    return locks_until


def authenticate(session: Session, username: str, password: str) -> Staff:
    """Check a sign-in: raises AccountLocked or SignInRefused, records failures and successes.

    Lockout counts by username in the database, never by address: every tablet of a site shares
    one address, and locking it would lock the whole floor out.
    """
    now = utcnow()
    username = normalise_username(username)[:80]
    staff = session.scalar(select(Staff).where(Staff.username == username))
    locked = _locked_until(session, username, now)
    if locked is not None:
        record_event(
            session,
            "auth.sign_in_refused_locked",
            actor=staff,
            record=staff,
        )
        raise AccountLocked(locked)
    password_ok = verify_password(staff.password_hash if staff else None, password)
    if staff is None or not password_ok or not staff.is_active:
        until = _record_failure(session, username, staff, now)
        if until is not None:
            raise AccountLocked(until)
        raise SignInRefused()
    if needs_rehash(staff.password_hash):
        staff.password_hash = hash_password(password)
    staff.last_login_at = now
    return staff


def start_session(session: Session, staff: Staff, site: Site | None = None) -> str:
    """Open a server-side session and return its token (a new one at every sign-in)."""
    token = secrets.token_urlsafe(32)
    if site is None:
        site = staff.first_site
    now = utcnow()
    session.add(
        StaffSession(
            token_digest=token_digest(token),
            staff_id=staff.id,
            site_id=site.id if site else None,
            created_at=now,
            last_seen_at=now,
        )
    )
    record_event(
        session,
        "auth.signed_in",
        actor=staff,
        record=staff,
        site_id=site.id if site else None,
    )
    session.flush()
    staff.attach_session_token(token)
    return token


@dataclass
class ResolvedSession:
    staff_session: StaffSession | None
    reason: str | None = None
    #: The staff member still works at the session's site (asked in the same query).
    at_site: bool = False


def _timeouts(staff_session: StaffSession) -> tuple[timedelta, timedelta]:
    site = staff_session.site
    idle = site.idle_timeout_minutes if site else DEFAULT_IDLE_MINUTES
    absolute = site.absolute_timeout_hours if site else DEFAULT_ABSOLUTE_HOURS
    return timedelta(minutes=idle), timedelta(hours=absolute)


#: The sign-in check, built once: every request (each board poll too) starts with it, and a
#: statement made afresh per request spent more time being built and keyed than being run.
_LIVE_SESSION = (
    select(
        StaffSession,
        exists()
        .where(
            staff_sites.c.staff_id == StaffSession.staff_id,
            staff_sites.c.site_id == StaffSession.site_id,
        )
        .label("at_site"),
    )
    .where(StaffSession.token_digest == bindparam("digest"))
    .options(joinedload(StaffSession.staff), joinedload(StaffSession.site))
)


def resolve_session(session: Session, token: str, now: datetime) -> ResolvedSession:
    """Find the live session for a cookie token, or say why there is none (one query)."""
    row = session.execute(_LIVE_SESSION, {"digest": token_digest(token)}).first()
    if row is None:
        return ResolvedSession(None, "unknown")
    staff_session, works_there = row
    if staff_session.ended_at is not None:
        return ResolvedSession(None, staff_session.end_reason or "ended")
    if not staff_session.staff.is_active:
        return ResolvedSession(None, "deactivated")
    idle, absolute = _timeouts(staff_session)
    if now - staff_session.created_at > absolute:
        return ResolvedSession(None, "absolute_timeout")
    if now - staff_session.last_seen_at > idle:
        return ResolvedSession(None, "idle_timeout")
    return ResolvedSession(staff_session, at_site=bool(works_there))


def touch_session(session: Session, staff_session_id: int, now: datetime) -> None:
    """Move the idle clock on (only by a user's own request, never by board polling)."""
    session.execute(
        update(StaffSession)
        .where(StaffSession.id == staff_session_id, StaffSession.last_seen_at < now - TOUCH_EVERY)
        .values(last_seen_at=now)
    )


def end_session(session: Session, staff_session: StaffSession, reason: str) -> None:
    """End one session on the server: its cookie stops working at once."""
    if staff_session.ended_at is None:
        staff_session.ended_at = utcnow()
        staff_session.end_reason = reason
        record_event(
            session,
            "auth.signed_out" if reason == "logout" else "auth.session_ended",
            actor=staff_session.staff,
            record=staff_session.staff,
            site_id=staff_session.site_id,
            reason=reason,
        )
        session.flush()


def end_all_sessions(session: Session, staff: Staff, reason: str) -> int:
    """End every open session of an account (deactivation, password reset)."""
    result = session.execute(
        update(StaffSession)
        .where(StaffSession.staff_id == staff.id, StaffSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
        .execution_options(synchronize_session="fetch")
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def switch_site(session: Session, staff_session: StaffSession, site: Site) -> None:
    """Work at another of the staff member's sites, if it is open."""
    if not staff_session.staff.can_work_at(site.id):
        raise PermissionError("not a site of this account")
    if not site.is_active:
        raise SiteClosed(site)
    staff_session.site_id = site.id
    staff_session.site = site
    record_event(
        session,
        "auth.site_switched",
        actor=staff_session.staff,
        record=site,
    )
    session.flush()
