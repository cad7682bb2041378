"""The stock ledger: deliveries, give-outs from visits, disposals and stock-takes, the warnings,
the stock page, and concurrent give-outs with real commits."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from sitesys.audit.models import AuditEvent
from sitesys.auth.roles import Role
from sitesys.clock import local_date, utcnow
from sitesys.db import get_database
from sitesys.refusals import NotAllowed
from sitesys.supplies.models import MovementKind, StockBatch, StockMovement, SupplyItem
from sitesys.supplies.services import add_default_supplies, catalogue, set_quantities
from sitesys.supplies.stock import (
    StockRefused,
    count,
    dispose,
    receive,
    set_reorder_level,
    stock_warnings,
)
from tests.factories import (
    make_site,
    make_staff,
    make_substances,
    make_visit,
    sign_in,
)
from tests.incidents.helpers import make_floor


def stocked(db):
    floor = make_floor(db)
    add_default_supplies(db, floor.site)
    return floor, {item.code: item for item in catalogue(db, floor.site)}


def _key():
    return str(uuid.uuid4())


def _held(db, item):
    db.expire(item)
    return item.on_hand


def test_deliveries_give_outs_and_corrections_keep_the_count(db):
    floor, items = stocked(db)
    kit = items["sterile_kit"]
    key = _key()
    line = receive(db, floor.nurse, kit, 100, batch="B-1", expires_on=None, submission_key=key)
    assert (
        receive(db, floor.nurse, kit, 100, batch="B-1", expires_on=None, submission_key=key) is line
    )
    assert _held(db, kit) == 100 and line.on_hand_after == 100
    set_quantities(db, floor.desk, floor.site, floor.visit, {kit.id: 3}, shown={})
    assert _held(db, kit) == 97
    set_quantities(db, floor.desk, floor.site, floor.visit, {kit.id: 1}, shown={kit.id: 3})
    assert _held(db, kit) == 99
    given = db.scalars(
        select(StockMovement)
        .where(StockMovement.kind == MovementKind.GIVEN_OUT)
        .order_by(StockMovement.id)
    ).all()
    assert [(g.change, g.on_hand_after, g.visit_id) for g in given] == [
        (-3, 97, floor.visit.id),
        (2, 99, floor.visit.id),
    ]
    [batch] = db.scalars(select(StockBatch)).all()
    assert batch.remaining == 97  # three taken from it; the two handed back are only counted
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "stock.received")
        )
        == 1
    )


def test_disposal_needs_a_reason_and_comes_off_its_batch(db):
    floor, items = stocked(db)
    naloxone = items["naloxone_in"]
    receive(db, floor.nurse, naloxone, 10, batch="N-7", expires_on=None, submission_key=_key())
    [batch] = db.scalars(select(StockBatch)).all()
    with pytest.raises(StockRefused, match="reason"):
        dispose(db, floor.nurse, naloxone, 2, reason=" ", submission_key=_key(), batch=batch)
    with pytest.raises(StockRefused, match="only 10 left"):
        dispose(db, floor.nurse, naloxone, 11, reason="Expired", submission_key=_key(), batch=batch)
    dispose(db, floor.nurse, naloxone, 4, reason="Expired", submission_key=_key(), batch=batch)
    assert batch.remaining == 6 and _held(db, naloxone) == 6
    with pytest.raises(NotAllowed):
        dispose(db, floor.desk, naloxone, 1, reason="Lost", submission_key=_key())


def test_a_stock_take_sets_the_true_count_and_records_the_difference(db):
    floor, items = stocked(db)
    water = items["water"]
    receive(db, floor.nurse, water, 24, batch="W", expires_on=None, submission_key=_key())
    line = count(db, floor.manager, water, 20, submission_key=_key())
    assert (line.kind, line.change, line.on_hand_after) == (MovementKind.COUNTED, -4, 20)
    assert _held(db, water) == 20
    [event] = db.scalars(select(AuditEvent).where(AuditEvent.action == "stock.counted")).all()
    assert event.detail["difference"] == -4 and event.detail["counted"] == 20


def test_warnings_below_reorder_level_expiring_and_expired(db):
    floor, items = stocked(db)
    today = local_date(utcnow(), floor.site.zone)
    strips, naloxone, foil = items["fentanyl_strips"], items["naloxone_im"], items["foil"]
    receive(
        db,
        floor.nurse,
        strips,
        5,
        batch="S-1",
        expires_on=today + timedelta(days=20),
        submission_key=_key(),
    )
    receive(
        db,
        floor.nurse,
        naloxone,
        3,
        batch="N-2",
        expires_on=today - timedelta(days=1),
        submission_key=_key(),
    )
    receive(
        db,
        floor.nurse,
        foil,
        50,
        batch="F-9",
        expires_on=today + timedelta(days=90),
        submission_key=_key(),
    )
    set_reorder_level(db, floor.nurse, strips, 10)
    set_reorder_level(db, floor.nurse, foil, 10)
    sentences = [(w.level, w.sentence) for w in stock_warnings(db, floor.site)]
    yesterday = today - timedelta(days=1)
    assert (
        "error",
        f"Naloxone kit (intramuscular): batch N-2 expired on {yesterday:%-d %b %Y} and 3 are "
        "still counted — dispose of them.",
    ) in sentences
    assert any("batch S-1 (5) expires on" in s for _level, s in sentences)
    assert (
        "warning",
        "Fentanyl test strips: 5 strips left, below the reorder level of 10.",
    ) in sentences
    assert not any("Foil" in s for _level, s in sentences)


def test_the_stock_page_and_the_managers_warnings(client, db):
    floor, items = stocked(db)
    sign_in(client, db, floor.desk)
    assert client.get("/stock").status_code == 403
    sign_in(client, db, floor.nurse)
    assert client.get("/stock").status_code == 200
    key = _key()
    form = {
        "action": "receive",
        "receive-item": str(items["condoms"].id),
        "receive-quantity": "144",
        "receive-batch": "C-1",
        "receive-expires_on": (
            local_date(utcnow(), floor.site.zone) - timedelta(days=2)
        ).isoformat(),
        "receive-submission_key": key,
    }
    assert client.post("/stock", data=form).status_code == 302
    assert client.post("/stock", data=form).status_code == 302
    assert _held(db, items["condoms"]) == 144
    page = client.get("/stock").get_data(as_text=True)
    assert "batch C-1 expired" in page and "Received" in page
    sign_in(client, db, floor.manager)
    home = client.get("/").get_data(as_text=True)
    assert "batch C-1 expired" in home
    refused = client.post(
        "/stock",
        data={
            "action": "dispose",
            "dispose-item": str(items["condoms"].id),
            "dispose-batch": "",
            "dispose-quantity": "2",
            "dispose-reason": "",
            "dispose-submission_key": _key(),
        },
    )
    assert refused.status_code == 422


def test_concurrent_give_outs_are_all_counted(committed_app):
    """Two tablets give out the same item on two visits at once, with real commits: the count
    loses neither."""
    with get_database(committed_app).new_session() as session:
        site = make_site(session)
        make_substances(session, site)
        add_default_supplies(session, site)
        nurse = make_staff(session, Role.NURSE, [site])
        kit = session.scalar(
            select(SupplyItem).where(
                SupplyItem.site_id == site.id, SupplyItem.code == "sterile_kit"
            )
        )
        receive(session, nurse, kit, 50, batch="B", expires_on=None, submission_key=_key())
        tablets, visits = [], []
        for _ in range(2):
            desk = make_staff(session, Role.FRONT_DESK, [site])
            visits.append(make_visit(session, site, desk).id)
            tablet = committed_app.test_client()
            sign_in(tablet, session, desk)
            tablets.append(tablet)
        kit_id = kit.id
        session.commit()
    forms = [
        {f"qty-{kit_id}": "3", f"shown-{kit_id}": "0", "csrf_token": t.csrf_token()}
        for t in tablets
    ]
    barrier = threading.Barrier(2)
    responses = [None, None]

    def tablet(index):
        barrier.wait()
        responses[index] = tablets[index].post(
            f"/visits/{visits[index]}/supplies", data=forms[index]
        )

    threads = [threading.Thread(target=tablet, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert [r.status_code for r in responses] == [302, 302]
    with get_database(committed_app).new_session() as session:
        assert session.scalar(select(SupplyItem.on_hand).where(SupplyItem.id == kit_id)) == 44
        lines = session.scalars(
            select(StockMovement.on_hand_after).where(
                StockMovement.item_id == kit_id, StockMovement.kind == MovementKind.GIVEN_OUT
            )
        ).all()
        assert sorted(lines) == [44, 47]
        assert (
            session.scalar(select(StockBatch.remaining).where(StockBatch.item_id == kit_id)) == 44
        )
