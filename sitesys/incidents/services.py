"""The emergency response: starting it, logging actions as they happen, striking a wrong tap,
ending it; and the state machine every incident moves through.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure, role_can
from sitesys.checkin.lifecycle import LeftByAmbulance, leave_by_ambulance
from sitesys.checkin.models import Visit
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.incidents.floor import may_start_response, open_incident_for_visit
from sitesys.incidents.kinds import ActionKind, IncidentStatus, NaloxoneRoute, Outcome
from sitesys.incidents.models import (
    Incident,
    IncidentAction,
    IncidentStatusChange,
    IncidentSubstance,
)
from sitesys.refusals import Refused

#: Bounds a dose or flow must fall in; outside them it is a slip of the finger, not a dose.
NALOXONE_MG = (Decimal("0.01"), Decimal("10"))
OXYGEN_L_PER_MIN = (Decimal("0.5"), Decimal("15"))
#: The precision the records keep (mg to 0.01, L/min to 0.1); finer is refused, not rounded.
NALOXONE_PLACES = 2
OXYGEN_PLACES = 1


def too_precise(value: Decimal, places: int) -> bool:
    return value != value.quantize(Decimal(1).scaleb(-places))


class IncidentError(Refused):
    """A change that cannot be made; the message is shown to staff as it is."""


class IncidentChanged(IncidentError):
    """The incident is no longer in the state that allows this step: nothing was changed."""


class ResponseEnded(IncidentChanged):
    """The response had ended (perhaps on another tablet) before this step: nothing was
    recorded. Shown as a warning: the step was right when it was tapped.
    """

    category = "warning"


# Every allowed step: (from, to) → the capability it takes. Anything else is refused.
TRANSITIONS: dict[tuple[IncidentStatus, IncidentStatus], Capability] = {
    (IncidentStatus.OPEN, IncidentStatus.DRAFT): Capability.RECORD_RESPONSE_ACTIONS,
    (IncidentStatus.DRAFT, IncidentStatus.SUBMITTED): Capability.REPORT_INCIDENTS,
    (IncidentStatus.SUBMITTED, IncidentStatus.IN_REVIEW): Capability.REVIEW_INCIDENTS,
    (IncidentStatus.IN_REVIEW, IncidentStatus.CLOSED): Capability.REVIEW_INCIDENTS,
    (IncidentStatus.CLOSED, IncidentStatus.IN_REVIEW): Capability.REVIEW_INCIDENTS,
}

_AUDIT_ACTIONS = {
    (IncidentStatus.OPEN, IncidentStatus.DRAFT): "incident.response_ended",
    (IncidentStatus.DRAFT, IncidentStatus.SUBMITTED): "incident.submitted",
    (IncidentStatus.SUBMITTED, IncidentStatus.IN_REVIEW): "incident.review_started",
    (IncidentStatus.IN_REVIEW, IncidentStatus.CLOSED): "incident.closed",
    (IncidentStatus.CLOSED, IncidentStatus.IN_REVIEW): "incident.reopened",
}


def _refusal(incident: Incident, to: IncidentStatus) -> IncidentChanged:
    """Why the incident cannot move to `to` from where it is."""
    status = incident.status
    if to is IncidentStatus.DRAFT:
        return ResponseEnded(_("The response has already ended."))
    if to is IncidentStatus.SUBMITTED:
        if status is IncidentStatus.OPEN:
            return IncidentChanged(
                _("The response is still running: end it before submitting the report.")
            )
        return IncidentChanged(
            _("This report has already been submitted; change it with an amendment.")
        )
    if to is IncidentStatus.IN_REVIEW:
        if status is IncidentStatus.IN_REVIEW:
            return IncidentChanged(_("This incident is already in review."))
        return IncidentChanged(_("Only a submitted report can be taken into review."))
    if status is IncidentStatus.CLOSED:
        return IncidentChanged(_("This incident is already closed."))
    return IncidentChanged(_("Take the incident into review before closing it."))


def change_status(
    session: Session,
    actor: Staff,
    incident: Incident,
    to: IncidentStatus,
    *,
    reason: str | None = None,
) -> None:
    """Move an incident one step along open → draft → submitted → in review → closed (and
    closed → in review when reopened), if that step exists and the actor's role may take it.
    """
    step = (incident.status, to)
    capability = TRANSITIONS.get(step)
    if capability is None:
        raise _refusal(incident, to)
    ensure(
        actor,
        capability,
        "review, close or reopen an incident"
        if capability is Capability.REVIEW_INCIDENTS
        else "do this",
    )
    now = utcnow()
    incident.status = to
    if to is IncidentStatus.DRAFT:
        incident.response_ended_at = now
    elif to is IncidentStatus.SUBMITTED:
        incident.submitted_at = now
        incident.submitted_by_id = actor.id
    elif to is IncidentStatus.IN_REVIEW:
        incident.closed_at = None
        if step[0] is IncidentStatus.SUBMITTED:
            incident.review_started_at = now
            incident.reviewer_id = actor.id
    elif to is IncidentStatus.CLOSED:
        incident.closed_at = now
    session.add(
        IncidentStatusChange(
            incident_id=incident.id,
            from_status=step[0],
            to_status=to,
            changed_at=now,
            changed_by_id=actor.id,
            reason=reason,
        )
    )
    record_event(
        session,
        _AUDIT_ACTIONS[step],
        actor=actor,
        record=incident,
        from_status=step[0].value,
        to_status=to.value,
    )
    session.flush()


def note_creation(session: Session, actor: Staff, incident: Incident) -> None:
    """The first line of an incident's history."""
    session.add(
        IncidentStatusChange(
            incident_id=incident.id,
            from_status=None,
            to_status=incident.status,
            changed_at=incident.started_at,
            changed_by_id=actor.id,
        )
    )


