"""A booth's state as the floor and the set-up pages change it: cleaned, out of service, back in
service, retired and restored.

The board and the admin's booth list change booths the same way and say so in the same words:
each change returns the sentence staff are shown once it is saved ("Booth 3 is clean and free.").
"""

from __future__ import annotations

from flask_babel import gettext as _
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
        raise SiteError(_("Give a reason for taking the booth out of service."))
    if booth.status is BoothStatus.OCCUPIED:
        raise SiteError(_("Booth %(booth)s is occupied; move the client first.", booth=booth.label))
    if booth.status is BoothStatus.OUT_OF_SERVICE:
        raise SiteError(_("Booth %(booth)s is already out of service.", booth=booth.label))
    booth.status = BoothStatus.OUT_OF_SERVICE
    booth.out_of_service_reason = reason[:200]
    record_event(session, "booth.out_of_service", actor=actor, record=booth)
    session.flush()
    return str(_("Booth %(booth)s is out of service.", booth=booth.label))


def return_to_service(session: Session, actor: Staff, booth: Booth) -> str:
    """Bring a booth back; it needs cleaning before the next client."""
    if booth.status is not BoothStatus.OUT_OF_SERVICE:
        raise SiteError(_("Booth %(booth)s is not out of service.", booth=booth.label))
    booth.status = BoothStatus.NEEDS_CLEANING
    booth.out_of_service_reason = None
    record_event(session, "booth.back_in_service", actor=actor, record=booth)
    session.flush()
    return str(_("Booth %(booth)s is back in service; it needs cleaning.", booth=booth.label))


def mark_clean(session: Session, actor: Staff, booth: Booth) -> str:
    """A booth that needs cleaning becomes free only when someone marks it clean."""
    if booth.status is not BoothStatus.NEEDS_CLEANING:
        raise SiteError(_("Booth %(booth)s does not need cleaning.", booth=booth.label))
    booth.status = BoothStatus.FREE
    record_event(session, "booth.cleaned", actor=actor, record=booth)
    session.flush()
    return str(_("Booth %(booth)s is clean and free.", booth=booth.label))


def set_retired(session: Session, actor: Staff, booth: Booth, retired: bool) -> str:
    """Retire a booth (kept for history, off the board) or bring it back; set-up only, and
    never with someone in it.
    """
    ensure(actor, Capability.MANAGE_SITES, "retire or restore booths")
    if retired and booth.status is BoothStatus.OCCUPIED:
        raise SiteError(
            _("Booth %(booth)s is occupied; it cannot be retired now.", booth=booth.label)
        )
    booth.is_retired = retired
    record_event(
        session, "booth.retired" if retired else "booth.restored", actor=actor, record=booth
    )
    session.flush()
    if retired:
        text: str = _("Booth %(booth)s is retired.", booth=booth.label)
    else:
        text = _("Booth %(booth)s is restored.", booth=booth.label)
    return text
