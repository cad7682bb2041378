"""A booth's state as the floor and the set-up pages change it: cleaned, out of service, back in
service, retired and restored.

The board and the admin's booth list change booths the same way and say so in the same words:
each change returns the sentence staff are shown once it is saved ("Booth 3 is clean and free.").
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.sites.models import Booth, BoothStatus
from sitesys.sites.services import SiteError


def take_out_of_service(session: Session, actor: Staff, booth: Booth, reason: str) -> str:
    """Take a booth out of service; needs a reason, and nobody may be in it."""
    reason = reason.strip()
    if not reason:
        raise SiteError("Give a reason for taking the booth out of service.")
    if booth.status is BoothStatus.OCCUPIED:
        raise SiteError(f"Booth {booth.label} is occupied; move the client first.")
    if booth.status is BoothStatus.OUT_OF_SERVICE:
        raise SiteError(f"Booth {booth.label} is already out of service.")
    booth.status = BoothStatus.OUT_OF_SERVICE
    booth.out_of_service_reason = reason[:200]
    record_event(session, "booth.out_of_service", actor=actor, record=booth)
    session.flush()
    return f"Booth {booth.label} is out of service."


def return_to_service(session: Session, actor: Staff, booth: Booth) -> str:
    """Bring a booth back; it needs cleaning before the next client."""
    if booth.status is not BoothStatus.OUT_OF_SERVICE:
        raise SiteError(f"Booth {booth.label} is not out of service.")
    booth.status = BoothStatus.NEEDS_CLEANING
    booth.out_of_service_reason = None
    record_event(session, "booth.back_in_service", actor=actor, record=booth)
    session.flush()
    return f"Booth {booth.label} is back in service; it needs cleaning."


def mark_clean(session: Session, actor: Staff, booth: Booth) -> str:
    """A booth that needs cleaning becomes free only when someone marks it clean."""
    if booth.status is not BoothStatus.NEEDS_CLEANING:
        raise SiteError(f"Booth {booth.label} does not need cleaning.")
    booth.status = BoothStatus.FREE
    record_event(session, "booth.cleaned", actor=actor, record=booth)
    session.flush()
    return f"Booth {booth.label} is clean and free."


def set_retired(session: Session, actor: Staff, booth: Booth, retired: bool) -> str:
    """Retire a booth (kept for history, off the board) or bring it back; set-up only, and
    never with someone in it.
    """
    ensure(actor, Capability.MANAGE_SITES, "retire or restore booths")
    if retired and booth.status is BoothStatus.OCCUPIED:
        raise SiteError(f"Booth {booth.label} is occupied; it cannot be retired now.")
    booth.is_retired = retired
    record_event(
        session, "booth.retired" if retired else "booth.restored", actor=actor, record=booth
    )
    session.flush()
    return f"Booth {booth.label} is {'retired' if retired else 'restored'}."
