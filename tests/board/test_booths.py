"""Booth actions from the floor: the booth page, marking clean, out of service and back.

The board and the admin's booth list change a booth through the same services
(sites/booths.py), and tell staff in the same words."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from sitesys.audit.models import AuditEvent
from sitesys.sites.models import BoothStatus
from tests.checkin.helpers import floor
from tests.factories import make_booth, make_site


def booth_events(db, booth):
    return [
        event.action
        for event in db.scalars(
            select(AuditEvent)
            .where(AuditEvent.record_type == "booth", AuditEvent.record_id == str(booth.id))
            .order_by(AuditEvent.id)
        )
    ]


def test_a_booth_cleaned_from_the_board_is_free_and_the_floor_is_told(client, db):
    _site, booths, desk = floor(db, client)
    booths[0].status = BoothStatus.NEEDS_CLEANING
    db.flush()
    response = client.post(f"/board/booths/{booths[0].id}/clean")
    assert response.status_code == 302 and response.headers["Location"] == "/board/"
    assert "Booth 1 is clean and free." in client.get("/board/").get_data(as_text=True)
    db.refresh(booths[0])
    assert booths[0].status is BoothStatus.FREE
    assert booth_events(db, booths[0]) == ["booth.cleaned"]
    event = db.scalar(select(AuditEvent).where(AuditEvent.action == "booth.cleaned"))
    assert event is not None and event.actor_id == desk.id


def test_out_of_service_and_back_from_the_board_in_the_floors_words(client, db):
    _site, booths, _desk = floor(db, client)
    taken_out = client.post(
        f"/board/booths/{booths[1].id}/out-of-service",
        data={"reason": "Broken light"},
        follow_redirects=True,
    )
    assert "Booth 2 is out of service." in taken_out.get_data(as_text=True)
    db.refresh(booths[1])
    assert booths[1].status is BoothStatus.OUT_OF_SERVICE
    assert booths[1].out_of_service_reason == "Broken light"
    back = client.post(f"/board/booths/{booths[1].id}/back-in-service", follow_redirects=True)
    assert "Booth 2 is back in service; it needs cleaning." in back.get_data(as_text=True)
    db.refresh(booths[1])
    assert booths[1].status is BoothStatus.NEEDS_CLEANING
    assert booths[1].out_of_service_reason is None
    assert booth_events(db, booths[1]) == ["booth.out_of_service", "booth.back_in_service"]


def test_a_refused_booth_action_says_why_and_changes_nothing(client, db):
    _site, booths, _desk = floor(db, client)
    response = client.post(f"/board/booths/{booths[0].id}/clean", follow_redirects=True)
    assert "Booth 1 does not need cleaning." in response.get_data(as_text=True)
    assert "clean and free" not in response.get_data(as_text=True)
    db.refresh(booths[0])
    assert booths[0].status is BoothStatus.FREE
    assert booth_events(db, booths[0]) == []


@pytest.mark.parametrize("action", ["clean", "back-in-service", "out-of-service"])
def test_another_sites_booth_is_not_found_on_the_board(client, db, action):
    floor(db, client)
    theirs = make_booth(db, make_site(db), status=BoothStatus.OUT_OF_SERVICE)
    assert client.get(f"/board/booths/{theirs.id}").status_code == 404
    response = client.post(f"/board/booths/{theirs.id}/{action}", data={"reason": "Spill"})
    assert response.status_code == 404
    db.refresh(theirs)
    assert theirs.status is BoothStatus.OUT_OF_SERVICE
    assert booth_events(db, theirs) == []


def test_an_unknown_booth_action_is_not_found(client, db):
    _site, booths, _desk = floor(db, client)
    assert client.post(f"/board/booths/{booths[0].id}/demolish").status_code == 404
    db.refresh(booths[0])
    assert booths[0].status is BoothStatus.FREE


def test_the_booth_page_reads_without_a_row_lock_and_its_actions_take_one(
    client, db, count_queries, backend
):
    """Opening a booth's page changes nothing, so it must not hold up a desk taking the booth;
    a change locks the booth's row while it is made (SQLite has no row locks: its write
    transaction is the lock)."""
    _site, booths, _desk = floor(db, client)
    booths[0].status = BoothStatus.NEEDS_CLEANING
    db.flush()
    with count_queries() as reading:
        assert client.get(f"/board/booths/{booths[0].id}").status_code == 200
    assert [s for s in reading.statements if "FOR UPDATE" in s.upper()] == []
    with count_queries() as changing:
        client.post(f"/board/booths/{booths[0].id}/clean")
    locked = [s for s in changing.statements if "FROM booths" in s and "FOR UPDATE" in s.upper()]
    assert len(locked) == (1 if backend == "postgresql" else 0), "\n".join(changing.statements)
    db.refresh(booths[0])
    assert booths[0].status is BoothStatus.FREE
