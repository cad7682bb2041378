"""Two-factor sign-in: a TOTP code (RFC 6238, pyotp) after the password, or a recovery code.

Who must have it: managers and admins always, everyone at a site whose settings ask it of every
role (`Site.two_factor_for_all`). Enrolment is by QR code (drawn here as inline SVG by segno, no
outside service) with the secret also shown as text, confirmed by a first code; ten recovery codes
are then shown once and kept only as argon2id hashes, each usable once.

The secret is kept encrypted at rest: Fernet (AES-128-CBC with HMAC-SHA256) under a key derived
from SITESYS_TWO_FACTOR_KEY (or, where that is not set, from the secret key under a label of its
own). A copy of the database alone yields no secret. It is never logged, audited or put in a URL.

A code is accepted for its own 30-second step and one step either side (clock drift), and never
twice: the last accepted step is kept and a code of that step or an earlier one is refused.

Checking a code at sign-in is three steps, as the password is (auth/services.py): a short write
that takes the account's row lock, refuses a locked account and counts the check as a failure
in advance (so wrong codes count toward the same lockout as wrong passwords); a recovery code's
argon2 check with no transaction open; and a short write that records the verdict.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import LoginFailure, RecoveryCode, Staff
from sitesys.auth.passwords import hash_secret, verify_secret
from sitesys.auth.permissions import Capability, ensure
from sitesys.auth.roles import Role
from sitesys.auth.services import (
    AccountLocked,
    _account_for_check,
    _refuse_if_locked,
    _reserve_failure,
    end_all_sessions,
)
from sitesys.clock import utcnow
from sitesys.refusals import Refused

ISSUER = "SiteSys"
STEP_SECONDS = 30
#: Steps either side of now whose code is still accepted (a phone's clock a little out).
DRIFT_STEPS = 1
DIGITS = 6
RECOVERY_CODES = 10
#: Crockford's base32: 32 symbols (5 bits each), no I, L, O or U; a typed O is read as 0 and
#: I or L as 1.
RECOVERY_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: 16 symbols: 80 bits per code. The first LOCATOR_LENGTH (15 bits) are kept plain to find the
#: code's row; the other 13 symbols (65 bits) are known only as an argon2 hash.
RECOVERY_LENGTH = 16
LOCATOR_LENGTH = 3

#: Why an admin reset a colleague's two-factor: the audit detail holds one of these, never text.
RESET_REASONS = {
    "lost_device": _l("Phone lost or stolen"),
    "new_device": _l("New phone"),
    "suspected_compromise": _l("Secret may have been seen by someone else"),
    "other": _l("Another reason"),
}

#: Role that must always sign in with two-factor.
ALWAYS_REQUIRED = frozenset({Role.MANAGER, Role.ADMIN})


class CodeRefused(Exception):
    """A wrong, reused or expired code (not a `Refused`: its failure record must be kept)."""


class TwoFactorRefused(Refused):
    """A two-factor change that breaks a rule; the message is shown as it is."""


# --- Who must have it ---------------------------------------------------------------------------


def two_factor_required(staff: Staff) -> bool:
    """Managers and admins always; anyone working at a site that asks it of every role."""
    return staff.role in ALWAYS_REQUIRED or any(site.two_factor_for_all for site in staff.sites)


def is_enrolled(staff: Staff) -> bool:
    return staff.two_factor_secret is not None


# --- The secret, encrypted at rest ---------------------------------------------------------------


class SecretBox:
    """Encrypts and decrypts TOTP secrets with the deployment's two-factor key."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("a two-factor key is needed")
        digest = hashlib.sha256(b"sitesys-two-factor:" + key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except InvalidToken as error:
            # Raised without the token, so that nothing of it reaches a log.
            raise ValueError("the two-factor secret does not open under this key") from error


def two_factor_key(secret_key: str, configured: str) -> str:
    """The key material of SecretBox: SITESYS_TWO_FACTOR_KEY, or the secret key when it is unset
    (a different label keeps the two derived keys apart).
    """
    return configured or "derived-from-secret-key:" + secret_key


def secret_box_for(config: Mapping[str, Any]) -> SecretBox:
    """The SecretBox of an app's configuration (its SECRET_KEY and SITESYS_TWO_FACTOR_KEY)."""
    return SecretBox(
        two_factor_key(str(config["SECRET_KEY"]), str(config.get("SITESYS_TWO_FACTOR_KEY") or ""))
    )


def new_secret() -> str:
    """A new TOTP secret: 32 base32 characters, 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def spaced(secret: str) -> str:
    """The secret in groups of four, as a person types it into an authenticator app."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR code as an inline <svg> (no image request, no outside service)."""
    return str(
        segno.make(uri, error="m").svg_inline(
            scale=5, border=4, dark="#000", light="#fff", title=_("Two-factor QR code")
        )
    )


# --- Codes ---------------------------------------------------------------------------------------


def time_step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def matching_step(secret: str, typed: str, now: datetime, after: int | None) -> int | None:
    """The time step (now, or one either side) whose code was typed, if it is later than
    `after` (the last step accepted: a code is never accepted twice); None otherwise.
    """
    code = "".join(typed.split())
    if len(code) != DIGITS or not code.isdigit():
        return None
    current = time_step(now)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # Every candidate is compared, in constant time, whatever matched before.
        if hmac.compare_digest(code_at(secret, step), code) and (after is None or step > after):
            found = step
    return found


def normalise_recovery(typed: str) -> str:
    code = "".join(ch for ch in typed.upper() if ch.isascii() and ch.isalnum())
    return code.replace("O", "0").replace("I", "1").replace("L", "1")


def is_totp_shaped(typed: str) -> bool:
    code = "".join(typed.split())
    return len(code) == DIGITS and code.isdigit()


def new_recovery_codes() -> list[str]:
    codes = []
    for _number in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _symbol in range(RECOVERY_LENGTH))
        codes.append("-".join(raw[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
    return codes


@dataclass(frozen=True)
class HashedCode:
    locator: str
    code_hash: str


def hash_recovery_codes(codes: list[str]) -> list[HashedCode]:
    """argon2id hashes of new recovery codes (auth/passwords.py: hash_secret; a fraction of a
    second for ten, still outside any transaction).
    """
    return [
        HashedCode(normalise_recovery(code)[:LOCATOR_LENGTH], hash_secret(normalise_recovery(code)))
        for code in codes
    ]


def _store_recovery_codes(session: Session, staff: Staff, hashed: list[HashedCode]) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    now = utcnow()
    for code in hashed:
        session.add(
            RecoveryCode(
                staff_id=staff.id, locator=code.locator, code_hash=code.code_hash, created_at=now
            )
        )


def recovery_codes_left(session: Session, staff: Staff) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RecoveryCode)
            .where(RecoveryCode.staff_id == staff.id, RecoveryCode.used_at.is_(None))
        )
        or 0
    )


