"""Publishing, renewing and withdrawing drug alerts, and who has read them."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from flask_babel import gettext as _
from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import Session, selectinload

from sitesys.alerts.models import (
    LONGEST_RUN,
    Acknowledgement,
    AlertShown,
    AlertSubstance,
    DrugAlert,
    Severity,
    alert_sites,
)
from sitesys.audit.services import record_event
from sitesys.auth.models import Staff
from sitesys.auth.permissions import Capability, ensure, holders
from sitesys.checkin.models import Visit
from sitesys.clock import utcnow
from sitesys.db import add_once
from sitesys.drugchecks.models import Finding, Sample, SampleForm
from sitesys.refusals import Refused
from sitesys.sites.models import Site, staff_sites

#: How long a new alert runs unless the manager says otherwise.
DEFAULT_RUN = timedelta(days=7)
#: A start typed a little in the past (the form took a minute to fill in) is taken as now.
START_TOLERANCE = timedelta(minutes=15)


class AlertRefused(Refused):
    """An alert change that breaks a rule; the message is shown as it is."""


@dataclass
class AlertInput:
    """What a manager writes in an alert."""

    title: str
    sold_as: str
    found: str
    advice: str
    severity: Severity
    starts_at: datetime
    ends_at: datetime
    site_ids: list[int]
    substances: list[str]
    harms: str | None = None
    colour: str | None = None
    form: SampleForm | None = None
    markings: str | None = None
    where_sold: str | None = None
    sample_id: uuid.UUID | None = None


def draft_from_sample(
    sample: Sample, labels: Mapping[str, str], site: Site, now: datetime
) -> AlertInput:
    """An alert filled in from a drug check, for the manager to read, correct and publish:
    what it was sold as and what was found, how it looks, the advice given, and the site.
    Danger when fentanyl, nitazenes or xylazine turned up unexpectedly.
    """
    expected = labels.get(sample.expected_substance, sample.expected_substance)
    unexpected = [finding.finding for finding in sample.findings if finding.is_unexpected]
    if unexpected:
        names = [finding.label for finding in unexpected]
        joined = names[0]
        for name in names[1:]:
            joined = _("%(first)s and %(second)s", first=joined, second=name)
        title = _(
            "%(findings)s found in %(substance)s", findings=joined, substance=expected.lower()
        )
    else:
        title = _("Drug check: %(substance)s", substance=expected.lower())
    severe = {Finding.FENTANYL, Finding.NITAZENES, Finding.XYLAZINE}
    return AlertInput(
        title=title[:120],
        sold_as=f"{expected}, {sample.form.label.lower()}",
        found=(sample.found_summary or "")[:300],
        advice=(sample.advice or "")[:500],
        severity=Severity.DANGER if severe.intersection(unexpected) else Severity.WARNING,
        starts_at=now,
        ends_at=now + DEFAULT_RUN,
        site_ids=[site.id],
        substances=[sample.expected_substance],
        colour=sample.colour,
        form=sample.form,
        markings=sample.markings,
        sample_id=sample.id,
    )


@dataclass
class Published:
    alert: DrugAlert
    #: True when this form had already published the alert (a double tap).
    replayed: bool = False


def _text(value: str | None, limit: int) -> str | None:
    return (value or "").strip()[:limit] or None


def _check_times(starts_at: datetime, ends_at: datetime, now: datetime) -> datetime:
    """The start to keep (a start just past is now), once the run is within the rules."""
    if starts_at < now - START_TOLERANCE:
        raise AlertRefused(_("The start is in the past: start it now or later."))
    starts_at = max(starts_at, now)
    if ends_at <= starts_at:
        raise AlertRefused(_("The end must come after the start."))
    if ends_at - starts_at > LONGEST_RUN:
        raise AlertRefused(_("An alert runs for at most 30 days; renew it if the danger lasts."))
    return starts_at


def _by_submission(session: Session, submission_key: str) -> DrugAlert | None:
    return session.scalar(select(DrugAlert).where(DrugAlert.submission_key == submission_key))


def _audit_each_site(
    session: Session, action: str, actor: Staff | None, alert: DrugAlert, **detail: object
) -> None:
    """One event per covered site: each site's audit log shows it, and its boards redraw."""
    for site in alert.sites:
        record_event(session, action, actor=actor, record=alert, site_id=site.id, **detail)


