"""The handover's stock section: prefilled from the stock ledger (supplies/), and a count the
lead corrects recorded as a stock-take when the handover is submitted."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from sitesys.handovers.models import Handover
from sitesys.supplies.models import MovementKind, StockMovement, SupplyItem
from sitesys.supplies.services import add_default_supplies
from sitesys.supplies.stock import receive
from tests.factories import sign_in
from tests.handovers.test_views import draft_data


def _item(db, site, code):
    return db.scalar(
        select(SupplyItem).where(SupplyItem.site_id == site.id, SupplyItem.code == code)
    )


def test_the_handover_starts_from_the_ledger_and_a_correction_is_a_stock_take(client, db, floor):
    site, nurse = floor["site"], floor["nurse"]
    add_default_supplies(db, site)
    doses = _item(db, site, "naloxone_doses")
    receive(db, nurse, doses, 12, batch="N-1", expires_on=None, submission_key=str(uuid.uuid4()))
    sign_in(client, db, nurse)
    client.post("/handovers/start")
    handover = db.scalar(select(Handover))
    counts = {row.item: row.count for row in handover.stock}
    # Naloxone doses have ledger lines; oxygen cylinders have none yet, so are left to count.
    assert counts == {"Naloxone doses": 12, "Oxygen cylinders": None}
    data = draft_data(handover)
    for row in handover.stock:
        data[f"stock_{row.id}"] = "11" if row.item == "Naloxone doses" else "3"
    response = client.post(f"/handovers/{handover.id}/submit", data=data, follow_redirects=True)
    assert "Handover submitted." in response.get_data(as_text=True)
    db.expire_all()
    assert _item(db, site, "naloxone_doses").on_hand == 11
    assert _item(db, site, "oxygen_cylinders").on_hand == 3
    takes = db.scalars(
        select(StockMovement)
        .where(StockMovement.kind == MovementKind.COUNTED)
        .order_by(StockMovement.id)
    ).all()
    assert [(t.item.code, t.change) for t in takes] == [
        ("naloxone_doses", -1),
        ("oxygen_cylinders", 3),
    ]