# -- During the emergency -----------------------------------------------------------------------


@dataclass
class StartResult:
    incident: Incident
    #: True when a response was already running for the visit (a second tablet, a double tap).
    already_running: bool = False


def start_response(
    session: Session, actor: Staff, visit: Visit, *, alarm: bool = False
) -> StartResult:
    """Open an emergency response on a visit, or return the one already running for it.

    Rules: one open emergency per visit, settled by a partial unique index when two tablets
    start at the same instant; the client is on the floor or left within the hour
    (`may_start_response`). The visit's substances are carried over as a starting point.
    `alarm`: raised from a board tile by any member of floor staff (the front desk's "Raise
    the alarm"); the record starts the same way and nurses take it over.
    """
    ensure(actor, Capability.RAISE_ALARM if alarm else Capability.START_RESPONSE)
    running = open_incident_for_visit(session, visit)
    if running is not None:
        return StartResult(running, already_running=True)
    now = utcnow()
    if not may_start_response(visit, now):
        raise IncidentError(
            f"{visit.display_tag} left more than an hour ago, so no response was started: "
            "use Report incident to record what happened."
        )
    incident = Incident(
        id=uuid.uuid4(),
        site_id=visit.site_id,
        visit_id=visit.id,
        status=IncidentStatus.OPEN,
        started_at=now,
        reported_by_id=actor.id,
        narrative="",
        findings="",
        contributing_factors="",
        learning="",
        substances=[IncidentSubstance(code=item.code) for item in visit.substances],
        staff_involved=[actor],
    )
    try:
        with session.begin_nested():
            session.add(incident)
            session.flush()
    except IntegrityError:
        running = open_incident_for_visit(session, visit)
        if running is None:
            raise IncidentError(
                _("Someone else changed this visit at the same moment; please try again.")
            ) from None
        return StartResult(running, already_running=True)
    note_creation(session, actor, incident)
    record_event(
        session,
        "incident.response_started",
        actor=actor,
        record=incident,
        visit_id=str(visit.id),
        **({"alarm": True} if alarm else {}),
    )
    session.flush()
    return StartResult(incident)


