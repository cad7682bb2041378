"""Education and brief interventions given on a visit, from the site's list of topics."""

from __future__ import annotations

from functools import partial

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure
from sitesys.care.models import EducationGiven, EducationTopic
from sitesys.checkin.models import Visit
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.refusals import Refused
from sitesys.sites.models import Site

#: The most minutes one topic can be recorded as taking (a typing slip is refused, not counted).
MOST_MINUTES = 240


class EducationRefused(Refused):
    """Education that cannot be recorded; the message is shown as it is."""


def topics(session: Session, site: Site, *, active_only: bool = True) -> list[EducationTopic]:
    statement = select(EducationTopic).where(EducationTopic.site_id == site.id)
    if active_only:
        statement = statement.where(EducationTopic.is_active.is_(True))
    return list(session.scalars(statement.order_by(EducationTopic.position, EducationTopic.label)))


def education_of_visit(session: Session, visit: Visit) -> list[EducationGiven]:
    return list(
        session.scalars(
            select(EducationGiven)
            .where(EducationGiven.visit_id == visit.id)
            .options(joinedload(EducationGiven.topic))
            .order_by(EducationGiven.recorded_at, EducationGiven.id)
        )
    )


def _standing(session: Session, visit: Visit, topic_id: int) -> EducationGiven | None:
    return session.scalar(
        select(EducationGiven).where(
            EducationGiven.visit_id == visit.id,
            EducationGiven.topic_id == topic_id,
            EducationGiven.struck_at.is_(None),
        )
    )


def record_education(
    session: Session, actor: Staff, site: Site, visit: Visit, given: dict[int, int | None]
) -> list[EducationGiven]:
    """Record topics covered on an open visit (topic id to minutes spent, or None). A topic
    already recorded on the visit is not recorded again (a double tap, a second tablet): returns
    only the rows this call added.
    """
    # TRANSLATORS: completes "Only <role> can …" (a verb phrase).
    ensure(actor, Capability.REFER, _("record education given"))
    if not visit.status.is_open:
        raise EducationRefused(
            _(
                "%(tag)s has left; education can only be recorded during a visit.",
                tag=visit.display_tag,
            )
        )
    if not given:
        raise EducationRefused(_("Tick at least one topic."))
    offered = {topic.id: topic for topic in topics(session, site)}
    if any(topic_id not in offered for topic_id in given):
        raise EducationRefused(_("Choose topics from this site's list."))
    for minutes in given.values():
        if minutes is not None and not 1 <= minutes <= MOST_MINUTES:
            raise EducationRefused(
                _("Minutes spent: a whole number from 1 to %(most)d.", most=MOST_MINUTES)
            )
    now = utcnow()
    added = []
    for topic_id, minutes in given.items():
        if _standing(session, visit, topic_id) is not None:
            continue
        row = EducationGiven(
            site_id=site.id,
            visit_id=visit.id,
            topic_id=topic_id,
            minutes=minutes,
            recorded_at=now,
            recorded_by_id=actor.id,
        )
        if add_once(session, row, partial(_standing, session, visit, topic_id)) is row:
            added.append(row)
    if added:
        record_event(
            session,
            "visit.education_given",
            actor=actor,
            record=visit,
            topics=[offered[row.topic_id].code for row in added],
            minutes=sum(row.minutes or 0 for row in added),
        )
    session.flush()
    return added


def strike_education(session: Session, actor: Staff, row: EducationGiven, reason: str) -> None:
    """Strike a topic recorded in error through: it stays, marked, with who, when and why."""
    # TRANSLATORS: completes "Only <role> can …" (a verb phrase).
    ensure(actor, Capability.REFER, _("strike education through"))
    reason = reason.strip()
    if not reason:
        raise EducationRefused(_("Give a reason for striking it through."))
    if row.is_struck:
        raise EducationRefused(_("That was already struck through."))
    row.struck_at = utcnow()
    row.struck_by_id = actor.id
    row.strike_reason = reason[:200]
    record_event(session, "education_given.struck", actor=actor, record=row)
    session.flush()


def add_topic(session: Session, actor: Staff, site: Site, label: str) -> EducationTopic:
    """Add a topic to the site's list (its code is made from its label, kept when reworded)."""
    ensure(actor, Capability.MANAGE_CARE_LISTS)
    label = label.strip()[:80]
    if not label:
        raise EducationRefused(_("Give the topic's name."))
    code = "".join(c if c.isalnum() else "_" for c in label.casefold()).strip("_")[:40] or "topic"
    existing = {t.code: t for t in topics(session, site, active_only=False)}
    if any(t.label.casefold() == label.casefold() for t in existing.values()):
        raise EducationRefused(_("The list already has %(topic)s.", topic=label))
    base, number = code, 2
    while code in existing:
        code, number = f"{base[:36]}_{number}", number + 1
    topic = EducationTopic(
        site_id=site.id, code=code, label=label, position=len(existing) + 1, is_active=True
    )
    session.add(topic)
    session.flush()
    record_event(session, "education_topic.added", actor=actor, record=topic, code=code)
    return topic


def set_topic_shown(session: Session, actor: Staff, topic: EducationTopic, shown: bool) -> None:
    """Hide a topic from the visit page (past records keep it), or show it again."""
    ensure(actor, Capability.MANAGE_CARE_LISTS)
    if topic.is_active is shown:
        return
    topic.is_active = shown
    record_event(
        session,
        "education_topic.shown" if shown else "education_topic.hidden",
        actor=actor,
        record=topic,
    )
    session.flush()
