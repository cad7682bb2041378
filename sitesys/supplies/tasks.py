"""The stock used in responses: each naloxone dose in a response log comes off the site's
"Naloxone doses", and goes back if the entry is struck through.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.clock import utcnow
from sitesys.incidents.kinds import ActionKind
from sitesys.incidents.models import Incident, IncidentAction
from sitesys.supplies.models import MovementKind, StockMovement, SupplyItem
from sitesys.supplies.stock import apply_change

#: The catalogue code of the naloxone given in responses.
RESPONSE_NALOXONE = "naloxone_doses"
#: How far back the job looks: a response log entry is struck through within hours, not weeks.
LOOK_BACK = timedelta(days=7)


def record_response_use(session: Session) -> int:
    """Bring the ledger in line with the naloxone doses of recent response logs: one dose off
    for each entry, put back for each struck through. Returns the lines written; a second run
    writes none (each entry's lines are summed against what it should come to).
    """
    net = (
        select(StockMovement.incident_action_id, func.sum(StockMovement.change).label("net"))
        .where(StockMovement.incident_action_id.is_not(None))
        .group_by(StockMovement.incident_action_id)
        .subquery()
    )
    rows = session.execute(
        select(IncidentAction, Incident.site_id, func.coalesce(net.c.net, 0))
        .join(Incident, Incident.id == IncidentAction.incident_id)
        .outerjoin(net, net.c.incident_action_id == IncidentAction.id)
        .where(
            IncidentAction.kind == ActionKind.NALOXONE,
            IncidentAction.recorded_at >= utcnow() - LOOK_BACK,
        )
        .order_by(IncidentAction.id)
    ).all()
    written = 0
    items: dict[int, SupplyItem | None] = {}
    for action, site_id, so_far in rows:
        wanted = 0 if action.struck_at is not None else -1
        change = wanted - int(so_far)
        if change == 0:
            continue
        if site_id not in items:
            items[site_id] = session.scalar(
                select(SupplyItem).where(
                    SupplyItem.site_id == site_id, SupplyItem.code == RESPONSE_NALOXONE
                )
            )
        item = items[site_id]
        if item is None:
            continue
        line = StockMovement(
            site_id=site_id,
            item_id=item.id,
            kind=MovementKind.USED_IN_RESPONSE,
            change=change,
            on_hand_after=apply_change(session, item, change),
            incident_action_id=action.id,
            recorded_at=utcnow(),
            recorded_by_id=action.recorded_by_id,
        )
        session.add(line)
        session.flush()
        record_event(
            session,
            "stock.used_in_response",
            actor=None,
            record=line,
            item=item.code,
            change=change,
            incident_id=str(action.incident_id),
        )
        written += 1
    return written