# --- Enrolment, reset, new recovery codes --------------------------------------------------------


def enrol(
    session: Session,
    staff: Staff,
    box: SecretBox,
    secret: str,
    typed: str,
    hashed: list[HashedCode],
) -> None:
    """Enrol `staff` (under its row lock) once the first code from the new secret is right;
    the recovery codes were hashed by the caller outside the transaction.
    """
    if is_enrolled(staff):
        raise TwoFactorRefused(_("Two-factor sign-in is already set up for this account."))
    now = utcnow()
    step = matching_step(secret, typed, now, None)
    if step is None:
        raise TwoFactorRefused(
            _("That code is not right. Type the 6-digit code your app shows now for SiteSys.")
        )
    staff.two_factor_secret = box.seal(secret)
    staff.two_factor_enrolled_at = now
    staff.two_factor_last_step = step
    _store_recovery_codes(session, staff, hashed)
    record_event(
        session,
        "auth.two_factor_enrolled",
        actor=staff,
        record=staff,
        recovery_codes=len(hashed),
    )
    session.flush()


def record_enrolment_failure(session: Session, staff: Staff) -> None:
    """A wrong first code while enrolling: audited (nothing was changed)."""
    record_event(session, "auth.two_factor_failed", actor=staff, record=staff, stage="enrolment")
    session.flush()


def reset_two_factor(session: Session, actor: Staff, staff: Staff, reason: str) -> int:
    """An admin clears a colleague's two-factor (a lost phone): the secret and recovery codes
    are removed and every session of the account ends; its owner enrols again at the next
    sign-in. Returns how many sessions ended.
    """
    ensure(actor, Capability.MANAGE_STAFF, _l("reset two-factor sign-in"))
    if reason not in RESET_REASONS:
        raise TwoFactorRefused(_("Choose why two-factor sign-in is being reset."))
    if staff.id == actor.id:
        raise TwoFactorRefused(_("Another admin resets your own two-factor sign-in."))
    if not is_enrolled(staff):
        raise TwoFactorRefused(
            _("%(name)s has not set up two-factor sign-in.", name=staff.display_name)
        )
    staff.two_factor_secret = None
    staff.two_factor_enrolled_at = None
    staff.two_factor_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.staff_id == staff.id))
    ended = end_all_sessions(session, staff, "two_factor_reset")
    record_event(
        session,
        "staff.two_factor_reset",
        actor=actor,
        record=staff,
        reason=reason,
        sessions_ended=ended,
    )
    session.flush()
    return ended


def first_code_right(secret: str, typed: str) -> bool:
    """Whether the first code typed while enrolling comes from the new secret."""
    return matching_step(secret, typed, utcnow(), None) is not None


