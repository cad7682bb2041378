"""Signing in and out: lockout, server-side sessions and their timeouts."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import Session, joinedload

from sitesys.audit.services import record_event
from sitesys.auth.models import LoginFailure, Staff, StaffSession
from sitesys.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
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
            _(
                "%(site)s is closed, so you cannot switch to it. "
                "Ask an admin to reopen it if it is in use.",
                site=site.name,
            )
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


def _failures_since(session: Session, username: str, staff: Staff | None, now: datetime) -> int:
    """Failures that count towards the lockout: within ten minutes, after the last lock and
    the last full sign-in (those before were counted already).
    """
    since = now - FAILURE_WINDOW
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
    return int(recent or 0)


def _reserve_failure(
    session: Session, username: str, staff: Staff | None, now: datetime
) -> LoginFailure:
    """Count a check as a failure before it is made; the fifth within ten minutes locks the
    username for ten minutes. A check that succeeds takes its failure back.
    """
    recent = _failures_since(session, username, staff, now)
    locks_until = now + LOCK_DURATION if recent + 1 >= MAX_FAILURES else None
    failure = LoginFailure(username=username, failed_at=now, locks_until=locks_until)
    session.add(failure)
    session.flush()
    return failure


def _account_for_check(session: Session, username: str) -> Staff | None:
    """The account under its row lock: every check of one account's password or code queues
    here, so the lockout counts each check before it is made (finding 5: without the lock,
    thirty parallel attempts each counted four earlier failures and checked their password).
    """
    return session.scalar(select(Staff).where(Staff.username == username).with_for_update())


def _refuse_if_locked(session: Session, username: str, staff: Staff | None, now: datetime) -> None:
    locked = _locked_until(session, username, now)
    if locked is not None:
        record_event(session, "auth.sign_in_refused_locked", actor=staff, record=staff)
        raise AccountLocked(locked)


@dataclass(frozen=True)
class PasswordCheck:
    """A password check the lockout has let through, to be made outside any transaction."""

    username: str
    staff_id: int | None
    password_hash: str | None
    #: The failure recorded in advance (taken back if the password is right).
    failure_id: int
    locks_until: datetime | None


@dataclass(frozen=True)
class PasswordVerdict:
    matches: bool
    #: The password hashed again with today's parameters, when its hash is out of date.
    rehashed: str | None = None


def begin_sign_in(session: Session, username: str) -> PasswordCheck:
    """First of the three steps of a sign-in (a short write): lock the account, refuse it if it
    is locked (AccountLocked), and count the check as a failure until it is known to succeed.

    Lockout counts by username in the database, never by address: every tablet of a site shares
    one address, and locking it would lock the whole floor out (the address is throttled by
    Flask-Limiter, auth/views.py, which slows a flood but locks nobody out).
    """
    now = utcnow()
    username = normalise_username(username)[:80]
    staff = _account_for_check(session, username)
    _refuse_if_locked(session, username, staff, now)
    failure = _reserve_failure(session, username, staff, now)
    return PasswordCheck(
        username=username,
        staff_id=staff.id if staff else None,
        password_hash=staff.password_hash if staff and staff.is_active else None,
        failure_id=failure.id,
        locks_until=failure.locks_until,
    )


def check_password(check: PasswordCheck, password: str) -> PasswordVerdict:
    """Second step: the argon2 work, which must run with no transaction open (finding 4: inside
    the request's write transaction it held SQLite's one write lock for a tenth of a second per
    attempt, and a flood of bogus sign-ins queued every check-in behind it).
    """
    matches = verify_password(check.password_hash, password)
    rehashed = None
    if matches and check.password_hash and needs_rehash(check.password_hash):
        rehashed = hash_password(password)
    return PasswordVerdict(matches, rehashed)


def finish_sign_in(session: Session, check: PasswordCheck, verdict: PasswordVerdict) -> Staff:
    """Third step (a short write): a wrong password keeps its failure and is refused
    (SignInRefused, or AccountLocked on the fifth); a right one takes its failure back and
    returns the account. Starting the session is the caller's next step (after the code of
    two-factor sign-in, when the account has one).
    """
    staff = session.get(Staff, check.staff_id, with_for_update=True) if check.staff_id else None
    failure = session.get(LoginFailure, check.failure_id)
    right = (
        verdict.matches
        and staff is not None
        and staff.is_active
        and staff.password_hash == check.password_hash
    )
    if not right or staff is None:
        record_event(
            session,
            "auth.sign_in_failed",
            actor=staff,
            record=staff,
            locked=check.locks_until is not None,
        )
        if check.locks_until is not None:
            raise AccountLocked(check.locks_until)
        raise SignInRefused()
    if failure is not None:
        session.delete(failure)
    if verdict.rehashed is not None:
        staff.password_hash = verdict.rehashed
    session.flush()
    return staff


def complete_sign_in(session: Session, staff: Staff, site: Site | None = None) -> str:
    """The account is who it says (password, and code where asked): the session begins."""
    staff.last_login_at = utcnow()
    return start_session(session, staff, site)


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


class PasswordRefused(Refused):
    """A new password that breaks the rules (auth/passwords.py), or the current one mistyped."""


def check_new_password(staff: Staff, password: str) -> None:
    """Refuse a new password that breaks the rules, or that is the one in use."""
    problems = password_problems(password, staff.username)
    if problems:
        raise PasswordRefused(" ".join(problems))


def set_own_password(
    session: Session, staff: Staff, new_hash: str, *, at_sign_in: bool, keep_session_id: int | None
) -> int:
    """The account's owner sets its password (hashed by the caller, outside any transaction):
    the one an admin issued is no longer in use, and every other session of the account ends.
    Returns how many sessions were ended.
    """
    staff.password_hash = new_hash
    staff.must_change_password = False
    ended = session.execute(
        update(StaffSession)
        .where(
            StaffSession.staff_id == staff.id,
            StaffSession.ended_at.is_(None),
            StaffSession.id != (keep_session_id or 0),
        )
        .values(ended_at=utcnow(), end_reason="password_changed")
        .execution_options(synchronize_session="fetch")
    )
    record_event(
        session,
        "auth.password_changed",
        actor=staff,
        record=staff,
        at_sign_in=at_sign_in,
        sessions_ended=int(ended.rowcount or 0),  # type: ignore[attr-defined]
    )
    session.flush()
    return int(ended.rowcount or 0)  # type: ignore[attr-defined]
