"""Composing, submitting, acknowledging and correcting a shift handover."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.db import utcnow
from sitesys.handovers.models import (
    Handover,
    HandoverAction,
    HandoverAddendum,
    HandoverAlert,
    HandoverAlertKind,
    HandoverPerson,
    HandoverStatus,
    HandoverStock,
    IllnessSeverity,
)
from sitesys.handovers.setup import stock_items
from sitesys.handovers.shifts import ShiftOccurrence
from sitesys.handovers.snapshot import ShiftWindow, take_snapshot
from sitesys.sites.models import Site

MAX_TEXT = 5000


class HandoverError(ValueError):
    """A handover step that breaks a rule; the message is shown as it is."""


class HandoverIncomplete(HandoverError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def _audit(
    session: Session, action: str, actor: Staff, handover: Handover, **detail: object
) -> None:
    record_event(
        session,
        action,
        actor=actor,
        record_type="handover",
        record_id=handover.id,
        site_id=handover.site_id,
        **detail,
    )


def _sync_people(handover: Handover) -> None:
    """People rows follow the snapshot; severities already given are kept."""
    given = {person.visit_id: person.severity for person in handover.people}
    handover.people = [
        HandoverPerson(
            visit_id=uuid.UUID(client["visit_id"]),
            display_tag=client["display_tag"],
            position=position,
            severity=given.get(uuid.UUID(client["visit_id"])),
        )
        for position, client in enumerate(handover.snapshot.get("clients", []))
    ]


def find_handover(session: Session, site: Site, shift: ShiftOccurrence) -> Handover | None:
    return session.scalar(
        select(Handover).where(Handover.site_id == site.id, Handover.shift_key == shift.key)
    )


def start_handover(session: Session, actor: Staff, site: Site, shift: ShiftOccurrence) -> Handover:
    """Open the handover of a shift, filled with a snapshot of the floor now. One per shift: a
    second lead starting at the same moment gets the first one.
    """
    existing = find_handover(session, site, shift)
    if existing is not None:
        return existing
    now = utcnow()
    handover = Handover(
        id=uuid.uuid4(),
        site_id=site.id,
        shift_id=shift.definition.id,
        shift_key=shift.key,
        shift_name=shift.definition.name,
        shift_starts_at=shift.starts_at,
        shift_ends_at=shift.ends_at,
        outgoing_lead_id=actor.id,
        started_at=now,
        snapshot=take_snapshot(session, site, ShiftWindow.of(shift), now),
        snapshot_at=now,
        saved_at=now,
    )
    _sync_people(handover)
    handover.stock = [
        HandoverStock(item=item.name, position=position)
        for position, item in enumerate(stock_items(session, site))
    ]
    try:
        with session.begin_nested():
            session.add(handover)
            session.flush()
    except IntegrityError:
        existing = find_handover(session, site, shift)
        if existing is None:
            raise
        return existing
    session.execute(
        update(HandoverAlert)
        .where(
            HandoverAlert.site_id == site.id,
            HandoverAlert.shift_key == shift.key,
            HandoverAlert.kind == HandoverAlertKind.NOT_STARTED,
            HandoverAlert.cleared_at.is_(None),
        )
        .values(cleared_at=now, handover_id=handover.id)
    )
    _audit(session, "handover.started", actor, handover, clients=len(handover.people))
    return handover


def _draft_only(handover: Handover) -> None:
    if handover.is_frozen:
        raise HandoverError(
            "This handover was submitted and can no longer change; add an addendum instead."
        )


def refresh_snapshot(session: Session, actor: Staff, handover: Handover, site: Site) -> None:
    """Take the snapshot again while drafting (people who arrived or left since)."""
    _draft_only(handover)
    now = utcnow()
    window = ShiftWindow(
        handover.shift_key, handover.shift_name, handover.shift_starts_at, handover.shift_ends_at
    )
    handover.snapshot = take_snapshot(session, site, window, now)
    handover.snapshot_at = now
    _sync_people(handover)
    _audit(session, "handover.snapshot_refreshed", actor, handover, clients=len(handover.people))
    session.flush()


@dataclass
class Draft:
    """The lead's part of the handover, as typed so far."""

    summary: str | None = None
    situation_awareness: str | None = None
    notes: str | None = None
    severities: dict[int, IllnessSeverity | None] = field(default_factory=dict)
    stock: dict[int, int | None] = field(default_factory=dict)


def save_draft(session: Session, actor: Staff, handover: Handover, draft: Draft) -> None:
    """Save what the lead has typed so far; nothing is required until submission."""
    _draft_only(handover)
    handover.summary = (draft.summary or "").strip()[:MAX_TEXT] or None
    handover.situation_awareness = (draft.situation_awareness or "").strip()[:MAX_TEXT] or None
    handover.notes = (draft.notes or "").strip()[:MAX_TEXT] or None
    for person in handover.people:
        if person.id in draft.severities:
            person.severity = draft.severities[person.id]
    for row in handover.stock:
        if row.id in draft.stock:
            row.count = draft.stock[row.id]
    handover.saved_at = utcnow()
    _audit(session, "handover.draft_saved", actor, handover)
    session.flush()


