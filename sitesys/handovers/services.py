"""Composing, submitting, acknowledging and correcting a shift handover."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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
from sitesys.supplies.models import StockMovement, SupplyItem
from sitesys.versions import version_of
from sitesys.versions.services import Editable, Fields, save_version

MAX_TEXT = 5000


class HandoverError(Refused):
    """A handover step that breaks a rule; the message is shown as it is."""


class HandoverFrozen(HandoverError):
    """The handover was submitted (perhaps from another tab) and can no longer change."""

    def __init__(self, handover: Handover) -> None:
        super().__init__(
            _("This handover was submitted and can no longer change; add an addendum instead.")
        )
        self.submitted_at = handover.submitted_at


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
    ledger = ledger_counts(session, site)
    handover.stock = [
        HandoverStock(item=item.name, position=position, count=ledger.get(item.name))
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


#: The lead's part of the handover while it is drafted: each save that changes it is kept.
DRAFT = Editable("draft", _l("handover draft"))


def draft_values(handover: Handover) -> dict[str, Any]:
    """The draft's values, comparable as a whole: what its form's version is a digest of."""
    return {
        "summary": handover.summary,
        "situation_awareness": handover.situation_awareness,
        "notes": handover.notes,
        "severities": {
            str(person.id): person.severity.value if person.severity else None
            for person in handover.people
        },
        "stock": {str(row.id): row.count for row in handover.stock},
    }


def draft_version(handover: Handover) -> str:
    """The version a draft form carries (versions.version_of its values)."""
    return version_of(draft_values(handover))


def draft_wanted(handover: Handover, draft: Draft) -> dict[str, Any]:
    """What the draft would hold if `draft` were saved, in `draft_values`' terms. A severity or
    count the form did not send (one that failed its check) keeps its saved value.
    """
    values = draft_values(handover)
    values["summary"] = _clean(draft.summary)
    values["situation_awareness"] = _clean(draft.situation_awareness)
    values["notes"] = _clean(draft.notes)
    for person_id, severity in draft.severities.items():
        if str(person_id) in values["severities"]:
            values["severities"][str(person_id)] = severity.value if severity else None
    for row_id, count in draft.stock.items():
        if str(row_id) in values["stock"]:
            values["stock"][str(row_id)] = count
    return values


def draft_fields(handover: Handover, values: dict[str, Any]) -> Fields:
    """A draft's values as a reader sees them: kept with each version, shown when refused."""
    severities, counts = values["severities"], values["stock"]

    def severity(person: HandoverPerson) -> str:
        given = severities.get(str(person.id))
        return IllnessSeverity(given).label if given else "—"

    def count(row: HandoverStock) -> str:
        counted = counts.get(str(row.id))
        return "—" if counted is None else str(counted)

    return [
        (_("Summary"), values["summary"] or "—"),
        (_("Situation awareness and contingencies"), values["situation_awareness"] or "—"),
        (_("Notes"), values["notes"] or "—"),
        *(
            (_("Illness severity · %(tag)s", tag=person.display_tag), severity(person))
            for person in handover.people
        ),
        *((_("Stock · %(item)s", item=row.item), count(row)) for row in handover.stock),
    ]


def save_draft(
    session: Session,
    actor: Staff,
    handover: Handover,
    draft: Draft,
    opened: str | None = None,
) -> None:
    """Save what the lead has typed so far; nothing is required until submission.

    Rule: the one way an editable clinical record is saved (versions.save_version). `opened` is
    the `draft_version` the form was loaded with. If the draft was changed since, from another
    tab or tablet, a form that would change it again is refused (`SavedElsewhere`): it still
    holds the older text of every field, and writing it would silently erase what was typed
    elsewhere. A form that only repeats what is saved (an autosave of the same typing that got
    there first) goes on. Each save that changes the draft is kept as a version.
    """
    _draft_only(handover)
    wanted = draft_wanted(handover, draft)

    def write() -> Fields:
        handover.summary = wanted["summary"]
        handover.situation_awareness = wanted["situation_awareness"]
        handover.notes = wanted["notes"]
        for person in handover.people:
            severity = wanted["severities"][str(person.id)]
            person.severity = IllnessSeverity(severity) if severity else None
        for row in handover.stock:
            row.count = wanted["stock"][str(row.id)]
        handover.saved_at = utcnow()
        _audit_draft_save(session, actor, handover, handover.saved_at)
        return draft_fields(handover, wanted)

    save_version(
        session,
        actor,
        handover,
        DRAFT,
        opened=opened,
        now=draft_values(handover),
        wanted=wanted,
        write=write,
    )
    session.flush()


