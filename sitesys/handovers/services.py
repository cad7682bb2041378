"""Composing, submitting, acknowledging and correcting a shift handover."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from sitesys.audit.models import AuditEvent
from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.handovers.choices import find_handover
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
from sitesys.refusals import Refused
from sitesys.sites.models import Site

MAX_TEXT = 5000


class HandoverError(Refused):
    """A handover step that breaks a rule; the message is shown as it is."""


class HandoverFrozen(HandoverError):
    """The handover was submitted (perhaps from another tab) and can no longer change."""

    def __init__(self, handover: Handover) -> None:
        super().__init__(
            "This handover was submitted and can no longer change; add an addendum instead."
        )
        self.submitted_at = handover.submitted_at


class DraftConflict(HandoverError):
    """The draft was saved from another tab or device after this form was loaded."""

    def __init__(self, saved_at: datetime) -> None:
        super().__init__(
            "This draft was saved from another tab or device after you opened it; reload to see "
            "those changes. Your last typing was not saved."
        )
        self.saved_at = saved_at


class HandoverIncomplete(HandoverError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


def _audit(session: Session, action: str, actor: Staff, handover: Handover, **detail: Any) -> None:
    record_event(
        session,
        action,
        actor=actor,
        record=handover,
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
    stored = add_once(session, handover, lambda: find_handover(session, site, shift))
    if stored is not handover:
        return stored
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
        raise HandoverFrozen(handover)


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


def save_draft(
    session: Session,
    actor: Staff,
    handover: Handover,
    draft: Draft,
    loaded_version: datetime | None = None,
) -> None:
    """Save what the lead has typed so far; nothing is required until submission.

    A form says which version of the draft it was loaded with (`loaded_version`, the draft's
    `saved_at`). If the draft was saved since, from another tab or tablet, the save is refused
    with DraftConflict: a form loaded earlier still holds the older text of every field, and
    writing it would silently erase what was typed elsewhere.
    """
    _draft_only(handover)
    saved_at = _next_version(handover)
    if loaded_version is not None:
        version = _version_to_write(handover, draft, loaded_version)
        if not _claim(session, handover, version, saved_at):
            # Saved meanwhile (an autosave still on its way when Submit was tapped, or another
            # tablet): read it again, and go on only if this form would lose nothing of it.
            for row in (handover, *handover.people, *handover.stock):
                session.refresh(row)
            _draft_only(handover)
            saved_at = _next_version(handover)
            version = _version_to_write(handover, draft, loaded_version)
            if not _claim(session, handover, version, saved_at):
                raise DraftConflict(handover.saved_at)
    handover.summary = _clean(draft.summary)
    handover.situation_awareness = _clean(draft.situation_awareness)
    handover.notes = _clean(draft.notes)
    for person in handover.people:
        if person.id in draft.severities:
            person.severity = draft.severities[person.id]
    for row in handover.stock:
        if row.id in draft.stock:
            row.count = draft.stock[row.id]
    handover.saved_at = saved_at
    _audit_draft_save(session, actor, handover, saved_at)
    session.flush()


def _next_version(handover: Handover) -> datetime:
    """Strictly increasing, so that every save makes a new version even within one clock tick."""
    return max(utcnow(), handover.saved_at + timedelta(microseconds=1))


def _version_to_write(handover: Handover, draft: Draft, loaded_version: datetime) -> datetime:
    """The version this save builds on: the one its form was loaded with, or the draft as saved
    now when that already holds everything the form would write (an autosave of the same typing
    got there first). Otherwise the form is stale and writing it would erase newer typing.
    """
    if handover.saved_at == loaded_version or _holds(handover, draft):
        return handover.saved_at
    raise DraftConflict(handover.saved_at)


def _holds(handover: Handover, draft: Draft) -> bool:
    """True when saving `draft` would change nothing the handover holds now."""
    texts = (draft.summary, draft.situation_awareness, draft.notes)
    saved = (handover.summary, handover.situation_awareness, handover.notes)
    if tuple(_clean(text) for text in texts) != saved:
        return False
    severities = {person.id: person.severity for person in handover.people}
    counts = {row.id: row.count for row in handover.stock}
    return all(
        person_id in severities and severities[person_id] == severity
        for person_id, severity in draft.severities.items()
    ) and all(row_id in counts and counts[row_id] == count for row_id, count in draft.stock.items())


def _clean(text: str | None) -> str | None:
    return (text or "").strip()[:MAX_TEXT] or None


def _claim(session: Session, handover: Handover, version: datetime, saved_at: datetime) -> bool:
    """Compare and set in one statement: of two saves racing from the same version, the database
    lets exactly one through (the other waits for the row, then matches nothing).
    """
    claimed = session.execute(
        update(Handover)
        .where(
            Handover.id == handover.id,
            Handover.saved_at == version,
            Handover.status == HandoverStatus.DRAFT,
        )
        .values(saved_at=saved_at)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]


#: Autosave runs every few seconds of typing. The audit keeps who worked on a draft and roughly
#: when (one row per person per this interval), not a row per keystroke burst: what the lead
#: handed over is fixed by the submission, which is audited with the acknowledgement.
DRAFT_AUDIT_INTERVAL = timedelta(minutes=15)


def _audit_draft_save(session: Session, actor: Staff, handover: Handover, now: datetime) -> None:
    """Audit a draft save unless this person's last audited save of it is recent."""
    last = session.scalar(
        select(AuditEvent.occurred_at)
        .where(
            AuditEvent.action == "handover.draft_saved",
            AuditEvent.record_type == "handover",
            AuditEvent.record_id == str(handover.id),
            AuditEvent.actor_id == actor.id,
        )
        .order_by(AuditEvent.occurred_at.desc())
        .limit(1)
    )
    if last is None or now - last >= DRAFT_AUDIT_INTERVAL:
        _audit(session, "handover.draft_saved", actor, handover)


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


def save_and_submit(
    session: Session,
    actor: Staff,
    handover: Handover,
    draft: Draft,
    loaded_version: datetime,
    *,
    submit: bool,
) -> list[str]:
    """Save the lead's typing, then submit the handover if asked. What was typed is kept even
    when the handover is not complete enough to submit: only the submission is refused, and
    what is missing is returned (nothing when it was submitted, or not asked to be).
    """
    save_draft(session, actor, handover, draft, loaded_version)
    if not submit:
        return []
    try:
        submit_handover(session, actor, handover)
    except HandoverIncomplete as incomplete:
        return incomplete.problems
    return []


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
    session: Session,
    actor: Staff,
    handover: Handover,
    text: str,
    reason: str,
    submission_key: str,
) -> HandoverAddendum:
    """Correct a submitted handover: the addendum and its reason sit below the original. The
    form's submission key makes it once only: the same form sent again (a double tap, a reload
    that posts again) returns the addendum it already added; addenda can never be removed.
    """
    replayed = _addendum_by_key(session, submission_key)
    if replayed is not None:
        if replayed.handover_id != handover.id:
            raise HandoverError("That form belongs to another handover; reload the page.")
        return replayed
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
        submission_key=submission_key,
    )
    stored = add_once(session, addendum, lambda: _addendum_by_key(session, submission_key))
    if stored is not addendum:
        return stored  # the same form arrived twice at once: the first one stands
    _audit(session, "handover.addendum_added", actor, handover, addendum_id=addendum.id)
    return addendum


def _addendum_by_key(session: Session, submission_key: str) -> HandoverAddendum | None:
    return session.scalar(
        select(HandoverAddendum).where(HandoverAddendum.submission_key == submission_key)
    )