def publish_alert(
    session: Session,
    actor: Staff,
    draft: AlertInput,
    *,
    submission_key: str,
    substances: Mapping[str, str],
) -> Published:
    """Publish an alert to the sites it covers, from its start until its end.

    Rules: managers only; the sites are some or all of the manager's own; at least one pick-list
    substance (the desk is warned when a client names one); a run of at most 30 days, starting
    now or later; a form sent twice publishes once.
    """
    ensure(actor, Capability.PUBLISH_ALERTS)
    earlier = _by_submission(session, submission_key)
    if earlier is not None:
        return Published(earlier, replayed=True)
    now = utcnow()
    title, sold_as = _text(draft.title, 120), _text(draft.sold_as, 120)
    found, advice = _text(draft.found, 300), _text(draft.advice, 500)
    if not (title and sold_as and found and advice):
        raise AlertRefused(
            _("Give the alert a title, what it is sold as, what was found and advice.")
        )
    own = {site.id: site for site in actor.sites if site.is_active}
    sites = [own[site_id] for site_id in dict.fromkeys(draft.site_ids) if site_id in own]
    if not sites or len(sites) != len(set(draft.site_ids)):
        raise AlertRefused(_("Choose the sites it covers from your own sites."))
    codes = [code for code in dict.fromkeys(draft.substances) if code in substances]
    if not codes or len(codes) != len(set(draft.substances)):
        raise AlertRefused(_("Choose the substances it concerns from the pick-list."))
    starts_at = _check_times(draft.starts_at, draft.ends_at, now)
    alert = DrugAlert(
        id=uuid.uuid4(),
        title=title,
        sold_as=sold_as,
        found=found,
        advice=advice,
        harms=_text(draft.harms, 500),
        colour=_text(draft.colour, 60),
        form=draft.form,
        markings=_text(draft.markings, 120),
        where_sold=_text(draft.where_sold, 120),
        severity=draft.severity,
        starts_at=starts_at,
        ends_at=draft.ends_at,
        published_at=now,
        published_by_id=actor.id,
        submission_key=submission_key,
        sample_id=draft.sample_id,
        sites=sites,
        substances=[AlertSubstance(code=code) for code in codes],
    )
    stored = add_once(session, alert, lambda: _by_submission(session, submission_key))
    if stored is not alert:
        return Published(stored, replayed=True)
    _audit_each_site(
        session,
        "drug_alert.published",
        actor,
        alert,
        severity=alert.severity.value,
        sites=len(sites),
        from_sample=alert.sample_id is not None,
    )
    session.flush()
    return Published(alert)


def withdraw_alert(session: Session, actor: Staff, alert: DrugAlert, reason: str) -> None:
    """End an alert early, with the reason (it stays in the history, marked withdrawn)."""
    # TRANSLATORS: completes "Only <role> can …" (a verb phrase).
    ensure(actor, Capability.PUBLISH_ALERTS, _("withdraw drug alerts"))
    reason = reason.strip()
    now = utcnow()
    if alert.withdrawn_at is not None:
        raise AlertRefused(_("This alert was already withdrawn."))
    if alert.ends_at <= now:
        raise AlertRefused(_("This alert has already ended."))
    if not reason:
        raise AlertRefused(_("Give the reason for withdrawing the alert."))
    alert.withdrawn_at = now
    alert.withdrawn_by_id = actor.id
    alert.withdraw_reason = reason[:200]
    _audit_each_site(session, "drug_alert.withdrawn", actor, alert)
    session.flush()


def renew_alert(session: Session, actor: Staff, alert: DrugAlert, ends_at: datetime) -> None:
    """Run an alert on to a later end, at most 30 days from now (it may have just ended)."""
    # TRANSLATORS: completes "Only <role> can …" (a verb phrase).
    ensure(actor, Capability.PUBLISH_ALERTS, _("renew drug alerts"))
    now = utcnow()
    if alert.withdrawn_at is not None:
        raise AlertRefused(_("A withdrawn alert cannot be renewed: publish a new one."))
    if ends_at <= max(now, alert.ends_at):
        raise AlertRefused(_("Choose an end later than the one it has."))
    if ends_at - now > LONGEST_RUN:
        raise AlertRefused(_("An alert runs at most 30 days from now; renew it again later."))
    before = alert.ends_at
    alert.ends_at = ends_at
    alert.ended_at = None
    _audit_each_site(
        session,
        "drug_alert.renewed",
        actor,
        alert,
        ends_from=before.isoformat(timespec="minutes"),
        ends_to=ends_at.isoformat(timespec="minutes"),
    )
    session.flush()


