"""Manager review: take a submitted report into review, record what was learnt and what must be
done, close it, and reopen it with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.incidents.kinds import IncidentStatus
from sitesys.incidents.models import Incident, ReviewAction
from sitesys.incidents.reports import site_staff
from sitesys.incidents.services import IncidentChanged, IncidentError, change_status
from sitesys.versions import version_of
from sitesys.versions.services import Editable, Fields, save_version

MAX_REVIEW_TEXT = 5_000
REVIEW_FIELDS = ("findings", "contributing_factors", "learning")


REVIEW_LABELS = {
    "findings": _l("Findings"),
    "contributing_factors": _l("Contributing factors"),
    "learning": _l("Learning"),
}
#: The review's three texts: each save that changes them is kept as a version.
REVIEW = Editable("review", _l("review"))


class ReviewActionRefused(IncidentError):
    """A review action that cannot be added; `field` is the form field the message belongs to."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _require_in_review(incident: Incident) -> None:
    if incident.status is not IncidentStatus.IN_REVIEW:
        raise IncidentChanged(
            _(
                "This incident is %(state)s; the review can be changed only while it is in review.",
                state=incident.status.label.lower(),
            )
        )


def take_into_review(session: Session, actor: Staff, incident: Incident) -> None:
    """A manager takes a submitted report into review and becomes its reviewer."""
    if incident.status is IncidentStatus.CLOSED:
        raise IncidentChanged(_("This incident is closed; reopen it with a reason instead."))
    change_status(session, actor, incident, IncidentStatus.IN_REVIEW)


@dataclass
class ReviewInput:
    findings: str = ""
    contributing_factors: str = ""
    learning: str = ""


def review_values(incident: Incident) -> dict[str, str]:
    return {name: getattr(incident, name) for name in REVIEW_FIELDS}


def review_wanted(review: ReviewInput) -> dict[str, str]:
    """What the review would read if this input were saved, in `review_values`' terms."""
    return {name: getattr(review, name).strip()[:MAX_REVIEW_TEXT] for name in REVIEW_FIELDS}


def review_fields(values: dict[str, str]) -> Fields:
    """The review's texts as a reader sees them: kept with each version."""
    return [(REVIEW_LABELS[name], values[name] or "—") for name in REVIEW_FIELDS]


def review_version(incident: Incident) -> str:
    """A digest of the review's text, carried by the review form (as reports.report_version)."""
    return version_of(review_values(incident))


def record_review(
    session: Session, actor: Staff, incident: Incident, review: ReviewInput, *, version: str
) -> list[str]:
    """Save the review's findings, contributing factors and learning (managers, in review).

    Rule: the one way an editable clinical record is saved (versions.save_version). `version`
    is the review's `review_version` when the form was opened; if the review has changed since,
    nothing is saved (`SavedElsewhere`): the form holds all three texts, so a stale tab would
    silently overwrite the other's. The same form sent twice changes nothing. Each save that
    changes the review is kept as a version.
    """
    ensure(actor, Capability.REVIEW_INCIDENTS, "review incidents")
    _require_in_review(incident)
    now, values = review_values(incident), review_wanted(review)
    changed = [name for name in REVIEW_FIELDS if now[name] != values[name]]

    def write() -> Fields:
        for name in changed:
            setattr(incident, name, values[name])
        return review_fields(values)

    save_version(
        session,
        actor,
        incident,
        REVIEW,
        opened=version,
        now=now,
        wanted=values,
        write=write,
    )
    if changed:
        record_event(
            session,
            "incident.review_recorded",
            actor=actor,
            record=incident,
            changed=changed,
        )
    session.flush()
    return changed