@dataclass
class ActionInput:
    """One tap on the response screen."""

    kind: ActionKind
    submission_key: str
    dose_mg: Decimal | None = None
    naloxone_route: NaloxoneRoute | None = None
    oxygen_l_per_min: Decimal | None = None
    note: str | None = None


#: What trained non-clinical staff may log in a response, where their site allows it.
RESCUE_ACTIONS = frozenset({ActionKind.NALOXONE, ActionKind.RESCUE_BREATHS})


def desk_may_record(actor: Staff, incident: Incident, kind: ActionKind) -> bool:
    """A non-clinical member of floor staff may log naloxone and rescue breaths only where the
    site's setting (off by default) allows trained staff to.
    """
    return (
        kind in RESCUE_ACTIONS
        and incident.site.desk_rescue_actions
        and role_can(actor.role, Capability.RAISE_ALARM)
    )


def ensure_may_record(actor: Staff, incident: Incident, kind: ActionKind) -> None:
    """Clinical roles record every action; others only what `desk_may_record` allows."""
    if not role_can(actor.role, Capability.RECORD_RESPONSE_ACTIONS) and desk_may_record(
        actor, incident, kind
    ):
        return
    ensure(actor, Capability.RECORD_RESPONSE_ACTIONS)


@dataclass
class ActionResult:
    action: IncidentAction
    #: True when this tap had already been recorded (double tap, resent form).
    replayed: bool = False
    #: The client's visit ended with this tap (a transfer to hospital): they left by ambulance.
    left_by_ambulance: LeftByAmbulance | None = None


def _replay_action(session: Session, submission_key: str) -> IncidentAction | None:
    return session.scalar(
        select(IncidentAction).where(IncidentAction.submission_key == submission_key)
    )


def _check_values(tap: ActionInput) -> ActionInput:
    """Keep only the values that belong to the kind of action, and check them."""
    if tap.kind is ActionKind.NALOXONE:
        low, high = NALOXONE_MG
        if tap.dose_mg is None or not low <= tap.dose_mg <= high:
            raise IncidentError(
                _("Enter a naloxone dose from %(low)s to %(high)s mg.", low=low, high=high)
            )
        if too_precise(tap.dose_mg, NALOXONE_PLACES):
            raise IncidentError(_("Enter the dose to two decimal places at most."))
        if tap.naloxone_route is None:
            raise IncidentError(_("Choose how the naloxone was given."))
        return ActionInput(
            tap.kind, tap.submission_key, dose_mg=tap.dose_mg, naloxone_route=tap.naloxone_route
        )
    if tap.kind is ActionKind.OXYGEN:
        low, high = OXYGEN_L_PER_MIN
        if tap.oxygen_l_per_min is None or not low <= tap.oxygen_l_per_min <= high:
            raise IncidentError(
                _("Enter an oxygen flow from %(low)s to %(high)s L/min.", low=low, high=high)
            )
        if too_precise(tap.oxygen_l_per_min, OXYGEN_PLACES):
            raise IncidentError(_("Enter the flow to one decimal place at most."))
        return ActionInput(tap.kind, tap.submission_key, oxygen_l_per_min=tap.oxygen_l_per_min)
    note = (tap.note or "").strip()[:200] or None
    if tap.kind is ActionKind.NOTE and note is None:
        raise IncidentError(_("Write the note before pressing Note."))
    return ActionInput(tap.kind, tap.submission_key, note=note)


def tap_refusal(incident: Incident) -> ResponseEnded | None:
    """Rule: an action is recorded only while the response runs; once it has ended, what was
    done goes in the report. The refusal, or None while the response runs.
    """
    if incident.status is IncidentStatus.OPEN:
        return None
    return ResponseEnded(
        _("The response had already ended, so this was not recorded: add it to the report.")
    )