def _acknowledgement(session: Session, alert: DrugAlert, staff: Staff) -> Acknowledgement | None:
    return session.scalar(
        select(Acknowledgement).where(
            Acknowledgement.alert_id == alert.id, Acknowledgement.staff_id == staff.id
        )
    )


def has_acknowledged(session: Session, alert: DrugAlert, staff: Staff) -> bool:
    return _acknowledgement(session, alert, staff) is not None


def acknowledge(session: Session, actor: Staff, alert: DrugAlert, site: Site) -> bool:
    """Record that a member of staff has read an alert; True the first time, False after (one
    acknowledgement per person per alert, two taps at once included).
    """
    ensure(actor, Capability.ACKNOWLEDGE_ALERTS)
    if all(covered.id != site.id for covered in alert.sites) or not actor.can_work_at(site.id):
        raise AlertRefused(_("That alert is not for this site."))
    if _acknowledgement(session, alert, actor) is not None:
        return False
    acknowledgement = Acknowledgement(
        alert_id=alert.id, staff_id=actor.id, acknowledged_at=utcnow(), site_id=site.id
    )
    stored = add_once(session, acknowledgement, lambda: _acknowledgement(session, alert, actor))
    if stored is not acknowledgement:
        return False
    record_event(session, "drug_alert.acknowledged", actor=actor, record=alert, site_id=site.id)
    session.flush()
    return True


def _covering(site_id: int) -> Select[tuple[DrugAlert]]:
    return (
        select(DrugAlert)
        .join(alert_sites, alert_sites.c.alert_id == DrugAlert.id)
        .where(alert_sites.c.site_id == site_id)
    )


def active_alerts(session: Session, site: Site, now: datetime | None = None) -> list[DrugAlert]:
    """The site's active alerts, most severe first, then newest."""
    now = now or utcnow()
    alerts = session.scalars(
        _covering(site.id)
        .where(DrugAlert.active_at(now))
        .options(selectinload(DrugAlert.substances))
    )
    return sorted(alerts, key=lambda alert: (alert.severity.rank, -alert.starts_at.timestamp()))


def matching_alerts(
    session: Session, site: Site, substances: Sequence[str], now: datetime | None = None
) -> list[DrugAlert]:
    """Active alerts of the site about any of the substances a client named at the desk."""
    if not substances:
        return []
    now = now or utcnow()
    about = exists().where(
        AlertSubstance.alert_id == DrugAlert.id, AlertSubstance.code.in_(list(substances))
    )
    alerts = session.scalars(_covering(site.id).where(DrugAlert.active_at(now), about))
    return sorted(alerts, key=lambda alert: (alert.severity.rank, -alert.starts_at.timestamp()))


def shown_proof(alerts: Sequence[DrugAlert], key: str) -> str:
    """Proof, carried by the check-in form, that the desk was shown exactly these alerts: a new
    alert published meanwhile is shown before the check-in is saved. Empty when there are none.
    """
    if not alerts:
        return ""
    ids = ",".join(sorted(str(alert.id) for alert in alerts))
    return hmac.new(key.encode(), f"alerts-shown:{ids}".encode(), hashlib.sha256).hexdigest()


def record_alerts_shown(
    session: Session, actor: Staff, visit: Visit, alerts: Sequence[DrugAlert]
) -> list[DrugAlert]:
    """Record on a visit that the desk showed it these alerts at check-in ("Alert shown")."""
    ensure(actor, Capability.CHECK_IN)
    now = utcnow()
    shown = []
    for alert in alerts:
        key = (visit.id, alert.id)
        if session.get(AlertShown, key) is not None:
            continue
        row = AlertShown(visit_id=visit.id, alert_id=alert.id, shown_at=now, shown_by_id=actor.id)
        if add_once(session, row, partial(session.get, AlertShown, key)) is row:
            shown.append(alert)
    if shown:
        record_event(
            session,
            "visit.alert_shown",
            actor=actor,
            record=visit,
            alert_ids=[str(alert.id) for alert in shown],
        )
        session.flush()
    return shown