def add_action(
    session: Session, actor: Staff, handover: Handover, what: str, owner: str, by_when: str | None
) -> HandoverAction:
    _draft_only(handover)
    what, owner = what.strip(), owner.strip()
    if not what or not owner:
        raise HandoverError("An action needs what is to be done and who owns it.")
    action = HandoverAction(
        what=what[:300], owner=owner[:80], by_when=(by_when or "").strip()[:40] or None
    )
    handover.actions.append(action)
    session.flush()
    _audit(session, "handover.action_added", actor, handover, action_id=action.id)
    return action


def remove_action(session: Session, actor: Staff, handover: Handover, action_id: int) -> None:
    """While drafting, an action typed by mistake can be taken off the list."""
    _draft_only(handover)
    action = next((a for a in handover.actions if a.id == action_id), None)
    if action is None:
        raise HandoverError("That action is not on this handover.")
    handover.actions.remove(action)
    _audit(session, "handover.action_removed", actor, handover, action_id=action_id)
    session.flush()


def submission_problems(handover: Handover) -> list[str]:
    problems = []
    if not handover.summary:
        problems.append("Write the summary.")
    missing = [p.display_tag for p in handover.people if p.severity is None]
    if missing:
        problems.append("Give the illness severity of " + ", ".join(missing) + ".")
    uncounted = [row.item for row in handover.stock if row.count is None]
    if uncounted:
        problems.append("Count " + ", ".join(uncounted) + ".")
    return problems


def submit_handover(session: Session, actor: Staff, handover: Handover) -> None:
    """Freeze the handover: the snapshot and the text can no longer change. The lead who
    submits is the outgoing lead.
    """
    _draft_only(handover)
    problems = submission_problems(handover)
    if problems:
        raise HandoverIncomplete(problems)
    handover.status = HandoverStatus.SUBMITTED
    handover.submitted_at = utcnow()
    handover.outgoing_lead_id = actor.id
    _audit(session, "handover.submitted", actor, handover)
    session.flush()


def acknowledge_handover(
    session: Session, actor: Staff, handover: Handover, readback_note: str | None
) -> None:
    """The incoming lead acknowledges under their own login; never the outgoing lead."""
    if handover.status is HandoverStatus.DRAFT:
        raise HandoverError("This handover has not been submitted yet.")
    if handover.status is HandoverStatus.ACKNOWLEDGED:
        raise HandoverError("This handover was already acknowledged.")
    if handover.outgoing_lead_id == actor.id:
        raise HandoverError("You gave this handover; the incoming lead must acknowledge it.")
    now = utcnow()
    handover.status = HandoverStatus.ACKNOWLEDGED
    handover.acknowledged_at = now
    handover.acknowledged_by_id = actor.id
    handover.readback_note = (readback_note or "").strip()[:1000] or None
    session.execute(
        update(HandoverAlert)
        .where(
            HandoverAlert.site_id == handover.site_id,
            HandoverAlert.shift_key == handover.shift_key,
            HandoverAlert.cleared_at.is_(None),
        )
        .values(cleared_at=now, handover_id=handover.id)
    )
    _audit(
        session,
        "handover.acknowledged",
        actor,
        handover,
        readback=handover.readback_note is not None,
    )
    session.flush()


def add_addendum(
    session: Session, actor: Staff, handover: Handover, text: str, reason: str
) -> HandoverAddendum:
    """Correct a submitted handover: the addendum and its reason sit below the original."""
    if not handover.is_frozen:
        raise HandoverError("A draft can still be edited; addenda are for submitted handovers.")
    text, reason = text.strip(), reason.strip()
    if not text or not reason:
        raise HandoverError("An addendum needs the correction and the reason for it.")
    addendum = HandoverAddendum(
        handover_id=handover.id,
        text=text[:MAX_TEXT],
        reason=reason[:200],
        author_id=actor.id,
        created_at=utcnow(),
    )
    session.add(addendum)
    session.flush()
    _audit(session, "handover.addendum_added", actor, handover, addendum_id=addendum.id)
    return addendum


def pending_handovers(session: Session, site: Site, staff: Staff) -> list[Handover]:
    """Submitted handovers waiting for an incoming lead other than the one who gave them."""
    return list(
        session.scalars(
            select(Handover)
            .where(
                Handover.site_id == site.id,
                Handover.status == HandoverStatus.SUBMITTED,
                Handover.outgoing_lead_id != staff.id,
            )
            .order_by(Handover.shift_ends_at.desc())
            .limit(10)
        )
    )


def open_alerts(
    session: Session, site: Site, kinds: tuple[HandoverAlertKind, ...]
) -> list[HandoverAlert]:
    return list(
        session.scalars(
            select(HandoverAlert)
            .where(
                HandoverAlert.site_id == site.id,
                HandoverAlert.kind.in_(kinds),
                HandoverAlert.cleared_at.is_(None),
            )
            .order_by(HandoverAlert.raised_at.desc())
            .limit(20)
        )
    )
