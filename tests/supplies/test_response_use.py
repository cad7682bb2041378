"""Stock used in responses: the naloxone doses of the response log, by the scheduled job."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from sitesys.incidents.kinds import ActionKind
from sitesys.incidents.services import record_action, start_response, strike_action
from sitesys.supplies.models import MovementKind, StockMovement, SupplyItem
from sitesys.supplies.services import add_default_supplies, catalogue
from sitesys.supplies.stock import receive
from sitesys.supplies.tasks import record_response_use
from tests.incidents.helpers import make_floor, naloxone, tap


def _item(db, site, code):
    return db.scalar(
        select(SupplyItem).where(SupplyItem.site_id == site.id, SupplyItem.code == code)
    )


def test_naloxone_doses_in_a_response_come_off_the_stock_and_go_back_when_struck(db):
    floor = make_floor(db)
    add_default_supplies(db, floor.site)
    doses = _item(db, floor.site, "naloxone_doses")
    assert doses is not None and not doses.on_visits
    assert doses not in catalogue(db, floor.site, on_visits=True)
    receive(
        db, floor.nurse, doses, 10, batch="N-1", expires_on=None, submission_key=str(uuid.uuid4())
    )
    incident = start_response(db, floor.nurse, floor.visit).incident
    first = record_action(db, floor.nurse, incident, naloxone()).action
    record_action(db, floor.nurse, incident, naloxone())
    record_action(db, floor.nurse, incident, tap(ActionKind.OXYGEN, oxygen_l_per_min=Decimal("15")))
    assert record_response_use(db) == 2
    assert record_response_use(db) == 0
    db.expire(doses)
    assert doses.on_hand == 8
    strike_action(db, floor.nurse, first, "Tapped twice")
    assert record_response_use(db) == 1
    db.expire(doses)
    assert doses.on_hand == 9
    lines = db.scalars(
        select(StockMovement)
        .where(StockMovement.kind == MovementKind.USED_IN_RESPONSE)
        .order_by(StockMovement.id)
    ).all()
    assert [line.change for line in lines] == [-1, -1, 1]
    assert all(line.recorded_by_id == floor.nurse.id for line in lines)