def alerts_shown_at(session: Session, visit: Visit) -> list[AlertShown]:
    """The alerts a visit's desk showed, in the order shown."""
    return list(
        session.scalars(
            select(AlertShown)
            .where(AlertShown.visit_id == visit.id)
            .options(selectinload(AlertShown.alert))
            .order_by(AlertShown.shown_at)
        )
    )


@dataclass(frozen=True)
class BannerAlert:
    alert: DrugAlert
    acknowledged: bool


def banner_alerts(
    session: Session, staff: Staff, site: Site, now: datetime | None = None
) -> list[BannerAlert]:
    """The site's active alerts and whether this member of staff has acknowledged each (one
    query: every staff page carries the banner).
    """
    now = now or utcnow()
    rows = session.execute(
        select(DrugAlert, Acknowledgement.id)
        .join(alert_sites, alert_sites.c.alert_id == DrugAlert.id)
        .outerjoin(
            Acknowledgement,
            and_(Acknowledgement.alert_id == DrugAlert.id, Acknowledgement.staff_id == staff.id),
        )
        .where(alert_sites.c.site_id == site.id, DrugAlert.active_at(now))
    ).all()
    listed = [BannerAlert(alert, acknowledged is not None) for alert, acknowledged in rows]
    return sorted(
        listed,
        key=lambda item: (
            item.acknowledged,
            item.alert.severity.rank,
            -item.alert.starts_at.timestamp(),
        ),
    )


def unacknowledged(
    session: Session, staff: Staff, site: Site, now: datetime | None = None
) -> list[DrugAlert]:
    """The site's active alerts this member of staff has still to acknowledge."""
    return [
        item.alert for item in banner_alerts(session, staff, site, now) if not item.acknowledged
    ]


@dataclass
class AcknowledgementStatus:
    acknowledged: list[Acknowledgement] = field(default_factory=list)
    #: Active staff of the covered sites whose role reads alerts and who have not yet.
    waiting: list[Staff] = field(default_factory=list)


def acknowledgement_status(session: Session, alert: DrugAlert) -> AcknowledgementStatus:
    """Who has acknowledged an alert, and who of its sites' staff has not yet."""
    done = list(
        session.scalars(
            select(Acknowledgement)
            .where(Acknowledgement.alert_id == alert.id)
            .options(selectinload(Acknowledgement.staff))
            .order_by(Acknowledgement.acknowledged_at)
        )
    )
    site_ids = [site.id for site in alert.sites]
    acknowledged_ids = select(Acknowledgement.staff_id).where(Acknowledgement.alert_id == alert.id)
    waiting = list(
        session.scalars(
            select(Staff)
            .where(
                Staff.is_active.is_(True),
                Staff.role.in_(sorted(holders(Capability.ACKNOWLEDGE_ALERTS))),
                Staff.id.in_(
                    select(staff_sites.c.staff_id).where(staff_sites.c.site_id.in_(site_ids))
                ),
                Staff.id.not_in(acknowledged_ids),
            )
            .order_by(Staff.display_name)
        )
    )
    return AcknowledgementStatus(done, waiting)


#: Which alerts the history lists.
HISTORY_STATES = ("all", "active", "ended", "withdrawn")


def alert_history(
    site_ids: Sequence[int], *, search: str | None, state: str, now: datetime
) -> Select[tuple[DrugAlert]]:
    """Alerts covering any of these sites, newest first, filtered by words and by state (to be
    read a page at a time).
    """
    covering = select(alert_sites.c.alert_id).where(alert_sites.c.site_id.in_(list(site_ids)))
    statement = (
        select(DrugAlert)
        .where(DrugAlert.id.in_(covering))
        .options(selectinload(DrugAlert.sites))
        .order_by(DrugAlert.published_at.desc(), DrugAlert.id)
    )
    words = (search or "").strip()
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(
            or_(
                DrugAlert.title.ilike(pattern, escape="\\"),
                DrugAlert.sold_as.ilike(pattern, escape="\\"),
                DrugAlert.found.ilike(pattern, escape="\\"),
                DrugAlert.advice.ilike(pattern, escape="\\"),
            )
        )
    if state == "active":
        statement = statement.where(DrugAlert.active_at(now))
    elif state == "ended":
        statement = statement.where(DrugAlert.ends_at <= now, DrugAlert.withdrawn_at.is_(None))
    elif state == "withdrawn":
        statement = statement.where(DrugAlert.withdrawn_at.is_not(None))
    return statement
