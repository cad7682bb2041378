"""Password hashing (argon2id) and the password rules staff see."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask_babel import gettext as _

# argon2id at 46 MiB, one pass, one lane: the first configuration of OWASP's Password Storage
# Cheat Sheet, which ASVS 5.0 (11.4.2) defers to. One lane keeps a check on one core: with four
# (RFC 9106's second option, 64 MiB, t=3, p=4, used before) every check of a sign-in flood took
# both cores of a small host for 0.3 s and the desk waited (issue 20, finding 4). A guess costs
# an attacker the same 46 MiB of memory hardness; hashes made with the old parameters still
# verify and are made again at the next sign-in (needs_rehash).
_hasher = PasswordHasher(time_cost=1, memory_cost=46 * 1024, parallelism=1)
MIN_LENGTH = 12
MAX_LENGTH = 128

#: How many of the commonest passwords are refused: the top of zxcvbn's list, drawn from
#: breached-password corpora (works offline; the package is maintained and pinned).
COMMON_PASSWORDS_REFUSED = 10_000


@cache
def common_passwords() -> frozenset[str]:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # type: ignore[import-untyped]

    return frozenset(FREQUENCY_LISTS["passwords"][:COMMON_PASSWORDS_REFUSED])


def hash_password(password: str) -> str:
    return _hasher.hash(password)


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so both answers take the same time.

    Made on the first sign-in rather than at import: a full argon2 hash is a tenth of a second
    that every web worker would otherwise spend as it starts (finding 13).
    """
    return _hasher.hash("not a real password, only here for timing")


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches; always does the full argon2 work."""
    try:
        matches = _hasher.verify(password_hash or _dummy_hash(), password)
        return matches and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: For secrets SiteSys generates with 65 bits or more (two-factor recovery codes): nobody can
#: guess one from a list, so the cost that protects a person's password buys nothing; argon2id at
#: OWASP's minimum (19 MiB, t=2, p=1) keeps enrolment's ten hashes to a fraction of a second on a
#: busy host, where the password parameters took several seconds.
_secret_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


def hash_secret(secret: str) -> str:
    return _secret_hasher.hash(secret)


def verify_secret(secret_hash: str, secret: str) -> bool:
    try:
        return _secret_hasher.verify(secret_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problems(password: str, username: str = "") -> list[str]:
    """Plain-English reasons a new password is refused (no composition rules, per ASVS)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(
            _(
                "Use at least %(count)s characters; a few words together work well.",
                count=MIN_LENGTH,
            )
        )
    if len(password) > MAX_LENGTH:
        problems.append(_("Use at most %(count)s characters.", count=MAX_LENGTH))
    lowered = password.lower()
    common = common_passwords()
    # As typed, without spaces, and without the digits and marks people add to meet a length.
    forms = {lowered, "".join(lowered.split()), lowered.rstrip("0123456789!?.*#@$ ")}
    if forms & common or len(set(lowered)) < 4:
        problems.append(_("This password is too easy to guess."))
    if username and username.lower() in lowered:
        problems.append(_("The password must not contain the username."))
    return problems
