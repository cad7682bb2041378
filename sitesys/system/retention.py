"""Retention and data minimisation: what is kept how long, as a list of rules run by one job.

Per site (its settings, at least the legal minimums of sites/models.py):
- free-text notes and narratives older than `retain_notes_years` (default 8) are redacted: the
  text is replaced by `REDACTED`, and the structured record (times, scores, kinds, outcomes,
  who did what) stays;
- a client with no visit for `retain_clients_years` (default 3) is removed with their code's
  digest and safety flags; their visits stay, anonymous.

For every site: sign-in failure records are kept 90 days; audit events are kept at least 8
years, and SiteSys never deletes one (the database refuses it).

Each rule is a `(session, now) -> counts` function in `SITE_RULES` or `GLOBAL_RULES`, so a feature
that keeps something else adds its own rule here. Each run writes one audit event per site and
one for the whole system, with the counts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from sitesys.audit.services import record_event
from sitesys.auth.models import LoginFailure
from sitesys.care.models import BladderScreen, CareGiven, Referral
from sitesys.checkin.models import OverrideRequest, Visit
from sitesys.clients.models import Client, ClientFlag
from sitesys.clock import utcnow
from sitesys.handovers.models import Handover, HandoverAddendum
from sitesys.incidents.models import Incident, IncidentAmendment
from sitesys.observations.models import Observation
from sitesys.sites.models import Site
from sitesys.versions.models import RecordVersion

#: What redacted free text reads as.
REDACTED = "[Removed after the retention period]"
#: Sign-in failures are kept this long (the lockout needs ten minutes of them).
SIGN_IN_FAILURE_DAYS = 90
#: Audit events are kept at least this long; SiteSys itself never deletes one.
AUDIT_MINIMUM_YEARS = 8


def years_before(moment: datetime, years: int) -> datetime:
    """The same instant `years` calendar years earlier (29 February becomes the 28th)."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


@dataclass(frozen=True)
class FreeText:
    """Free-text columns of one table, with when the record was made and its site."""

    columns: tuple[InstrumentedAttribute[Any], ...]
    made_at: InstrumentedAttribute[Any]
    of_site: Callable[[int], Any]


def _visit_of_site(site_id: int) -> Any:
    return Observation.visit_id.in_(select(Visit.id).where(Visit.site_id == site_id))


FREE_TEXT: tuple[FreeText, ...] = (
    FreeText(
        (
            Incident.narrative,
            Incident.findings,
            Incident.contributing_factors,
            Incident.learning,
        ),
        Incident.started_at,
        lambda site_id: Incident.site_id == site_id,
    ),
    FreeText(
        (IncidentAmendment.old_value, IncidentAmendment.new_value),
        IncidentAmendment.amended_at,
        lambda site_id: IncidentAmendment.incident_id.in_(
            select(Incident.id).where(Incident.site_id == site_id)
        ),
    ),
    FreeText((Observation.note,), Observation.recorded_at, _visit_of_site),
    FreeText(
        (CareGiven.note, CareGiven.strike_reason),
        CareGiven.recorded_at,
        lambda site_id: CareGiven.site_id == site_id,
    ),
    FreeText(
        (Handover.summary, Handover.situation_awareness, Handover.notes, Handover.readback_note),
        Handover.shift_ends_at,
        lambda site_id: Handover.site_id == site_id,
    ),
    FreeText(
        (HandoverAddendum.text,),
        HandoverAddendum.created_at,
        lambda site_id: HandoverAddendum.handover_id.in_(
            select(Handover.id).where(Handover.site_id == site_id)
        ),
    ),
    FreeText(
        (ClientFlag.note,),
        ClientFlag.created_at,
        lambda site_id: ClientFlag.client_id.in_(
            select(Client.id).where(Client.site_id == site_id)
        ),
    ),
)


def redact_notes(session: Session, site: Site, now: datetime) -> dict[str, int]:
    """Redact the site's free text older than its setting; counts the texts redacted."""
    cutoff = years_before(now, site.retain_notes_years)
    redacted = 0
    for table in FREE_TEXT:
        for column in table.columns:
            result = session.execute(
                update(column.class_)
                .where(
                    table.of_site(site.id),
                    table.made_at < cutoff,
                    column.is_not(None),
                    column != "",
                    column != REDACTED,
                )
                .values({column.key: REDACTED})
                .execution_options(synchronize_session=False)
            )
            redacted += result.rowcount or 0  # type: ignore[attr-defined]
    versions = 0
    old_versions = select(RecordVersion).where(
        RecordVersion.site_id == site.id, RecordVersion.saved_at < cutoff
    )
    for version in session.scalars(old_versions.execution_options(yield_per=500)):
        fields = [[label, REDACTED if text else text] for label, text in version.fields]
        if fields != version.fields:
            version.fields = fields
            versions += 1
    session.flush()
    return {"texts_redacted": redacted, "versions_redacted": versions}