def _clean(text: str | None) -> str | None:
    return (text or "").strip()[:MAX_TEXT] or None


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
        raise HandoverError(_("An action needs what is to be done and who owns it."))
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
        raise HandoverError(_("That action is not on this handover."))
    handover.actions.remove(action)
    _audit(session, "handover.action_removed", actor, handover, action_id=action_id)
    session.flush()


def submission_problems(handover: Handover) -> list[str]:
    problems = []
    if not handover.summary:
        problems.append(_("Write the summary."))
    missing = [p.display_tag for p in handover.people if p.severity is None]
    if missing:
        problems.append(_("Give the illness severity of %(tags)s.", tags=", ".join(missing)))
    uncounted = [row.item for row in handover.stock if row.count is None]
    if uncounted:
        problems.append(_("Count %(items)s.", items=", ".join(uncounted)))
    return problems


def ledger_counts(session: Session, site: Site) -> dict[str, int]:
    """What the stock ledger (supplies/) holds of each item it has lines for, by the item's name:
    a handover's stock section starts from these, and the lead confirms or corrects them.
    """
    kept = select(StockMovement.item_id).where(StockMovement.site_id == site.id).distinct()
    rows = session.execute(
        select(SupplyItem.label, SupplyItem.on_hand).where(
            SupplyItem.site_id == site.id, SupplyItem.id.in_(kept)
        )
    )
    return {label: int(on_hand) for label, on_hand in rows}


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
    opened: str | None,
    *,
    submit: bool,
) -> list[str]:
    """Save the lead's typing, then submit the handover if asked. What was typed is kept even
    when the handover is not complete enough to submit: only the submission is refused, and
    what is missing is returned (nothing when it was submitted, or not asked to be).
    """
    save_draft(session, actor, handover, draft, opened)
    if not submit:
        return []
    try:
        submit_handover(session, actor, handover)
    except HandoverIncomplete as incomplete:
        return incomplete.problems
    return []


class AlreadyAcknowledged(HandoverError):
    """Another incoming lead acknowledged first (two tapped at once, or one from another tab):
    nothing was saved, and the read-back note typed is handed back to be shown.
    """

    def __init__(self, handover: Handover, readback_note: str | None) -> None:
        who = (
            handover.acknowledged_by.display_name if handover.acknowledged_by else _("another lead")
        )
        if readback_note:
            super().__init__(
                _(
                    "Already acknowledged by %(name)s; your read-back note was not saved.",
                    name=who,
                )
            )
        else:
            super().__init__(_("Already acknowledged by %(name)s.", name=who))
        self.acknowledged_by = who
        self.acknowledged_at = handover.acknowledged_at
        self.readback_note = readback_note


def acknowledge_handover(
    session: Session, actor: Staff, handover: Handover, readback_note: str | None
) -> None:
    """The incoming lead acknowledges under their own login; never the outgoing lead.

    Rule: a handover is acknowledged once. The caller holds the handover's row lock, so of two
    leads tapping at once the second decides on the acknowledged handover and is refused with
    `AlreadyAcknowledged` (who, when, and the note that was not saved). The same lead sending
    the same acknowledgement again (a double tap) is answered as acknowledged, once.
    """
    note = (readback_note or "").strip()[:1000] or None
    if handover.status is HandoverStatus.DRAFT:
        raise HandoverError(_("This handover has not been submitted yet."))
    if handover.status is HandoverStatus.ACKNOWLEDGED:
        if handover.acknowledged_by_id == actor.id and handover.readback_note == note:
            return
        raise AlreadyAcknowledged(handover, note)
    if handover.outgoing_lead_id == actor.id:
        raise HandoverError(_("You gave this handover; the incoming lead must acknowledge it."))
    now = utcnow()
    handover.status = HandoverStatus.ACKNOWLEDGED
    handover.acknowledged_at = now
    handover.acknowledged_by = actor
    handover.readback_note = note
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
            raise HandoverError(_("That form belongs to another handover; reload the page."))
        return replayed
    if not handover.is_frozen:
        raise HandoverError(_("A draft can still be edited; addenda are for submitted handovers."))
    text, reason = text.strip(), reason.strip()
    if not text or not reason:
        raise HandoverError(_("An addendum needs the correction and the reason for it."))
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
