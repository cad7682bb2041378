"""Wound care and blood-borne virus tests: services a nurse gives on a visit (a services-only
visit too) and records with a short note.

A record is kept with who and when; it is never deleted (the database refuses it). One recorded
in error is struck through with a reason; one that needs correcting is struck through with the
reason and its correction written beside it, naming what it corrects. The audit trail says what
was done (the kind, the visit, what a correction corrects), never the note.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.care.models import CareGiven, CareKind
from sitesys.checkin.models import Visit
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.refusals import Refused
from sitesys.sites.models import Site

#: The longest note kept (a short note: what was done, what was found, what is next).
LONGEST_NOTE = 500
#: How long after a visit ends its care can still be recorded (the note written once the
#: client has gone).
LATE_ENTRY = timedelta(hours=12)


class CareRefused(Refused):
    """Care that cannot be recorded or corrected; the message is shown as it is."""


def _note(note: str) -> str:
    note = note.strip()
    if not note:
        raise CareRefused(_("Write a short note of what was done."))
    if len(note) > LONGEST_NOTE:
        raise CareRefused(_("Keep the note to %(most)d characters.", most=LONGEST_NOTE))
    return note


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise CareRefused(_("Give a reason."))
    return reason[:200]


def _by_submission(session: Session, site: Site, key: str) -> CareGiven | None:
    return session.scalar(
        select(CareGiven).where(CareGiven.submission_key == key, CareGiven.site_id == site.id)
    )


def may_record_on(visit: Visit) -> bool:
    """Whether care can still be recorded on a visit: while it is open, and for a while after."""
    if visit.status.is_open:
        return True
    return visit.left_at is not None and utcnow() - visit.left_at <= LATE_ENTRY


def record_care(
    session: Session,
    actor: Staff,
    site: Site,
    visit: Visit,
    kind: CareKind,
    note: str,
    submission_key: str,
) -> tuple[CareGiven, bool]:
    """Record wound care or a blood-borne virus test given on a visit of the site. Returns it and
    whether it is new: the same form sent twice (a double tap, two tablets) makes one record.
    """
    ensure(actor, Capability.RECORD_CARE)
    earlier = _by_submission(session, site, submission_key)
    if earlier is not None:
        return earlier, False
    if visit.site_id != site.id:
        raise CareRefused(_("That visit is not at this site."))
    if not may_record_on(visit):
        raise CareRefused(
            _(
                "%(tag)s left more than %(hours)d hours ago; care is recorded during the visit "
                "or soon after it.",
                tag=visit.display_tag,
                hours=int(LATE_ENTRY.total_seconds() // 3600),
            )
        )
    row = CareGiven(
        id=uuid.uuid4(),
        site_id=site.id,
        visit_id=visit.id,
        kind=kind,
        note=_note(note),
        recorded_at=utcnow(),
        recorded_by_id=actor.id,
        submission_key=submission_key,
    )
    stored = add_once(session, row, lambda: _by_submission(session, site, submission_key))
    if stored is not row:
        return stored, False
    record_event(
        session,
        "care.recorded",
        actor=actor,
        record=row,
        kind=kind.value,
        visit_id=str(visit.id),
    )
    session.flush()
    return row, True


def _strike(session: Session, actor: Staff, row: CareGiven, reason: str) -> None:
    if row.is_struck:
        raise CareRefused(_("That record was already struck through or corrected."))
    row.struck_at = utcnow()
    row.struck_by_id = actor.id
    row.strike_reason = reason


def strike_care(session: Session, actor: Staff, row: CareGiven, reason: str) -> None:
    """Strike a record made in error through: it stays, marked, with who, when and why. The
    caller holds the record's row lock.
    """
    ensure(actor, Capability.RECORD_CARE, "strike wound care or a blood-borne virus test through")
    _strike(session, actor, row, _reason(reason))
    record_event(session, "care.struck", actor=actor, record=row, kind=row.kind.value)
    session.flush()


def correct_care(
    session: Session,
    actor: Staff,
    site: Site,
    row: CareGiven,
    note: str,
    reason: str,
    submission_key: str,
) -> tuple[CareGiven, bool]:
    """Correct a record's note: the record is struck through with the reason and the correction
    written beside it, naming it. The caller holds the record's row lock. Returns the correction
    and whether it is new (the same form sent twice makes one correction; a second tablet
    correcting the same record at once is refused, as it was struck through first).
    """
    ensure(actor, Capability.RECORD_CARE, "correct wound care or a blood-borne virus test")
    earlier = _by_submission(session, site, submission_key)
    if earlier is not None:
        return earlier, False
    text, why = _note(note), _reason(reason)
    if text == row.note:
        raise CareRefused(_("The corrected note is the same as the note: change it, or leave it."))
    _strike(session, actor, row, why)
    correction = CareGiven(
        id=uuid.uuid4(),
        site_id=row.site_id,
        visit_id=row.visit_id,
        kind=row.kind,
        note=text,
        recorded_at=utcnow(),
        recorded_by_id=actor.id,
        submission_key=submission_key,
        corrects_id=row.id,
    )
    session.add(correction)
    session.flush()
    record_event(
        session,
        "care.corrected",
        actor=actor,
        record=correction,
        kind=row.kind.value,
        corrects=str(row.id),
    )
    session.flush()
    return correction, True


def care_of_visit(session: Session, visit: Visit) -> list[CareGiven]:
    """Everything recorded on a visit, struck through or not, in the order it was written."""
    return list(
        session.scalars(
            select(CareGiven)
            .where(CareGiven.visit_id == visit.id)
            .options(joinedload(CareGiven.recorded_by), joinedload(CareGiven.struck_by))
            .order_by(CareGiven.recorded_at, CareGiven.id)
        )
    )