def remove_absent_clients(session: Session, site: Site, now: datetime) -> dict[str, int]:
    """Remove the site's clients not seen for its setting, with their digest, flags and
    override requests; their visits, referrals and bladder screens stay, anonymous.
    """
    cutoff = years_before(now, site.retain_clients_years)
    recent_visit = exists().where(Visit.client_id == Client.id, Visit.checked_in_at >= cutoff)
    absent = list(
        session.scalars(
            select(Client.id).where(
                Client.site_id == site.id, Client.created_at < cutoff, ~recent_visit
            )
        )
    )
    if not absent:
        return {"clients_removed": 0, "visits_made_anonymous": 0}
    visits = 0
    for start in range(0, len(absent), 500):
        batch = absent[start : start + 500]
        result = session.execute(
            update(Visit)
            .where(Visit.client_id.in_(batch))
            .values(client_id=None)
            .execution_options(synchronize_session=False)
        )
        visits += result.rowcount or 0  # type: ignore[attr-defined]
        # Care records are clinical: they stay, anonymous, as the visits do.
        for record in (Referral, BladderScreen):
            session.execute(
                update(record)
                .where(record.client_id.in_(batch))
                .values(client_id=None)
                .execution_options(synchronize_session=False)
            )
        # A restriction override request is about the client record itself: it goes with it,
        # as the flags do (the audit trail keeps that it was asked and decided).
        session.execute(
            delete(OverrideRequest)
            .where(OverrideRequest.client_id.in_(batch))
            .execution_options(synchronize_session=False)
        )
        session.execute(
            delete(ClientFlag)
            .where(ClientFlag.client_id.in_(batch))
            .execution_options(synchronize_session=False)
        )
        session.execute(
            delete(Client).where(Client.id.in_(batch)).execution_options(synchronize_session=False)
        )
    return {"clients_removed": len(absent), "visits_made_anonymous": visits}


def forget_sign_in_failures(session: Session, now: datetime) -> dict[str, int]:
    result = session.execute(
        delete(LoginFailure)
        .where(LoginFailure.failed_at < now - timedelta(days=SIGN_IN_FAILURE_DAYS))
        .execution_options(synchronize_session=False)
    )
    return {"sign_in_failures_removed": result.rowcount or 0}  # type: ignore[attr-defined]


def keep_audit_events(_session: Session, _now: datetime) -> dict[str, int]:
    """Audit events are kept at least AUDIT_MINIMUM_YEARS: nothing here deletes one."""
    return {"audit_events_removed": 0}


SiteRule = Callable[[Session, Site, datetime], dict[str, int]]
GlobalRule = Callable[[Session, datetime], dict[str, int]]
SITE_RULES: list[SiteRule] = [redact_notes, remove_absent_clients]
GLOBAL_RULES: list[GlobalRule] = [forget_sign_in_failures, keep_audit_events]


def apply_retention(session: Session) -> int:
    """The retention job: every rule for every site, then the system's; each run audited with
    its counts. Returns how many records it changed or removed. A second run does nothing.
    """
    now = utcnow()
    total = 0
    for site in session.scalars(select(Site).order_by(Site.id)):
        counts: dict[str, Any] = {}
        for site_rule in SITE_RULES:
            counts.update(site_rule(session, site, now))
        record_event(
            session,
            "retention.applied",
            actor=None,
            site_id=site.id,
            notes_years=site.retain_notes_years,
            clients_years=site.retain_clients_years,
            **counts,
        )
        total += int(sum(counts.values()))
    overall: dict[str, Any] = {}
    for global_rule in GLOBAL_RULES:
        overall.update(global_rule(session, now))
    record_event(
        session,
        "retention.applied",
        actor=None,
        sign_in_failure_days=SIGN_IN_FAILURE_DAYS,
        audit_minimum_years=AUDIT_MINIMUM_YEARS,
        **overall,
    )
    return total + int(sum(overall.values()))
