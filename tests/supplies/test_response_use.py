"""Stock used in responses: the naloxone doses of the response log, by the scheduled job."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.incidents.kinds import ActionKind
from sitesys.incidents.services import record_action, start_response, strike_action
from sitesys.supplies.models import MovementKind, StockMovement, SupplyItem
from sitesys.supplies.services import add_default_supplies, catalogue
from sitesys.supplies.stock import receive
from sitesys.supplies.tasks import record_response_use
from tests.factories import make_visit
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
    assert record_response_use(db) == 3  # two doses and the response's oxygen cylinder
    assert record_response_use(db) == 0
    db.expire(doses)
    assert doses.on_hand == 8
    strike_action(db, floor.nurse, first, "Tapped twice")
    assert record_response_use(db) == 1
    db.expire(doses)
    assert doses.on_hand == 9
    lines = db.scalars(
        select(StockMovement)
        .where(StockMovement.kind == MovementKind.USED_IN_RESPONSE, StockMovement.item == doses)
        .order_by(StockMovement.id)
    ).all()
    assert [line.change for line in lines] == [-1, -1, 1]
    assert all(line.recorded_by_id == floor.nurse.id for line in lines)


def _oxygen(litres: str = "15"):
    return tap(ActionKind.OXYGEN, oxygen_l_per_min=Decimal(litres))


def _on_hand(db, item):
    db.expire(item)
    return item.on_hand


def test_a_response_giving_oxygen_takes_one_cylinder_off_the_stock(db):
    floor = make_floor(db)
    add_default_supplies(db, floor.site)
    cylinders = _item(db, floor.site, "oxygen_cylinders")
    assert cylinders is not None and not cylinders.on_visits
    receive(
        db,
        floor.nurse,
        cylinders,
        4,
        batch="O2-1",
        expires_on=None,
        submission_key=str(uuid.uuid4()),
    )
    incident = start_response(db, floor.nurse, floor.visit).incident
    first = record_action(db, floor.nurse, incident, _oxygen("15")).action
    # The flow turned down later is a second entry of the same cylinder.
    second = record_action(db, floor.nurse, incident, _oxygen("10")).action
    assert record_response_use(db) == 1
    assert record_response_use(db) == 0
    assert _on_hand(db, cylinders) == 3
    [line] = db.scalars(
        select(StockMovement).where(
            StockMovement.item == cylinders, StockMovement.kind == MovementKind.USED_IN_RESPONSE
        )
    ).all()
    assert line.change == -1
    assert line.incident_action_id == first.id and line.on_hand_after == 3
    assert line.recorded_by_id == floor.nurse.id
    # The first entry struck through: the cylinder is still used, booked on the second.
    strike_action(db, floor.nurse, first, "Flow entered wrong")
    assert record_response_use(db) == 2
    assert _on_hand(db, cylinders) == 3
    # No oxygen entry standing: the cylinder goes back.
    strike_action(db, floor.nurse, second, "No oxygen was given after all")
    assert record_response_use(db) == 1
    assert _on_hand(db, cylinders) == 4
    assert record_response_use(db) == 0


def test_each_response_giving_oxygen_takes_its_own_cylinder_and_is_audited(db):
    floor = make_floor(db)
    add_default_supplies(db, floor.site)
    cylinders = _item(db, floor.site, "oxygen_cylinders")
    receive(
        db,
        floor.nurse,
        cylinders,
        2,
        batch="O2-2",
        expires_on=None,
        submission_key=str(uuid.uuid4()),
    )
    first = start_response(db, floor.nurse, floor.visit).incident
    record_action(db, floor.nurse, first, _oxygen())
    other_visit = make_visit(db, floor.site, floor.desk)
    second = start_response(db, floor.manager, other_visit).incident
    record_action(db, floor.manager, second, _oxygen())
    record_action(db, floor.manager, second, tap(ActionKind.AIRWAY))
    assert record_response_use(db) == 2
    assert _on_hand(db, cylinders) == 0
    events = db.scalars(
        select(AuditEvent).where(AuditEvent.action == "stock.used_in_response")
    ).all()
    assert sorted(event.detail["incident_id"] for event in events) == sorted(
        [str(first.id), str(second.id)]
    )
    assert all(event.detail["item"] == "oxygen_cylinders" for event in events)