def record_action(
    session: Session, actor: Staff, incident: Incident, tap: ActionInput
) -> ActionResult:
    """Append one action to a running response, stamped with the server's time.

    Rules: only while the response runs (`tap_refusal`); a tap sent twice is recorded once (its
    submission key is unique, and a resent tap is answered as recorded even after the end); the
    tapping member of staff joins the staff involved. The caller holds the incident's row lock,
    so taps from several tablets queue for an instant and all are kept.
    """
    ensure_may_record(actor, incident, tap.kind)
    replayed = _replay_action(session, tap.submission_key)
    if replayed is not None:
        if replayed.incident_id != incident.id:
            raise IncidentError(_("That form belongs to another incident; reload the page."))
        return ActionResult(replayed, replayed=True)
    refusal = tap_refusal(incident)
    if refusal is not None:
        raise refusal
    tap = _check_values(tap)
    action = IncidentAction(
        incident_id=incident.id,
        kind=tap.kind,
        recorded_at=utcnow(),
        recorded_by_id=actor.id,
        submission_key=tap.submission_key,
        dose_mg=tap.dose_mg,
        naloxone_route=tap.naloxone_route,
        oxygen_l_per_min=tap.oxygen_l_per_min,
        note=tap.note,
    )
    stored = add_once(session, action, lambda: _replay_action(session, tap.submission_key))
    if stored is not action:
        return ActionResult(stored, replayed=True)
    if all(person.id != actor.id for person in incident.staff_involved):
        incident.staff_involved.append(actor)
    record_event(
        session,
        "incident.action_recorded",
        actor=actor,
        record=incident,
        action_id=action.id,
        kind=action.kind.value,
    )
    session.flush()
    left = None
    if action.kind is ActionKind.TRANSFERRED_TO_HOSPITAL:
        left = _transfer(session, actor, incident)
    return ActionResult(action, left_by_ambulance=left)


def _transfer(session: Session, actor: Staff, incident: Incident) -> LeftByAmbulance | None:
    """Rule: a client transferred to hospital leaves the floor. Their visit ends as left by
    ambulance (`leave_by_ambulance`); the visit, if it ended now.
    """
    visit = incident.visit
    if visit is None:
        return None
    # The visit's row lock, as a check-out takes it: a desk moving the client at the same
    # moment waits, then finds them gone. Locked on its own (PostgreSQL locks no outer join),
    # then read again as it is now.
    session.execute(select(Visit.id).where(Visit.id == visit.id).with_for_update())
    session.refresh(visit)
    return leave_by_ambulance(session, actor, visit)


def strike_action(session: Session, actor: Staff, action: IncidentAction, reason: str) -> None:
    """Strike a wrong tap through. It stays in the log, marked, with who, when and why; only
    before the report is submitted (afterwards a correction is an amendment).
    """
    ensure(actor, Capability.RECORD_RESPONSE_ACTIONS, "strike an action through")
    incident = action.incident
    reason = reason.strip()
    if incident.status not in (IncidentStatus.OPEN, IncidentStatus.DRAFT):
        raise IncidentChanged(
            _("The report has been submitted; correct it with an amendment instead.")
        )
    if action.struck_at is not None:
        raise IncidentChanged(_("That action was already struck through."))
    if not reason:
        raise IncidentError(_("Give a reason for striking the action through."))
    action.struck_at = utcnow()
    action.struck_by_id = actor.id
    action.strike_reason = reason[:200]
    record_event(
        session,
        "incident.action_struck",
        actor=actor,
        record=incident,
        action_id=action.id,
        kind=action.kind.value,
    )
    session.flush()


def end_response(
    session: Session, actor: Staff, incident: Incident, outcome: Outcome | None = None
) -> LeftByAmbulance | None:
    """Stop the clock: the response becomes a draft report. Ended twice (two tablets), the
    second is refused (`ResponseEnded`) and changes nothing.

    Ended with an outcome, the draft report starts with it (no one can have opened the draft
    yet); ended with a transfer to hospital, the client's visit ends as left by ambulance. The
    visit, if it ended now.
    """
    change_status(session, actor, incident, IncidentStatus.DRAFT)
    if outcome is None:
        return None
    incident.outcome = outcome
    session.flush()
    if outcome is Outcome.TRANSFERRED_TO_HOSPITAL:
        return _transfer(session, actor, incident)
    return None
