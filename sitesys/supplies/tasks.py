"""The stock used in responses, from the response log:

- each naloxone dose comes off the site's "Naloxone doses", and goes back if its entry is struck
  through;
- a response that gives oxygen takes one of the site's "Oxygen cylinders" (the cylinder opened
  is changed for a full one after the response), however many oxygen entries it logs (a flow
  changed is a second entry, not a second cylinder). The cylinder is booked against the
  response's first oxygen entry still standing: struck through, the booking moves to the next
  one, and goes back when none stands. A second cylinder emptied in a long response is counted
  at the handover's stock-take.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from sitesys.audit.services import record_event
from sitesys.clock import utcnow
from sitesys.incidents.kinds import ActionKind
from sitesys.incidents.models import Incident, IncidentAction
from sitesys.supplies.models import MovementKind, StockMovement, SupplyItem
from sitesys.supplies.stock import apply_change

#: The catalogue code of the naloxone given in responses.
RESPONSE_NALOXONE = "naloxone_doses"
#: The catalogue code of the oxygen cylinders used in responses.
RESPONSE_OXYGEN = "oxygen_cylinders"
#: The catalogue item each kind of response-log entry comes off.
RESPONSE_STOCK = {ActionKind.NALOXONE: RESPONSE_NALOXONE, ActionKind.OXYGEN: RESPONSE_OXYGEN}
#: How far back the job looks: a response log entry is struck through within hours, not weeks.
LOOK_BACK = timedelta(days=7)


def _wanted(actions: list[IncidentAction]) -> dict[int, int]:
    """What each entry should have taken off the stock: -1 for a standing naloxone dose, -1 for
    the first standing oxygen entry of each response, 0 for any other.
    """
    wanted: dict[int, int] = {}
    carriers: dict[object, int] = {}
    for action in sorted(actions, key=lambda a: a.id):
        standing = action.struck_at is None
        if action.kind is ActionKind.NALOXONE:
            wanted[action.id] = -1 if standing else 0
            continue
        wanted[action.id] = 0
        if standing and action.incident_id not in carriers:
            carriers[action.incident_id] = action.id
            wanted[action.id] = -1
    return wanted


def record_response_use(session: Session) -> int:
    """Bring the ledger in line with the naloxone doses and the oxygen of recent response logs
    (the rules at the top of this module). Returns the lines written; a second run writes none
    (each entry's lines are summed against what it should come to).
    """
    net = (
        select(StockMovement.incident_action_id, func.sum(StockMovement.change).label("net"))
        .where(StockMovement.incident_action_id.is_not(None))
        .group_by(StockMovement.incident_action_id)
        .subquery()
    )
    since = utcnow() - LOOK_BACK
    # The oxygen of responses with an oxygen entry in the window is read whole: a response's
    # oxygen entries decide together which of them carries its cylinder.
    oxygen_lately = (
        select(IncidentAction.incident_id)
        .where(IncidentAction.kind == ActionKind.OXYGEN, IncidentAction.recorded_at >= since)
        .distinct()
    )
    rows = session.execute(
        select(IncidentAction, Incident.site_id, func.coalesce(net.c.net, 0))
        .join(Incident, Incident.id == IncidentAction.incident_id)
        .outerjoin(net, net.c.incident_action_id == IncidentAction.id)
        .where(
            or_(
                and_(
                    IncidentAction.kind == ActionKind.NALOXONE,
                    IncidentAction.recorded_at >= since,
                ),
                and_(
                    IncidentAction.kind == ActionKind.OXYGEN,
                    IncidentAction.incident_id.in_(oxygen_lately),
                ),
            )
        )
        .order_by(IncidentAction.id)
    ).all()
    wanted = _wanted([action for action, _site_id, _so_far in rows])
    written = 0
    items: dict[tuple[int, str], SupplyItem | None] = {}
    for action, site_id, so_far in rows:
        change = wanted[action.id] - int(so_far)
        if change == 0:
            continue
        code = RESPONSE_STOCK[action.kind]
        if (site_id, code) not in items:
            items[(site_id, code)] = session.scalar(
                select(SupplyItem).where(SupplyItem.site_id == site_id, SupplyItem.code == code)
            )
        item = items[(site_id, code)]
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