def replace_recovery_codes(session: Session, staff: Staff, hashed: list[HashedCode]) -> None:
    """New recovery codes in place of the old (the caller has had a code from the app first,
    confirm_app_code, and hashed the new codes outside any transaction).
    """
    if not is_enrolled(staff):
        raise TwoFactorRefused(_("Set up two-factor sign-in first."))
    _store_recovery_codes(session, staff, hashed)
    record_event(
        session,
        "auth.recovery_codes_replaced",
        actor=staff,
        record=staff,
        recovery_codes=len(hashed),
    )
    session.flush()


def confirm_app_code(
    session: Session, box: SecretBox, staff: Staff, typed: str, stage: str = "recovery_codes"
) -> None:
    """A signed-in member of staff proves the phone is at hand (the row is locked by the
    caller): the code's step is spent, or a failure that counts toward the lockout is recorded
    and audited and CodeRefused raised (AccountLocked when this failure or an earlier lock
    locks the account). The caller commits either way.
    """
    now = utcnow()
    _refuse_if_locked(session, staff.username, staff, now)
    sealed = staff.two_factor_secret
    step = None
    if sealed is not None:
        step = matching_step(box.open(sealed), typed, now, staff.two_factor_last_step)
    if step is None:
        failure = _reserve_failure(session, staff.username, staff, now)
        record_event(
            session,
            "auth.two_factor_failed",
            actor=staff,
            record=staff,
            stage=stage,
            locked=failure.locks_until is not None,
        )
        session.flush()
        if failure.locks_until is not None:
            raise AccountLocked(failure.locks_until)
        raise CodeRefused()
    staff.two_factor_last_step = step
    session.flush()


# --- The code step of a sign-in ------------------------------------------------------------------


@dataclass(frozen=True)
class CodeCheck:
    """A code check the lockout has let through; a recovery code is verified outside any
    transaction against `candidates` (the unused codes whose locator matches).
    """

    staff_id: int
    failure_id: int
    locks_until: datetime | None
    candidates: tuple[tuple[int, str], ...]


def begin_code_check(session: Session, staff: Staff, typed: str) -> CodeCheck:
    """First step: the account's row lock, a locked account refused (AccountLocked), the check
    counted as a failure in advance.
    """
    now = utcnow()
    locked = _account_for_check(session, staff.username) or staff
    _refuse_if_locked(session, staff.username, locked, now)
    failure = _reserve_failure(session, staff.username, locked, now)
    candidates: tuple[tuple[int, str], ...] = ()
    if not is_totp_shaped(typed):
        code = normalise_recovery(typed)
        if len(code) == RECOVERY_LENGTH:
            candidates = tuple(
                session.execute(
                    select(RecoveryCode.id, RecoveryCode.code_hash).where(
                        RecoveryCode.staff_id == staff.id,
                        RecoveryCode.locator == code[:LOCATOR_LENGTH],
                        RecoveryCode.used_at.is_(None),
                    )
                ).tuples()
            )
    return CodeCheck(staff.id, failure.id, failure.locks_until, candidates)


def matching_recovery_code(check: CodeCheck, typed: str) -> int | None:
    """Second step, for a recovery code: the argon2 work, with no transaction open."""
    code = normalise_recovery(typed)
    found = None
    for code_id, code_hash in check.candidates:
        if verify_secret(code_hash, code):
            found = code_id
    return found


def finish_code_check(
    session: Session, box: SecretBox, check: CodeCheck, typed: str, recovery_id: int | None
) -> str:
    """Third step: a right code takes its failure back and is spent (its time step, or the
    recovery code, can never be used again) and says which kind it was; a wrong one keeps its
    failure, is audited and refused (CodeRefused, or AccountLocked on the fifth failure).
    """
    # Read afresh under the lock (populate_existing): the request's session holds the account
    # as the first step read it, and a code another tablet spent since must be seen as spent.
    staff = session.get(Staff, check.staff_id, with_for_update=True, populate_existing=True)
    now = utcnow()
    kind = None
    if staff is not None and staff.is_active and is_enrolled(staff):
        if recovery_id is not None:
            code = session.get(
                RecoveryCode, recovery_id, with_for_update=True, populate_existing=True
            )
            if code is not None and code.staff_id == staff.id and code.used_at is None:
                code.used_at = now
                kind = "recovery"
        elif staff.two_factor_secret is not None:
            step = matching_step(
                box.open(staff.two_factor_secret), typed, now, staff.two_factor_last_step
            )
            if step is not None:
                staff.two_factor_last_step = step
                kind = "app"
    if kind is None or staff is None:
        record_event(
            session,
            "auth.two_factor_failed",
            actor=staff,
            record=staff,
            stage="sign_in",
            locked=check.locks_until is not None,
        )
        session.flush()
        if check.locks_until is not None:
            raise AccountLocked(check.locks_until)
        raise CodeRefused()
    failure = session.get(LoginFailure, check.failure_id)
    if failure is not None:
        session.delete(failure)
    if kind == "recovery":
        session.flush()
        record_event(
            session,
            "auth.recovery_code_used",
            actor=staff,
            record=staff,
            recovery_codes_left=recovery_codes_left(session, staff),
        )
    session.flush()
    return kind
