"""The snapshot of the floor a handover starts from, taken at one moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from sitesys.alerts.models import DrugAlert, alert_sites
from sitesys.board.services import VisitCard, read_board
from sitesys.board.supply import CustodyWarning
from sitesys.checkin.models import Visit
from sitesys.drugchecks.models import CustodyAlert
from sitesys.handovers.shifts import ShiftOccurrence
from sitesys.incidents.models import Incident
from sitesys.observations.checks import CheckState
from sitesys.observations.models import OverdueAlert
from sitesys.sites.models import BoothStatus, Site
from sitesys.source_language import source_language


def check_words(card: VisitCard) -> str:
    """The check column in words: "Not checked yet" for someone no one has observed, whose
    first check is not yet due ("Checked" would say they had been seen).
    """
    if card.latest is None and card.check is CheckState.OK:
        text: str = _("Not checked yet")
        return text
    return card.check.label


def _client(card: VisitCard, now: datetime, alerted: set[str]) -> dict[str, Any]:
    visit = card.visit
    latest = card.latest
    return {
        "visit_id": str(visit.id),
        "display_tag": visit.display_tag,
        "phase": visit.status.label,
        "booth": visit.booth.label if visit.booth and visit.status.value == "in_booth" else None,
        "minutes_on_site": max(0, int((now - visit.checked_in_at).total_seconds() // 60)),
        # A partial set has no total to hand over (it would read as a full score).
        "news2_total": latest.news2_total if latest and not latest.news2_partial else None,
        "level": (latest.score_summary if latest.news2_partial else latest.level_label)
        if latest
        else None,
        "level_class": latest.level_class if latest else None,
        "close_watch": card.close_watch,
        "check": check_words(card),
        "overdue": card.check is CheckState.OVERDUE,
        "open_alert": str(visit.id) in alerted,
        "flags": [flag.kind.label for flag in card.flags],
    }


@dataclass(frozen=True)
class ShiftWindow:
    """The shift a handover covers."""

    key: str
    name: str
    starts_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, shift: ShiftOccurrence) -> ShiftWindow:
        return cls(shift.key, shift.definition.name, shift.starts_at, shift.ends_at)


def _incidents(
    session: Session, site: Site, shift: ShiftWindow, now: datetime
) -> list[dict[str, Any]]:
    """Incidents that began in the shift, with their state and harm, oldest first."""
    incidents = session.scalars(
        select(Incident)
        .where(
            Incident.site_id == site.id,
            Incident.started_at >= shift.starts_at,
            Incident.started_at <= now,
            Incident.started_at < shift.ends_at,
        )
        .options(selectinload(Incident.types), joinedload(Incident.visit).joinedload(Visit.client))
        .order_by(Incident.started_at)
        .limit(200)
    )
    return [
        {
            "incident_id": str(incident.id),
            "reference": incident.reference,
            "started_at_local": incident.started_at.astimezone(site.zone).strftime("%H:%M"),
            "status": incident.status.label,
            "types": ", ".join(kind.label for kind in incident.type_values),
            "physical_harm": incident.physical_harm.label if incident.physical_harm else None,
            "psychological_harm": (
                incident.psychological_harm.label if incident.psychological_harm else None
            ),
            "display_tag": incident.visit.display_tag if incident.visit else None,
        }
        for incident in incidents
    ]


def _drug_alerts(
    session: Session, site: Site, shift: ShiftWindow, now: datetime
) -> list[dict[str, Any]]:
    """Drug alerts of the site active at any time in the shift so far, most severe first."""
    alerts = session.scalars(
        select(DrugAlert)
        .join(alert_sites, alert_sites.c.alert_id == DrugAlert.id)
        .where(
            alert_sites.c.site_id == site.id,
            DrugAlert.starts_at <= now,
            DrugAlert.ends_at > shift.starts_at,
            or_(DrugAlert.withdrawn_at.is_(None), DrugAlert.withdrawn_at > shift.starts_at),
        )
        .limit(100)
    )
    return [
        {
            "alert_id": str(alert.id),
            "title": alert.title,
            "severity": alert.severity.label,
            "sold_as": alert.sold_as,
            "state": alert.state_at(now),
            "until_local": alert.finished_at.astimezone(site.zone).strftime("%d %b %H:%M"),
        }
        for alert in sorted(alerts, key=lambda a: (a.severity.rank, -a.starts_at.timestamp()))
    ]


def _custody(
    session: Session, site: Site, shift: ShiftWindow, board_custody: list[CustodyWarning]
) -> list[dict[str, Any]]:
    """Samples still on the bench past the custody limit now, and those whose custody alert was
    raised in the shift and has since been settled.
    """
    zone = site.zone
    listed: dict[str, dict[str, Any]] = {}
    for warning in board_custody:
        sample = warning.sample
        listed[str(sample.id)] = {
            "sample_id": str(sample.id),
            "reference": sample.reference,
            "result_local": warning.due_at.astimezone(zone).strftime("%H:%M")
            if sample.result_at is None
            else sample.result_at.astimezone(zone).strftime("%H:%M"),
            "settled": None,
        }
    raised = session.scalars(
        select(CustodyAlert)
        .where(CustodyAlert.site_id == site.id, CustodyAlert.raised_at >= shift.starts_at)
        .options(joinedload(CustodyAlert.sample))
        .limit(100)
    )
    for alert in raised:
        sample = alert.sample
        if str(sample.id) in listed or sample.custody is None or sample.custody_at is None:
            continue
        listed[str(sample.id)] = {
            "sample_id": str(sample.id),
            "reference": sample.reference,
            "result_local": (sample.result_at or alert.due_at).astimezone(zone).strftime("%H:%M"),
            "settled": f"{sample.custody.label} at {sample.custody_at.astimezone(zone):%H:%M}",
        }
    return list(listed.values())


def take_snapshot(
    session: Session, site: Site, shift: ShiftWindow, now: datetime
) -> dict[str, Any]:
    """Everyone on site with their phase and latest score, open alerts, overdue checks, booths
    out of service, and the shift's counts, as the board shows them at this moment. The words
    kept are in the source language whoever takes it; the handover's page translates them.
    """
    with source_language():
        return _take_snapshot(session, site, shift, now)


def _take_snapshot(
    session: Session, site: Site, shift: ShiftWindow, now: datetime
) -> dict[str, Any]:
    board = read_board(session, site, now)
    cards = [tile.card for tile in board.tiles if tile.card] + board.waiting + board.aftercare
    alerted = {
        str(visit_id)
        for visit_id in session.scalars(
            select(OverdueAlert.visit_id).where(
                OverdueAlert.site_id == site.id, OverdueAlert.closed_at.is_(None)
            )
        )
    }
    clients = sorted(
        (_client(card, now, alerted) for card in cards), key=lambda c: -c["minutes_on_site"]
    )
    incidents = _incidents(session, site, shift, now)
    visits_in_shift = session.scalar(
        select(func.count())
        .select_from(Visit)
        .where(
            Visit.site_id == site.id,
            Visit.checked_in_at >= shift.starts_at,
            Visit.checked_in_at <= now,
            Visit.checked_in_at < shift.ends_at,
        )
    )
    return {
        "taken_at": now.isoformat(),
        "shift": {
            "key": shift.key,
            "name": shift.name,
            "starts_at": shift.starts_at.isoformat(),
            "ends_at": shift.ends_at.isoformat(),
        },
        "clients": clients,
        "overdue": [c for c in clients if c["overdue"] or c["open_alert"]],
        "booths_out_of_service": [
            {"label": tile.booth.label, "reason": tile.booth.out_of_service_reason or ""}
            for tile in board.tiles
            if tile.booth.status is BoothStatus.OUT_OF_SERVICE
        ],
        "incidents": incidents,
        "drug_alerts": _drug_alerts(session, site, shift, now),
        "custody": _custody(session, site, shift, board.supply.custody),
        "counts": {
            "visits": int(visits_in_shift or 0),
            "incidents": len(incidents),
            "on_site": len(clients),
        },
    }