def add_review_action(
    session: Session,
    actor: Staff,
    incident: Incident,
    *,
    description: str,
    owner_id: int,
    due_on: date,
    submission_key: str,
) -> ReviewAction:
    """Add an action the review decided on, owned by a member of the site's staff, due today
    or later. The same form sent again (a double tap, a resubmitted page) returns the action it
    added; two sent at the same instant are settled by the key's unique index.
    """
    ensure(actor, Capability.REVIEW_INCIDENTS, "add review actions")
    added = _review_action_added_by(session, submission_key)
    if added is not None:
        return added
    _require_in_review(incident)
    description = description.strip()
    if not description:
        raise ReviewActionRefused("description", _("Say what needs to be done."))
    try:
        [owner] = site_staff(session, incident.site_id, [owner_id])
    except IncidentError as refused:
        raise ReviewActionRefused("owner", str(refused)) from None
    if due_on < utcnow().astimezone(incident.site.zone).date():
        raise ReviewActionRefused("due_on", _("The due date cannot be in the past."))
    action = ReviewAction(
        incident_id=incident.id,
        description=description[:300],
        owner_id=owner.id,
        due_on=due_on,
        created_at=utcnow(),
        created_by_id=actor.id,
        submission_key=submission_key,
    )
    stored = add_once(session, action, lambda: _review_action_added_by(session, submission_key))
    if stored is not action:
        return stored
    record_event(
        session,
        "incident.review_action_added",
        actor=actor,
        record=incident,
        review_action_id=action.id,
        owner_id=owner.id,
        due_on=due_on.isoformat(),
    )
    return action


def _review_action_added_by(session: Session, submission_key: str) -> ReviewAction | None:
    return session.scalar(select(ReviewAction).where(ReviewAction.submission_key == submission_key))


def complete_review_action(
    session: Session, actor: Staff, incident: Incident, action: ReviewAction
) -> None:
    """Mark a review action done (once), while the incident is in review."""
    ensure(actor, Capability.REVIEW_INCIDENTS, "complete review actions")
    _require_in_review(incident)
    if action.done_at is not None:
        raise IncidentChanged(_("That action is already done."))
    action.done_at = utcnow()
    action.done_by_id = actor.id
    record_event(
        session,
        "incident.review_action_done",
        actor=actor,
        record=incident,
        review_action_id=action.id,
    )
    session.flush()


def close_missing(incident: Incident) -> list[str]:
    """What a reviewed incident still lacks before it may be closed, as sentences for staff
    (empty when it may be). Rules: the findings are recorded first, and every action the review
    decided on is done (a closed incident offers no way to mark one done, and an action still
    to do is why the incident is not finished). The page asks this before offering "Close".
    """
    missing = []
    if incident.status is IncidentStatus.IN_REVIEW and not incident.findings.strip():
        missing.append(_("Record the findings before closing the incident."))
    open_actions = [action for action in incident.review_actions if action.done_at is None]
    if len(open_actions) == 1:
        missing.append(_("A review action is not done yet: mark it done before closing."))
    elif open_actions:
        missing.append(
            ngettext(
                "%(num)d review action is not done yet: mark it done before closing.",
                "%(num)d review actions are not done yet: mark them done before closing.",
                len(open_actions),
            )
        )
    return missing


def close_incident(session: Session, actor: Staff, incident: Incident) -> None:
    """Close a reviewed incident, once nothing is missing (`close_missing`)."""
    ensure(actor, Capability.REVIEW_INCIDENTS, "close incidents")
    missing = close_missing(incident)
    if missing:
        raise IncidentError(missing[0])
    change_status(session, actor, incident, IncidentStatus.CLOSED)


def reopen_incident(session: Session, actor: Staff, incident: Incident, reason: str) -> None:
    """Reopen a closed incident into review. Rule: a reason is given, and kept in its history."""
    ensure(actor, Capability.REVIEW_INCIDENTS, "reopen incidents")
    if incident.status is not IncidentStatus.CLOSED:
        raise IncidentChanged(_("Only a closed incident can be reopened."))
    reason = reason.strip()
    if not reason:
        raise IncidentError(_("Give a reason for reopening the incident."))
    change_status(session, actor, incident, IncidentStatus.IN_REVIEW, reason=reason[:300])
