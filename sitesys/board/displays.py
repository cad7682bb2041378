"""Wall-board displays: registering one, its one-time pairing code, the display session a
paired device holds, and revoking it.

A display shows one site's board and nothing else, and never idles out: a board nobody taps must
not turn into the sign-in page. So a display is not a member of staff and holds no staff session;
its device holds a token of its own (kept here only as a digest) until an admin revokes it, which
ends it at its next poll. Pairing, use after a gap and revocation are audited.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.board.models import Display
from sitesys.clock import utcnow
from sitesys.refusals import Refused
from sitesys.sites.models import Site

#: How long a pairing code can be used, once.
PAIRING_VALID = timedelta(minutes=10)
#: Letters and digits that cannot be misread for one another (no I, O, 0 or 1).
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
#: A display's "last seen" is written at most this often (polls come every few seconds).
SEEN_EVERY = timedelta(minutes=1)
#: A display seen again after this long a gap is audited as back in use.
USE_GAP = timedelta(minutes=10)


class DisplayRefused(Refused):
    """A display change or pairing a rule refused."""


class PairingCodeNotValid(DisplayRefused):
    """The code typed at /display is unknown, used, expired or for a revoked display."""


@dataclass(frozen=True)
class Pairing:
    """A display with the pairing code just issued for it (shown once, to the admin)."""

    display: Display
    code: str

    @property
    def code_shown(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


def _digest(purpose: str, secret: str) -> str:
    return hashlib.sha256(f"sitesys-display-{purpose}:{secret}".encode()).hexdigest()


def normalise_code(typed: str) -> str:
    """A typed code as issued: upper case, without spaces or hyphens."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def _issue_code(display: Display, now: datetime) -> str:
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    display.pairing_digest = _digest("pairing", code)
    display.pairing_expires_at = now + PAIRING_VALID
    return code


def register_display(session: Session, actor: Staff, site: Site, name: str) -> Pairing:
    """Register a display at a site and issue its first pairing code."""
    ensure(actor, Capability.MANAGE_DISPLAYS)
    now = utcnow()
    display = Display(site_id=site.id, name=name.strip(), created_by_id=actor.id, created_at=now)
    code = _issue_code(display, now)
    session.add(display)
    session.flush()
    record_event(session, "display.registered", actor=actor, record=display)
    return Pairing(display, code)


def issue_pairing_code(session: Session, actor: Staff, display: Display) -> Pairing:
    """A new pairing code for a display (the first expired, or the tablet is replaced). Pairing
    with it moves the display session to the new device; the old one ends at its next poll.
    """
    ensure(actor, Capability.MANAGE_DISPLAYS)
    if display.is_revoked:
        raise DisplayRefused(
            _("%(display)s was revoked. Register the display again.", display=display.name)
        )
    code = _issue_code(display, utcnow())
    record_event(session, "display.pairing_code_issued", actor=actor, record=display)
    session.flush()
    return Pairing(display, code)


def pair_display(session: Session, typed: str, address: str | None) -> tuple[Display, str]:
    """Spend a pairing code: the device is given the display session's token (returned once)."""
    now = utcnow()
    code = normalise_code(typed)
    display = None
    if len(code) == CODE_LENGTH:
        display = session.scalar(
            select(Display)
            .where(Display.pairing_digest == _digest("pairing", code))
            .with_for_update()
        )
    if (
        display is None
        or display.is_revoked
        or display.pairing_expires_at is None
        or display.pairing_expires_at <= now
    ):
        raise PairingCodeNotValid(
            _(
                "That pairing code is not valid. A code works once, for 10 minutes: ask an admin "
                "for a new one."
            )
        )
    token = secrets.token_urlsafe(32)
    display.token_digest = _digest("token", token)
    display.pairing_digest = None
    display.pairing_expires_at = None
    display.paired_at = now
    display.last_seen_at = now
    display.last_seen_from = (address or "")[:64] or None
    record_event(
        session, "display.paired", actor=None, record=display, address=display.last_seen_from
    )
    session.flush()
    return display, token


def display_for_token(session: Session, token: str | None) -> Display | None:
    """The display a device's token names, revoked or not (with its site), or None."""
    if not token:
        return None
    return session.scalar(
        select(Display)
        .where(Display.token_digest == _digest("token", token))
        .options(joinedload(Display.site))
    )


def note_seen(session: Session, display: Display, address: str | None, now: datetime) -> bool:
    """Keep when and from where a display was last seen (at most once a minute); a display back
    after a gap is audited as in use again. True when something was written.
    """
    last = display.last_seen_at
    if last is not None and now - last < SEEN_EVERY and display.last_seen_from == address:
        return False
    if last is None or now - last >= USE_GAP:
        record_event(session, "display.in_use", actor=None, record=display, address=address)
    display.last_seen_at = now
    display.last_seen_from = (address or "")[:64] or None
    session.flush()
    return True


def revoke_display(session: Session, actor: Staff, display: Display) -> str:
    """End a display at once: its next poll finds it revoked and shows the pairing page."""
    ensure(actor, Capability.MANAGE_DISPLAYS)
    if display.is_revoked:
        return str(_("%(display)s was already revoked.", display=display.name))
    display.revoked_at = utcnow()
    display.revoked_by_id = actor.id
    display.pairing_digest = None
    display.pairing_expires_at = None
    record_event(session, "display.revoked", actor=actor, record=display)
    session.flush()
    return str(
        _(
            "%(display)s revoked: it stops showing the board at its next update.",
            display=display.name,
        )
    )


def displays_list(session: Session, limit: int = 200) -> list[Display]:
    """Every display, live ones first, newest first (an admin manages them across sites)."""
    return list(
        session.scalars(
            select(Display)
            .options(joinedload(Display.site))
            .order_by(Display.revoked_at.is_not(None), Display.created_at.desc())
            .limit(limit)
        )
    )
